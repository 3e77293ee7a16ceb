package testserver

import (
	"bufio"
	"bytes"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"text/template"
	"time"
)

// What nginx serves besides the site's pages. A prefix (Plain, Chunked,
// GzipAlways, Private) is put before a page's path: NginxPlain + PathBig.
const (
	// NginxPlain serves the pages with gzip off, with Content-Length.
	NginxPlain = "/plain"
	// NginxChunked serves the pages with gzip off and chunked transfer
	// encoding: server-side includes are on there, which makes nginx drop
	// the Content-Length it would otherwise send.
	NginxChunked = "/chunked"
	// NginxGzipAlways sends the pages' precompressed copies to every
	// client, whether it asked for gzip or not (gzip_static always), as
	// some servers and CDNs do.
	NginxGzipAlways = "/gzip-always"
	// NginxPrivate serves the pages only to NginxUser with NginxPassword,
	// by basic authentication; to anyone else it answers 401.
	NginxPrivate = "/private"
	// NginxChain redirects three times, 301 then 302 (with a relative
	// Location) then 307, to PathBig.
	NginxChain = "/chain/301"
	// NginxLoop redirects to itself, for ever.
	NginxLoop = "/loop"

	NginxUser     = "conclab"
	NginxPassword = "open-sesame-42"

	// NginxWorkerConnections is nginx's default worker_connections, stated
	// in the configuration: the most connections the server holds at once,
	// its listening socket included.
	NginxWorkerConnections = 512
)

// NginxRedirectStatuses are the statuses of NginxRedirect, every redirect
// status that net/http follows.
var NginxRedirectStatuses = []int{301, 302, 303, 307, 308}

// NginxRedirect is a path answered with status and Location PathSmall.
func NginxRedirect(status int) string { return "/redirect/" + strconv.Itoa(status) }

// NginxServer is nginx serving the site with gzip on, redirects, a private
// location and an access log that tests can read.
type NginxServer struct {
	*Server
	// TLSURL is the base URL of the TLS listener, "https://127.0.0.1:PORT",
	// and CertPEM its certificate; both empty unless NginxTLS started it.
	TLSURL  string
	CertPEM []byte

	accessLog string
	marks     int
	openssl   string // NginxTLS: the openssl binary; "" for no TLS listener
}

// Nginx starts nginx (Debian's nginx-light is enough) for the test, on a
// free port of 127.0.0.1, with a configuration in a temporary directory:
// one process (master_process off) in the foreground, its pid file,
// temporary files and logs in that directory, gzip on for text/html of at
// least 20 bytes, NginxWorkerConnections, and the locations above. It is
// killed when the test ends.
func Nginx(t testing.TB) *NginxServer {
	t.Helper()
	bin := binary(t, "nginx", "apt-get install nginx-light")
	n := &NginxServer{}
	n.Server = start(t, "nginx", n.attempt(bin))
	return n
}

// attempt starts nginx on port, as n.
func (n *NginxServer) attempt(bin string) attempt {
	return func(t testing.TB, port int) (*Server, error) {
		s := &Server{Name: "nginx", URL: fmt.Sprintf("http://127.0.0.1:%d", port), Dir: t.TempDir()}
		n.accessLog = filepath.Join(s.Dir, "access.log")
		s.logs = []string{filepath.Join(s.Dir, "error.log")}
		token := newToken()
		tlsPort := 0
		if n.openssl != "" {
			var err error
			if n.CertPEM, err = makeCert(n.openssl, s.Dir); err != nil {
				return nil, err
			}
			if tlsPort, err = freePort(); err != nil {
				return nil, err
			}
			n.TLSURL = fmt.Sprintf("https://127.0.0.1:%d", tlsPort)
		}
		if err := writeNginxFiles(s.Dir, port, tlsPort, token); err != nil {
			return nil, err
		}
		// -p keeps any relative path nginx might use inside the directory.
		// (Until it has read the configuration, nginx logs to the error log
		// it was built with: Debian's is stderr, which goes to output.log.)
		argv := []string{bin, "-p", s.Dir + "/", "-c", "nginx.conf"}
		return s.run(argv, httpProbe(s.URL+pathReady, token))
	}
}

// URLWithPassword returns the URL of path with user and password in it,
// http://user:password@127.0.0.1:PORT/path.
func (s *Server) URLWithPassword(path, user, password string) string {
	u := url.URL{Scheme: "http", User: url.UserPassword(user, password), Host: s.Addr(), Path: path}
	return u.String()
}

// A Request is one request as nginx's access log records it.
type Request struct {
	Method string
	URI    string // as requested, with the query
	Status int
	// ContentEncoding is the response's Content-Encoding, "" for none:
	// "gzip" shows that the client asked for gzip (or that the location
	// sends it anyway).
	ContentEncoding string
	// User is the basic-auth user the client sent, "" for none.
	User string
	// BodyBytes is the body nginx sent, after compression.
	BodyBytes int64
}

// String shows the request as a line of a log: "GET /big.html 200 gzip
// 751 bytes user conclab", the encoding and user left out when empty.
func (r Request) String() string {
	s := fmt.Sprintf("%s %s %d", r.Method, r.URI, r.Status)
	if r.ContentEncoding != "" {
		s += " " + r.ContentEncoding
	}
	s += fmt.Sprintf(" %d bytes", r.BodyBytes)
	if r.User != "" {
		s += " user " + r.User
	}
	return s
}

// Requests returns every request nginx has finished, in the order it
// finished them, leaving out the ones this package made (the readiness
// probe and Requests' own mark).
//
// nginx writes a request's log line when it finishes the request, and it
// finishes requests one at a time on its one thread: so Requests first
// sends a request of its own, a mark, and reads the log once the mark's
// line is in it, at which point every request that was answered before it
// is there too.
func (n *NginxServer) Requests(t testing.TB) []Request {
	t.Helper()
	n.marks++
	mark := fmt.Sprintf("%s?mark=%d", pathReady, n.marks)
	resp, err := http.Get(n.URL + mark)
	if err != nil {
		t.Fatalf("testserver: nginx log mark: %v", err)
	}
	resp.Body.Close()
	// net/http's default client keeps the connection for later; this
	// package's requests leave none behind.
	http.DefaultClient.CloseIdleConnections()

	deadline := time.Now().Add(startTimeout)
	for {
		data, err := os.ReadFile(n.accessLog)
		if err != nil {
			t.Fatalf("testserver: nginx access log: %v", err)
		}
		if reqs, found, err := parseAccessLog(data, mark); err != nil {
			t.Fatalf("testserver: nginx access log: %v", err)
		} else if found {
			return reqs
		}
		if time.Now().After(deadline) {
			t.Fatalf("testserver: nginx logged no %s within %v", mark, startTimeout)
		}
		time.Sleep(probeInterval)
	}
}

// parseAccessLog parses the log lines before the one for mark, and reports
// whether that one was found.
func parseAccessLog(data []byte, mark string) (reqs []Request, found bool, err error) {
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		f := strings.Split(sc.Text(), "\t")
		if len(f) != 6 {
			return nil, false, fmt.Errorf("%d fields in %q, want 6", len(f), sc.Text())
		}
		if f[1] == mark {
			return reqs, true, nil
		}
		if strings.HasPrefix(f[1], pathReady) {
			continue
		}
		r := Request{Method: f[0], URI: f[1], ContentEncoding: dash(f[3]), User: dash(f[5])}
		if r.Status, err = strconv.Atoi(f[2]); err != nil {
			return nil, false, fmt.Errorf("status in %q: %w", sc.Text(), err)
		}
		if r.BodyBytes, err = strconv.ParseInt(f[4], 10, 64); err != nil {
			return nil, false, fmt.Errorf("bytes in %q: %w", sc.Text(), err)
		}
		reqs = append(reqs, r)
	}
	return reqs, false, sc.Err()
}

// dash turns nginx's "-" for an empty variable back into "".
func dash(s string) string {
	if s == "-" {
		return ""
	}
	return s
}

// writeNginxFiles writes the site, the password file and the configuration.
// tlsPort, when not 0, adds a TLS listener with dir's cert.pem and key.pem.
func writeNginxFiles(dir string, port, tlsPort int, token string) error {
	site := filepath.Join(dir, "site")
	if err := writeSite(site, token); err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Join(dir, "tmp"), 0o755); err != nil {
		return err
	}
	// nginx reads a plain-text password after the {PLAIN} scheme prefix.
	htpasswd := NginxUser + ":{PLAIN}" + NginxPassword + "\n"
	if err := os.WriteFile(filepath.Join(dir, "htpasswd"), []byte(htpasswd), 0o644); err != nil {
		return err
	}
	var conf bytes.Buffer
	err := nginxConf.Execute(&conf, map[string]any{
		"Dir":         dir,
		"Site":        site,
		"Port":        port,
		"TLSPort":     tlsPort,
		"Connections": NginxWorkerConnections,
		"Redirects":   NginxRedirectStatuses,
		"Small":       PathSmall,
		"Big":         PathBig,
		"Plain":       NginxPlain,
		"Chunked":     NginxChunked,
		"GzipAlways":  NginxGzipAlways,
		"Private":     NginxPrivate,
		"Loop":        NginxLoop,
		// nginx started by root runs its workers as "nobody", who cannot
		// read a test's temporary directory. With master_process off there
		// are no workers, but the configuration says so should that change.
		"Root": os.Geteuid() == 0,
	})
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, "nginx.conf"), conf.Bytes(), 0o644)
}

// nginxConf is the whole configuration: nothing is read from /etc/nginx,
// and nothing is written outside the test's directory.
var nginxConf = template.Must(template.New("nginx.conf").Parse(`# Written by conclab/internal/testserver for one test.
daemon off;
master_process off;
{{if .Root}}user root;
{{end -}}
pid "{{.Dir}}/nginx.pid";
error_log "{{.Dir}}/error.log" notice;

events {
	worker_connections {{.Connections}};
}

http {
	types {
		text/html html;
		text/plain txt;
	}
	default_type application/octet-stream;

	log_format conformance '$request_method\t$request_uri\t$status\t$sent_http_content_encoding\t$body_bytes_sent\t$remote_user';
	access_log "{{.Dir}}/access.log" conformance;

	client_body_temp_path "{{.Dir}}/tmp/client_body";
	proxy_temp_path "{{.Dir}}/tmp/proxy";
	fastcgi_temp_path "{{.Dir}}/tmp/fastcgi";
	uwsgi_temp_path "{{.Dir}}/tmp/uwsgi";
	scgi_temp_path "{{.Dir}}/tmp/scgi";

	# text/html is always among gzip_types.
	gzip on;
	gzip_types text/plain;
	gzip_min_length 20;

	server {
		listen 127.0.0.1:{{.Port}};
{{- if .TLSPort}}
		listen 127.0.0.1:{{.TLSPort}} ssl;
		ssl_certificate "{{.Dir}}/cert.pem";
		ssl_certificate_key "{{.Dir}}/key.pem";
{{- end}}
		root "{{.Site}}";

		location / {
		}
		location {{.Plain}}/ {
			alias "{{.Site}}/";
			gzip off;
		}
		location {{.Chunked}}/ {
			alias "{{.Site}}/";
			gzip off;
			ssi on;
		}
		location {{.GzipAlways}}/ {
			alias "{{.Site}}/";
			gzip_static always;
		}
		location {{.Private}}/ {
			auth_basic "conclab";
			auth_basic_user_file "{{.Dir}}/htpasswd";
		}
{{- range .Redirects}}
		location = /redirect/{{.}} {
			return {{.}} {{$.Small}};
		}
{{- end}}
		location = /chain/301 {
			return 301 /chain/302;
		}
		location = /chain/302 {
			absolute_redirect off;
			return 302 /chain/307;
		}
		location = /chain/307 {
			return 307 {{.Big}};
		}
		location = {{.Loop}} {
			return 302 {{.Loop}};
		}
	}
}
`))
