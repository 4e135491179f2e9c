package config

import (
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"runtime"
	"strings"
)

// SMTP is the [smtp] section: the server that mails messages to the people
// they are for. The zero value means messages are not mailed.
type SMTP struct {
	Server       string // host or host:port
	From         string // the address mail is sent from
	User         string // empty: no authentication
	PasswordFile string // a file holding the password, readable by its owner only
	TLS          string // starttls (the default), tls or none
}

// Enabled reports whether messages are to be mailed.
func (s SMTP) Enabled() bool { return s.Server != "" }

type fileSMTP struct {
	Server       string `toml:"server"`
	From         string `toml:"from"`
	User         string `toml:"user"`
	PasswordFile string `toml:"password_file"`
	TLS          string `toml:"tls"`
}

type fileWebhook struct {
	URL string `toml:"url"`
}

// checkMail checks the file's [smtp] and [webhook] sections; abs makes the
// password file's path absolute.
func (f *fileConfig) checkMail(abs func(string) string) error {
	if s := f.SMTP; s != nil {
		smtp := SMTP{Server: s.Server, From: s.From, User: s.User, PasswordFile: abs(s.PasswordFile), TLS: s.TLS}
		switch {
		case smtp.Server == "":
			return errors.New("[smtp]: server is not set: e.g. server = \"mail.example.com:587\"")
		case smtp.From == "":
			return errors.New("[smtp]: from is not set: the address messages are sent from, e.g. from = \"frontdesk@example.com\"")
		case smtp.User != "" && smtp.PasswordFile == "":
			return errors.New("[smtp]: user is set without password_file: put the password in a file only you can read (chmod 600) and name it")
		}
		switch strings.ToLower(smtp.TLS) {
		case "", "starttls":
			smtp.TLS = "starttls"
		case "tls", "none":
			smtp.TLS = strings.ToLower(smtp.TLS)
		default:
			return fmt.Errorf("[smtp]: tls = %q: use \"starttls\" (port 587), \"tls\" (port 465) or \"none\"", smtp.TLS)
		}
		f.smtp = smtp
	}
	if w := f.Webhook; w != nil {
		u, err := url.Parse(w.URL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return errors.New("[webhook]: url must be an http:// or https:// address")
		}
		f.webhookURL = w.URL
	}
	return nil
}

// maxPasswordFile bounds what is read of the SMTP password file.
const maxPasswordFile = 4096

// ReadSMTPPassword reads the [smtp] password file: one line, readable by
// its owner only. Its errors never contain the password.
func (s SMTP) ReadSMTPPassword() (string, error) {
	if s.PasswordFile == "" {
		return "", nil
	}
	f, err := os.Open(s.PasswordFile)
	if err != nil {
		return "", fmt.Errorf("[smtp] password_file %s: cannot open it", s.PasswordFile)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil || !st.Mode().IsRegular() {
		return "", fmt.Errorf("[smtp] password_file %s: not a regular file", s.PasswordFile)
	}
	if runtime.GOOS != "windows" && st.Mode().Perm()&0o077 != 0 {
		return "", fmt.Errorf("[smtp] password_file %s is open to other users (mode %04o): run chmod 600 %s",
			s.PasswordFile, st.Mode().Perm(), s.PasswordFile)
	}
	data, err := io.ReadAll(io.LimitReader(f, maxPasswordFile+1))
	if err != nil || len(data) > maxPasswordFile {
		return "", fmt.Errorf("[smtp] password_file %s: cannot read it, or it is too large to hold one password", s.PasswordFile)
	}
	password := strings.TrimRight(string(data), "\r\n")
	if strings.ContainsAny(password, "\r\n") {
		return "", fmt.Errorf("[smtp] password_file %s holds more than one line", s.PasswordFile)
	}
	return password, nil
}
