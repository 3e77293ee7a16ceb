package testserver

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// opensslTimeout bounds the generation of a certificate.
const opensslTimeout = 30 * time.Second

// NginxTLS starts nginx as Nginx does, with a second listener on another
// free port of 127.0.0.1 that speaks TLS (listen ... ssl), serving the same
// locations. Its certificate is self-signed, ECDSA P-256, for 127.0.0.1 and
// localhost, made for this test by openssl (Debian's openssl package) in
// the test's directory. TLSURL is that listener's base URL and CertPEM the
// certificate a client trusts to reach it; URL stays plain http.
func NginxTLS(t testing.TB) *NginxServer {
	t.Helper()
	bin := binary(t, "nginx", "apt-get install nginx-light")
	openssl := binary(t, "openssl", "apt-get install openssl")
	n := &NginxServer{openssl: openssl}
	n.Server = start(t, "nginx", n.attempt(bin))
	return n
}

// makeCert writes cert.pem and key.pem to dir with openssl and returns the
// certificate.
func makeCert(openssl, dir string) ([]byte, error) {
	ctx, cancel := context.WithTimeout(context.Background(), opensslTimeout)
	defer cancel()
	cert, key := filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	cmd := exec.CommandContext(ctx, openssl, "req", "-x509",
		"-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
		"-keyout", key, "-out", cert, "-days", "1",
		"-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost")
	if out, err := cmd.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("openssl req: %w: %s", err, out)
	}
	return os.ReadFile(cert)
}

// TLSURLWithPassword returns the TLS listener's URL of path with user and
// password in it, https://user:password@127.0.0.1:PORT/path.
func (n *NginxServer) TLSURLWithPassword(path, user, password string) string {
	u := url.URL{Scheme: "https", User: url.UserPassword(user, password), Host: strings.TrimPrefix(n.TLSURL, "https://"), Path: path}
	return u.String()
}
