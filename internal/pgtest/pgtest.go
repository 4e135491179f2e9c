// Package pgtest runs a real, throwaway PostgreSQL server for tests: initdb
// and pg_ctl on a temporary folder, reached over a unix socket in that
// folder (no port to collide with another test run), with an empty database
// per test and, for tests that cut the network, a loopback TCP proxy.
//
// One server serves a whole test binary: it starts on the first call to
// NewDatabase and stops in Main, which the package's TestMain calls. As
// root (CI) the server runs as the postgres user, because initdb refuses
// root. Without PostgreSQL installed the tests that need it are skipped,
// naming the package to install; with CI=true they fail instead.
package pgtest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// Package is the Debian package that provides the server.
const Package = "postgresql"

// ErrNotInstalled is returned by Start when no PostgreSQL server binaries
// can be found.
var ErrNotInstalled = errors.New("PostgreSQL is not installed (apt-get install " + Package + ")")

// superuser is the role initdb creates; every test connects as it.
const superuser = "postgres"

// Server is a running throwaway cluster.
type Server struct {
	bin    string // folder holding initdb, pg_ctl and postgres
	dir    string // the temporary folder: data/, the socket and the log
	runAs  *user.User
	nextDB atomic.Int64
}

// Start creates a cluster in a new temporary folder and starts it. Stop
// removes both.
func Start() (*Server, error) {
	bin, err := findBinaries()
	if err != nil {
		return nil, err
	}
	s := &Server{bin: bin}
	if os.Geteuid() == 0 {
		u, err := user.Lookup("postgres")
		if err != nil {
			return nil, fmt.Errorf("pgtest: running as root needs a postgres user to run the server as (the %s package creates it): %w", Package, err)
		}
		s.runAs = u
	}
	// A short folder name: the socket's path must fit in 107 bytes.
	s.dir, err = os.MkdirTemp("", "fdpg-")
	if err != nil {
		return nil, fmt.Errorf("pgtest: %w", err)
	}
	if err := s.own(s.dir); err != nil {
		os.RemoveAll(s.dir)
		return nil, err
	}
	data := filepath.Join(s.dir, "data")
	if out, err := s.run("initdb", "--pgdata", data, "--username", superuser, "--auth", "trust",
		"--encoding", "UTF8", "--locale", "C", "--no-sync"); err != nil {
		os.RemoveAll(s.dir)
		return nil, fmt.Errorf("pgtest: initdb: %w\n%s", err, out)
	}
	// Durability is worth nothing in a throwaway cluster; speed is.
	conf := strings.Join([]string{
		"listen_addresses = ''",
		"unix_socket_directories = '" + s.dir + "'",
		"fsync = off",
		"synchronous_commit = off",
		"full_page_writes = off",
		"max_connections = 200",
		"shared_buffers = 16MB",
	}, "\n") + "\n"
	f, err := os.OpenFile(filepath.Join(data, "postgresql.conf"), os.O_APPEND|os.O_WRONLY, 0)
	if err == nil {
		_, err = f.WriteString(conf)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
	}
	if err != nil {
		os.RemoveAll(s.dir)
		return nil, fmt.Errorf("pgtest: %w", err)
	}
	if err := s.start(); err != nil {
		os.RemoveAll(s.dir)
		return nil, err
	}
	return s, nil
}

func (s *Server) start() error {
	out, err := s.run("pg_ctl", "start", "--pgdata", filepath.Join(s.dir, "data"), "--wait",
		"--log", filepath.Join(s.dir, "server.log"), "--timeout", "60")
	if err != nil {
		log, _ := os.ReadFile(filepath.Join(s.dir, "server.log"))
		return fmt.Errorf("pgtest: pg_ctl start: %w\n%s\n%s", err, out, log)
	}
	return nil
}

// Stop stops the server at once and removes its folder.
func (s *Server) Stop() error {
	out, err := s.run("pg_ctl", "stop", "--pgdata", filepath.Join(s.dir, "data"), "--mode", "immediate", "--wait")
	if rerr := os.RemoveAll(s.dir); err == nil && rerr != nil {
		return fmt.Errorf("pgtest: %w", rerr)
	}
	if err != nil {
		return fmt.Errorf("pgtest: pg_ctl stop: %w\n%s", err, out)
	}
	return nil
}

// URL is the connection URL of database name on this server.
func (s *Server) URL(name string) string {
	q := url.Values{"host": {s.dir}}
	return (&url.URL{Scheme: "postgres", User: url.User(superuser), Path: "/" + name, RawQuery: q.Encode()}).String()
}

// CreateDatabase creates an empty database and returns its name.
func (s *Server) CreateDatabase(ctx context.Context) (string, error) {
	name := fmt.Sprintf("test_%d_%d", os.Getpid(), s.nextDB.Add(1))
	if err := s.admin(ctx, "CREATE DATABASE "+name+" TEMPLATE template0"); err != nil {
		return "", err
	}
	return name, nil
}

// admin runs one statement on the maintenance database.
func (s *Server) admin(ctx context.Context, sql string, args ...any) error {
	conn, err := pgx.Connect(ctx, s.URL("postgres"))
	if err != nil {
		return fmt.Errorf("pgtest: %w", err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, sql, args...); err != nil {
		return fmt.Errorf("pgtest: %s: %w", sql, err)
	}
	return nil
}

// run runs one of the server's programs, as the postgres user when root.
func (s *Server) run(program string, args ...string) ([]byte, error) {
	path := filepath.Join(s.bin, program)
	var cmd *exec.Cmd
	if s.runAs != nil {
		cmd = exec.Command("runuser", append([]string{"-u", s.runAs.Username, "--", path}, args...)...)
	} else {
		cmd = exec.Command(path, args...)
	}
	cmd.Dir = s.dir
	return cmd.CombinedOutput()
}

// own gives dir to the user the server runs as.
func (s *Server) own(dir string) error {
	if s.runAs == nil {
		return nil
	}
	uid, err1 := strconv.Atoi(s.runAs.Uid)
	gid, err2 := strconv.Atoi(s.runAs.Gid)
	if err := errors.Join(err1, err2); err != nil {
		return fmt.Errorf("pgtest: postgres user: %w", err)
	}
	if err := os.Chown(dir, uid, gid); err != nil {
		return fmt.Errorf("pgtest: %w", err)
	}
	return nil
}

// debianBinaries is where Debian's postgresql package puts each version's
// programs.
var debianBinaries = "/usr/lib/postgresql/*/bin/pg_ctl"

// findBinaries returns the folder of pg_ctl: the one on PATH, else the
// newest of Debian's /usr/lib/postgresql/VERSION/bin.
func findBinaries() (string, error) {
	if p, err := exec.LookPath("pg_ctl"); err == nil {
		if real, err := filepath.EvalSymlinks(p); err == nil {
			p = real
		}
		dir := filepath.Dir(p)
		if _, err := os.Stat(filepath.Join(dir, "initdb")); err == nil {
			return dir, nil
		}
	}
	found, _ := filepath.Glob(debianBinaries)
	if len(found) == 0 {
		return "", ErrNotInstalled
	}
	version := func(p string) int {
		v, _ := strconv.Atoi(filepath.Base(filepath.Dir(filepath.Dir(p))))
		return v
	}
	sort.Slice(found, func(i, j int) bool { return version(found[i]) > version(found[j]) })
	return filepath.Dir(found[0]), nil
}

// The server the test binary shares.
var (
	shared    *Server
	sharedErr error
	startOnce sync.Once
)

// Database is an empty database of its own for one test.
type Database struct {
	Name string
	URL  string
	srv  *Server
}

// NewDatabase returns a new empty database on the test binary's server,
// starting the server on first use. Without PostgreSQL it skips the test,
// or fails it when CI=true.
func NewDatabase(tb testing.TB) *Database {
	tb.Helper()
	startOnce.Do(func() {
		start := time.Now()
		shared, sharedErr = Start()
		if sharedErr == nil && testing.Verbose() {
			fmt.Fprintf(os.Stderr, "pgtest: PostgreSQL started in %v\n", time.Since(start).Round(time.Millisecond))
		}
	})
	if errors.Is(sharedErr, ErrNotInstalled) && os.Getenv("CI") != "true" {
		tb.Skipf("skipped: %v", sharedErr)
	}
	if sharedErr != nil {
		tb.Fatal(sharedErr)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	name, err := shared.CreateDatabase(ctx)
	if err != nil {
		tb.Fatal(err)
	}
	return &Database{Name: name, URL: shared.URL(name), srv: shared}
}

// Main runs the tests and then stops the shared server, if one started:
//
//	func TestMain(m *testing.M) { pgtest.Main(m) }
func Main(m *testing.M) {
	code := m.Run()
	if shared != nil {
		if err := shared.Stop(); err != nil {
			fmt.Fprintln(os.Stderr, err)
			if code == 0 {
				code = 1
			}
		}
	}
	os.Exit(code)
}

// Proxy is a loopback TCP port in front of one database: a URL over TCP,
// and a network that the test can cut (connections reset, new ones
// refused) and mend.
type Proxy struct {
	db    *Database
	addr  string
	mu    sync.Mutex
	ln    net.Listener
	conns map[net.Conn]struct{}
}

// Proxy starts a proxy to the database on a free loopback port; it is
// closed when the test ends.
func (d *Database) Proxy(tb testing.TB) *Proxy {
	tb.Helper()
	p := &Proxy{db: d, conns: map[net.Conn]struct{}{}}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	p.addr = ln.Addr().String()
	p.serve(ln)
	tb.Cleanup(p.Cut)
	return p
}

// URL is the database's URL through the proxy, with a password (which the
// server, trusting every local connection, does not check).
func (p *Proxy) URL() string {
	return "postgres://" + superuser + ":" + ProxyPassword + "@" + p.addr + "/" + p.db.Name + "?sslmode=disable"
}

// ProxyPassword is the password in Proxy.URL, for tests that check it is
// never shown.
const ProxyPassword = "Pr0xy-s3cret"

// Cut closes the port and every connection through it.
func (p *Proxy) Cut() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.ln != nil {
		p.ln.Close()
		p.ln = nil
	}
	for c := range p.conns {
		c.Close()
		delete(p.conns, c)
	}
}

// Mend opens the port again.
func (p *Proxy) Mend(tb testing.TB) {
	tb.Helper()
	ln, err := net.Listen("tcp", p.addr)
	if err != nil {
		tb.Fatal(err)
	}
	p.serve(ln)
}

func (p *Proxy) serve(ln net.Listener) {
	p.mu.Lock()
	p.ln = ln
	p.mu.Unlock()
	socket := filepath.Join(p.db.srv.dir, ".s.PGSQL.5432")
	go func() {
		for {
			client, err := ln.Accept()
			if err != nil {
				return
			}
			server, err := net.Dial("unix", socket)
			if err != nil {
				client.Close()
				continue
			}
			if !p.track(client, server) {
				return
			}
			go func() { io.Copy(server, client); server.Close() }()
			go func() { io.Copy(client, server); client.Close() }()
		}
	}()
}

// track remembers a pair of connections for Cut, unless the proxy was cut
// meanwhile.
func (p *Proxy) track(conns ...net.Conn) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.ln == nil {
		for _, c := range conns {
			c.Close()
		}
		return false
	}
	for _, c := range conns {
		p.conns[c] = struct{}{}
	}
	return true
}
