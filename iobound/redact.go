package iobound

import (
	"net/url"
	"strings"
)

// Redact returns raw with the password of its user information replaced by
// "xxxxx", as url.URL.Redacted does, so that a URL with credentials can be
// printed in an error, a table or a timeline. A URL that does not parse is
// redacted by hand: everything between "://" and the last "@" before the
// path after the first ":" is replaced.
func Redact(raw string) string {
	if u, err := url.Parse(raw); err == nil {
		if _, ok := u.User.Password(); !ok {
			return raw // as given, not re-encoded
		}
		return u.Redacted()
	}
	scheme, rest, ok := strings.Cut(raw, "://")
	if !ok {
		return raw
	}
	authority, path := rest, ""
	if i := strings.IndexAny(rest, "/?#"); i >= 0 {
		authority, path = rest[:i], rest[i:]
	}
	at := strings.LastIndex(authority, "@")
	if at < 0 {
		return raw
	}
	user, _, hasPass := strings.Cut(authority[:at], ":")
	if !hasPass {
		return raw
	}
	return scheme + "://" + user + ":xxxxx" + authority[at:] + path
}
