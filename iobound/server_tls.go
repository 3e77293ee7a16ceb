package iobound

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"net"
	"net/http"
	"time"
)

// ErrTLS is wrapped by the error of a request whose TLS handshake failed: a
// certificate that no trusted root signed or that names another host, a
// server that answers in plain HTTP, an alert from the server. A handshake
// that takes longer than the request's timeout fails with ErrTimeout
// instead, as any request that does.
var ErrTLS = errors.New("iobound: TLS handshake failed")

// certLifetime is how long a generated certificate is valid: one run's
// worth, with an hour of slack before now for a clock that steps back.
const certLifetime = 24 * time.Hour

// NewCert generates a self-signed certificate for hosts (names or IP
// addresses), with a fresh ECDSA P-256 key, valid from an hour ago for a
// day. It returns the certificate with its key, for a server, and the
// certificate alone in PEM, which is what a client trusts (see CertPool).
// The key never leaves memory.
func NewCert(hosts ...string) (tls.Certificate, []byte, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return tls.Certificate{}, nil, fmt.Errorf("iobound: certificate key: %w", err)
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
	if err != nil {
		return tls.Certificate{}, nil, fmt.Errorf("iobound: certificate serial: %w", err)
	}
	now := time.Now()
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{Organization: []string{"conclab embedded server"}},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(certLifetime),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true, // self-signed: it is its own root
	}
	for _, h := range hosts {
		if ip := net.ParseIP(h); ip != nil {
			tmpl.IPAddresses = append(tmpl.IPAddresses, ip)
		} else {
			tmpl.DNSNames = append(tmpl.DNSNames, h)
		}
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return tls.Certificate{}, nil, fmt.Errorf("iobound: certificate: %w", err)
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		return tls.Certificate{}, nil, fmt.Errorf("iobound: certificate: %w", err)
	}
	certPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}, certPEM, nil
}

// CertPool returns a pool of the certificates in certPEM, for a client's
// RootCAs: the client then trusts those and nothing else. An empty certPEM
// returns nil, which a tls.Config reads as the system's roots; PEM that
// holds no certificate is an error.
func CertPool(certPEM []byte) (*x509.CertPool, error) {
	if len(certPEM) == 0 {
		return nil, nil
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(certPEM) {
		return nil, errors.New("iobound: no certificate in the PEM given")
	}
	return pool, nil
}

// serverTLS is the TLS configuration of the embedded server. It offers
// HTTP/1.1 only, as the original's sites are fetched with requests and
// aiohttp, which speak nothing else, and so every model does the same work
// on the wire.
func serverTLS(cert tls.Certificate) *tls.Config {
	return &tls.Config{
		Certificates: []tls.Certificate{cert},
		NextProtos:   []string{"http/1.1"},
		MinVersion:   tls.VersionTLS12,
	}
}

// WithTLS wraps err with ErrTLS when it is the failure of a TLS handshake,
// so that every model reports one the same way; any other error is
// returned as it is. net/http's "server gave HTTP response to HTTPS client"
// (http.ErrSchemeMismatch) is such a failure too.
func WithTLS(err error) error {
	if err == nil || errors.Is(err, ErrTLS) {
		return err
	}
	// The first bytes of the answer to a ClientHello read "HTTP/": net/http
	// names that case, and so does every model.
	if rh, ok := errors.AsType[tls.RecordHeaderError](err); ok && string(rh.RecordHeader[:]) == "HTTP/" {
		return fmt.Errorf("%w: %w (%w)", ErrTLS, http.ErrSchemeMismatch, err)
	}
	var (
		verify *tls.CertificateVerificationError
		record tls.RecordHeaderError
		alert  tls.AlertError
		unkCA  x509.UnknownAuthorityError
		host   x509.HostnameError
		inval  x509.CertificateInvalidError
	)
	switch {
	case errors.As(err, &verify), errors.As(err, &record), errors.As(err, &alert),
		errors.As(err, &unkCA), errors.As(err, &host), errors.As(err, &inval),
		errors.Is(err, http.ErrSchemeMismatch):
		return fmt.Errorf("%w: %w", ErrTLS, err)
	}
	// An alert the peer sent: crypto/tls reports it as a *net.OpError
	// whose Op is "remote error" (tls.AlertError is QUIC's).
	if op, ok := errors.AsType[*net.OpError](err); ok && op.Op == "remote error" {
		return fmt.Errorf("%w: %w", ErrTLS, err)
	}
	return err
}
