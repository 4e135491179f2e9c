package transport

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"syscall"
)

// HTTPError is an HTTP answer other than 200 to the stream's request.
type HTTPError struct {
	Code   int
	Status string // "502 Bad Gateway"
	Server string // the server URL, without query or user
}

func (e *HTTPError) Error() string { return "server " + e.Server + " answered " + e.Status }

// Reason says in a few words why the connection failed, for the screen:
// "connection refused", "server answered HTTP 502 Bad Gateway",
// "certificate not trusted (set ca_file)". It never holds the PIN or a URL.
func Reason(err error) string {
	var (
		httpErr *HTTPError
		apiErr  *APIError
		dnsErr  *net.DNSError
		netErr  net.Error
	)
	switch {
	case err == nil:
		return ""
	case errors.Is(err, ErrAuth):
		return "DID or PIN refused"
	case errors.Is(err, ErrPhoneNotLoggedIn):
		return "phone not logged in"
	case untrusted(err):
		return "certificate not trusted (set ca_file)"
	case errors.As(err, &httpErr):
		return "server answered HTTP " + cleanText(httpErr.Status, 40)
	case errors.As(err, &dnsErr):
		if dnsErr.IsNotFound {
			return "server name not found"
		}
		return "server name lookup failed"
	case errors.Is(err, syscall.ECONNREFUSED):
		return "connection refused"
	case errors.Is(err, syscall.ECONNRESET):
		return "connection reset"
	case errors.Is(err, syscall.ENETUNREACH), errors.Is(err, syscall.EHOSTUNREACH):
		return "network unreachable"
	case errors.Is(err, errConnectTimeout), errors.Is(err, os.ErrDeadlineExceeded),
		errors.As(err, &netErr) && netErr.Timeout():
		return "timed out"
	case errors.Is(err, errServerClosed):
		return "server closed the connection"
	case errors.Is(err, errTooMalformed):
		return "server sent unreadable replies"
	case errors.As(err, &apiErr):
		return fmt.Sprintf("server error %d", apiErr.Major)
	case errors.Is(err, ErrConnectionLost):
		return "connection lost"
	}
	return "connection failed"
}

// untrusted reports whether err is a TLS certificate the client does not
// trust: retrying at the normal pace will not help.
func untrusted(err error) bool {
	var (
		unknown  x509.UnknownAuthorityError
		hostname x509.HostnameError
		invalid  x509.CertificateInvalidError
		verify   *tls.CertificateVerificationError
	)
	return errors.As(err, &unknown) || errors.As(err, &hostname) || errors.As(err, &invalid) || errors.As(err, &verify)
}

// permanent reports whether a connection failure will not fix itself at the
// normal reconnect pace: an untrusted certificate, or an HTTP 4xx answer
// (but for a timeout or too many requests).
func permanent(err error) bool {
	var httpErr *HTTPError
	if errors.As(err, &httpErr) {
		c := httpErr.Code
		return c >= 400 && c < 500 && c != http.StatusRequestTimeout && c != http.StatusTooManyRequests
	}
	return untrusted(err)
}
