package pgwire

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"crypto/tls"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"sync"
	"time"

	"github.com/fbsql/fbsql"
)

// Config is what a Server needs.
type Config struct {
	// Sessions opens one fbsql session per client connection.
	Sessions *fbsql.Config
	// Password, when set, is required from every client with
	// SCRAM-SHA-256; when empty, clients are trusted (loopback only, see
	// CheckAddr).
	Password string
	// TLS, when set, is offered to clients that ask for it (sslmode).
	TLS *tls.Config
	// Log receives one line per connection error worth an operator's
	// attention; nil discards. It never receives passwords or tokens.
	Log io.Writer
	// StartupTimeout bounds how long a client may take to start up and
	// authenticate, so that silent connections do not pile up; 0 means
	// 30 s.
	StartupTimeout time.Duration
}

// Server accepts Postgres clients until its context ends.
type Server struct {
	cfg Config

	mu       sync.Mutex
	sessions map[uint32]*session // by process id, for cancel requests
	conns    map[net.Conn]struct{}
	wg       sync.WaitGroup
}

// New makes a server; Serve starts it.
func New(cfg Config) *Server {
	if cfg.Log == nil {
		cfg.Log = io.Discard
	}
	if cfg.StartupTimeout <= 0 {
		cfg.StartupTimeout = 30 * time.Second
	}
	return &Server{cfg: cfg, sessions: map[uint32]*session{}, conns: map[net.Conn]struct{}{}}
}

// CheckAddr refuses to listen beyond loopback without a password: anyone
// who can reach the port could spend the access token's quota and read
// the ad accounts.
func CheckAddr(addr, password string) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("--addr %q: %v; use host:port such as 127.0.0.1:5433", addr, err)
	}
	if password != "" {
		return nil
	}
	if ip := net.ParseIP(host); host == "localhost" || ip != nil && ip.IsLoopback() {
		return nil
	}
	return fmt.Errorf("--addr %s is not a loopback address and FBSQL_PASSWORD is not set; set a password or listen on 127.0.0.1", addr)
}

// Serve accepts connections on ln until ctx ends or ln is closed, then
// closes every connection and waits for their sessions to end.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	stop := context.AfterFunc(ctx, func() { ln.Close() })
	defer stop()
	var err error
	backoff := 5 * time.Millisecond
	for {
		var c net.Conn
		c, err = ln.Accept()
		if err != nil && ctx.Err() == nil && !errors.Is(err, net.ErrClosed) {
			// Out of file descriptors and the like: wait and accept again,
			// as net/http does, rather than drop every session.
			fmt.Fprintf(s.cfg.Log, "accept: %v; retrying in %v\n", err, backoff)
			time.Sleep(backoff)
			backoff = min(2*backoff, time.Second)
			continue
		}
		if err != nil {
			break
		}
		backoff = 5 * time.Millisecond
		s.mu.Lock()
		s.conns[c] = struct{}{}
		s.mu.Unlock()
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			s.handle(ctx, c)
			s.mu.Lock()
			delete(s.conns, c)
			s.mu.Unlock()
			c.Close()
		}()
	}
	s.mu.Lock()
	for c := range s.conns {
		c.Close()
	}
	for _, ss := range s.sessions {
		ss.cancelRunning()
	}
	s.mu.Unlock()
	s.wg.Wait()
	return nil
}

// Sessions is the number of client sessions open now.
func (s *Server) Sessions() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.sessions)
}

// register gives a session its process id and secret key, which a client
// quotes in a CancelRequest.
func (s *Server) register(ss *session) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for {
		var b [8]byte
		rand.Read(b[:])
		pid := binary.BigEndian.Uint32(b[:4]) & 0x7fffffff
		if _, taken := s.sessions[pid]; pid != 0 && !taken {
			ss.pid, ss.secret = pid, append([]byte(nil), b[4:]...)
			s.sessions[pid] = ss
			return
		}
	}
}

func (s *Server) unregister(ss *session) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.sessions[ss.pid] == ss {
		delete(s.sessions, ss.pid)
	}
}

// cancel stops the statement running in the session with this process id,
// if the secret key matches; like Postgres, it answers nothing either way.
func (s *Server) cancel(pid uint32, secret []byte) {
	s.mu.Lock()
	ss := s.sessions[pid]
	s.mu.Unlock()
	if ss != nil && subtle.ConstantTimeCompare(ss.secret, secret) == 1 {
		ss.cancelRunning()
	}
}
