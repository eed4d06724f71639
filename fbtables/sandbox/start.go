package sandbox

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"sync"
	"time"
)

// DefaultToken is the access token a sandbox accepts when Config.Token is
// empty.
const DefaultToken = "sandbox-token"

// Running is a sandbox served over HTTP on a listener of its own: the one
// way the CLI's --demo, `fbsql sandbox`, tests and the benchmark start one.
type Running struct {
	// URL is the base URL to give a Graph client (http://host:port).
	URL string
	// Token is the access token the sandbox accepts.
	Token string
	// Server is the handler, for its request log and statistics.
	Server *Server

	srv     *http.Server
	once    sync.Once
	err     error
	stopped chan struct{} // closed when Serve has returned
}

// Start serves a sandbox built from cfg on a free loopback port until
// Close is called or ctx ends.
func Start(ctx context.Context, cfg Config) (*Running, error) {
	return Listen(ctx, cfg, "127.0.0.1:0")
}

// Listen serves a sandbox built from cfg on addr until Close is called or
// ctx ends.
func Listen(ctx context.Context, cfg Config, addr string) (*Running, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("start sandbox on %s: %w", addr, err)
	}
	if cfg.Token == "" {
		cfg.Token = DefaultToken
	}
	sb := New(cfg)
	r := &Running{
		URL:     "http://" + ln.Addr().String(),
		Token:   cfg.Token,
		Server:  sb,
		srv:     &http.Server{Handler: sb, ReadHeaderTimeout: 10 * time.Second},
		stopped: make(chan struct{}),
	}
	go func() { r.srv.Serve(ln); close(r.stopped) }()
	stop := context.AfterFunc(ctx, func() { r.Close() })
	go func() { <-r.stopped; stop() }()
	return r, nil
}

// Close stops serving: it waits up to two seconds for requests in flight,
// then drops their connections. It returns once the listener is closed;
// calling it again (or after ctx ended) returns the first call's result.
func (r *Running) Close() error {
	r.once.Do(func() {
		shut, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		r.err = r.srv.Shutdown(shut)
		if errors.Is(r.err, context.DeadlineExceeded) {
			r.err = r.srv.Close()
		}
		<-r.stopped
	})
	return r.err
}
