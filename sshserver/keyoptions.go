package sshserver

import (
	"errors"
	"fmt"
	"net/netip"
	"strings"
	"time"
)

// keyEntry is one usable line of authorized_keys: a key and the options
// that limit it, as OpenSSH's sshd(8) reads them.
type keyEntry struct {
	// from lists the address patterns of from="..."; nil lets in any
	// address.
	from []string
	// expires is expiry-time="..."; zero never expires.
	expires time.Time
	// noPTY is set by no-pty or restrict (and cleared by a later pty): the
	// key may log in but cannot open the console, which needs a terminal.
	noPTY bool
	// comment is the line's comment (usually user@host), cleaned for a
	// screen or a log line: who holds the key.
	comment string
}

// permits says why the entry does not let ip in at now ("" when it does).
func (e keyEntry) permits(ip netip.Addr, now time.Time) string {
	if !e.expires.IsZero() && !now.Before(e.expires) {
		return "its expiry-time has passed"
	}
	if e.from != nil && !fromAllows(e.from, ip) {
		return "its from= list does not include " + ip.String()
	}
	return ""
}

// Options this server accepts without acting on them: they limit
// forwarding, user rc files, the environment and security-key touches,
// none of which the console offers.
var inertOptions = map[string]bool{
	"no-port-forwarding": true, "port-forwarding": true,
	"no-agent-forwarding": true, "agent-forwarding": true,
	"no-x11-forwarding": true, "x11-forwarding": true,
	"no-user-rc": true, "user-rc": true,
	"no-touch-required": true, "verify-required": true,
	"permitopen": true, "permitlisten": true, "environment": true, "tunnel": true,
}

// parseKeyOptions reads a line's options (as ssh.ParseAuthorizedKey
// returns them). An error refuses the line: an option that would grant
// less than the console, or one this server cannot honour, must not be
// ignored.
func parseKeyOptions(options []string) (keyEntry, error) {
	var e keyEntry
	for _, opt := range options {
		name, value, hasValue := strings.Cut(opt, "=")
		name = strings.ToLower(name)
		if hasValue {
			v, err := unquoteOption(value)
			if err != nil {
				return keyEntry{}, fmt.Errorf("option %s: %v", name, err)
			}
			value = v
		}
		switch {
		case name == "command":
			return keyEntry{}, errors.New("command= forces a command, and this server only runs the console")
		case name == "cert-authority":
			return keyEntry{}, errors.New("cert-authority: this server does not accept certificates")
		case name == "principals":
			return keyEntry{}, errors.New("principals= applies to certificates, which this server does not accept")
		case name == "from" && hasValue:
			patterns, err := parseFrom(value)
			if err != nil {
				return keyEntry{}, err
			}
			e.from = append(e.from, patterns...)
		case name == "expiry-time" && hasValue:
			t, err := parseExpiry(value)
			if err != nil {
				return keyEntry{}, err
			}
			if e.expires.IsZero() || t.Before(e.expires) {
				e.expires = t
			}
		case name == "restrict" && !hasValue:
			e.noPTY = true
		case name == "no-pty" && !hasValue:
			e.noPTY = true
		case name == "pty" && !hasValue:
			e.noPTY = false
		case inertOptions[name]:
		default:
			return keyEntry{}, fmt.Errorf("unknown option %q", cleanField(opt))
		}
	}
	return e, nil
}

// unquoteOption strips the double quotes around an option's value and
// undoes \" inside it, as sshd does.
func unquoteOption(v string) (string, error) {
	if len(v) < 2 || v[0] != '"' || v[len(v)-1] != '"' {
		return "", errors.New("the value must be in double quotes")
	}
	return strings.ReplaceAll(v[1:len(v)-1], `\"`, `"`), nil
}

// parseFrom splits a from= list and checks each pattern: an address
// pattern with * and ?, a CIDR block, either negated with a leading !.
// Host names are accepted but never match: like sshd's default (UseDNS
// no), the server does not look the client's address up.
func parseFrom(list string) ([]string, error) {
	var patterns []string
	for _, p := range strings.Split(list, ",") {
		p = strings.TrimSpace(p)
		bare := strings.TrimPrefix(p, "!")
		if bare == "" {
			return nil, fmt.Errorf("from=: empty pattern in %q", cleanField(list))
		}
		if strings.Contains(bare, "/") {
			if _, err := netip.ParsePrefix(bare); err != nil {
				return nil, fmt.Errorf("from=: %q is not an address block", cleanField(bare))
			}
		}
		patterns = append(patterns, strings.ToLower(p))
	}
	return patterns, nil
}

// fromAllows applies a from= list to ip: a negated pattern that matches
// refuses, otherwise any matching pattern admits.
func fromAllows(patterns []string, ip netip.Addr) bool {
	if !ip.IsValid() {
		return false
	}
	addr := ip.String()
	allowed := false
	for _, p := range patterns {
		negated := strings.HasPrefix(p, "!")
		p = strings.TrimPrefix(p, "!")
		var hit bool
		if strings.Contains(p, "/") {
			prefix, err := netip.ParsePrefix(p)
			hit = err == nil && prefix.Contains(ip)
		} else {
			hit = wildcardMatch(p, addr)
		}
		if hit && negated {
			return false
		}
		allowed = allowed || hit
	}
	return allowed
}

// wildcardMatch matches s against a pattern where * is any run of
// characters and ? any one character.
func wildcardMatch(pattern, s string) bool {
	star, resume := -1, 0
	i, j := 0, 0
	for j < len(s) {
		switch {
		case i < len(pattern) && (pattern[i] == '?' || pattern[i] == s[j]):
			i++
			j++
		case i < len(pattern) && pattern[i] == '*':
			star, resume = i, j
			i++
		case star >= 0:
			resume++
			i, j = star+1, resume
		default:
			return false
		}
	}
	for i < len(pattern) && pattern[i] == '*' {
		i++
	}
	return i == len(pattern)
}

// parseExpiry reads expiry-time's YYYYMMDD[HHMM[SS]], in the server's
// time zone unless it ends in Z (UTC), as sshd does.
func parseExpiry(v string) (time.Time, error) {
	loc := time.Local
	if s, ok := strings.CutSuffix(v, "Z"); ok {
		v, loc = s, time.UTC
	}
	layouts := map[int]string{8: "20060102", 12: "200601021504", 14: "20060102150405"}
	layout, ok := layouts[len(v)]
	if !ok {
		return time.Time{}, fmt.Errorf("expiry-time=%q: want YYYYMMDD, YYYYMMDDHHMM or YYYYMMDDHHMMSS", cleanField(v))
	}
	t, err := time.ParseInLocation(layout, v, loc)
	if err != nil {
		return time.Time{}, fmt.Errorf("expiry-time=%q: not a date and time", cleanField(v))
	}
	return t, nil
}
