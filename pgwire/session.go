package pgwire

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"sync"
	"time"

	"github.com/jackc/pgx/v5/pgproto3"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/fbsql/fbsql"
)

// session is one client connection: its own fbsql session, its prepared
// statements and portals, and the statement running now.
type session struct {
	srv  *Server
	be   *pgproto3.Backend
	db   *fbsql.DB
	user string
	app  string
	// types encodes and decodes values; a pgtype.Map is not safe for
	// concurrent use, so each session has its own.
	types *pgtype.Map

	pid    uint32
	secret []byte // 4 bytes, as protocol 3.0 clients expect

	mu      sync.Mutex
	running context.CancelFunc // of the statement running now, if any

	stmts      map[string]*prepared
	portals    map[string]*portal
	inTx       bool
	skipToSync bool // an extended-protocol error discards messages until Sync
}

// handle serves one connection from startup to Terminate or a dropped
// connection.
func (s *Server) handle(ctx context.Context, c net.Conn) {
	c.SetDeadline(time.Now().Add(s.cfg.StartupTimeout))
	c, be, start := s.startup(ctx, c)
	if start == nil {
		return
	}
	ss := &session{srv: s, be: be, user: start.Parameters["user"], app: start.Parameters["application_name"],
		types: pgtype.NewMap(), stmts: map[string]*prepared{}, portals: map[string]*portal{}}
	if s.cfg.Password != "" {
		if err := authenticate(be, s.cfg.Password); err != nil {
			if errors.Is(err, errBadPassword) {
				ss.fatal("28P01", fmt.Sprintf("password authentication failed for user %q", ss.user))
				fmt.Fprintf(s.cfg.Log, "password authentication failed for user %q from %s\n", ss.user, c.RemoteAddr())
			}
			return
		}
	}
	c.SetDeadline(time.Time{})
	be.Send(&pgproto3.AuthenticationOk{})
	db, err := s.cfg.Sessions.Open(ctx)
	if err != nil {
		ss.fatal("08004", err.Error())
		return
	}
	ss.db = db
	defer db.Close()
	if err := be.Flush(); err != nil { // what authentication sent, before the backend changes
		return
	}
	s.register(ss)
	defer s.unregister(ss)
	stop := ss.watch(c)
	defer stop()
	for _, p := range serverParams(ss.app) {
		ss.be.Send(&pgproto3.ParameterStatus{Name: p[0], Value: p[1]})
	}
	ss.be.Send(&pgproto3.BackendKeyData{ProcessID: ss.pid, SecretKey: ss.secret})
	ss.ready()
	if err := ss.be.Flush(); err != nil {
		return
	}
	ss.loop(ctx)
}

// startup answers SSL and GSS requests and cancel requests until the
// client's StartupMessage arrives; it returns a nil message when the
// connection is done (a cancel request, an error).
func (s *Server) startup(ctx context.Context, c net.Conn) (net.Conn, *pgproto3.Backend, *pgproto3.StartupMessage) {
	be := pgproto3.NewBackend(c, c)
	for {
		msg, err := be.ReceiveStartupMessage()
		if err != nil {
			return c, be, nil
		}
		switch m := msg.(type) {
		case *pgproto3.SSLRequest:
			if s.cfg.TLS == nil {
				if _, err := c.Write([]byte("N")); err != nil {
					return c, be, nil
				}
				continue
			}
			if _, err := c.Write([]byte("S")); err != nil {
				return c, be, nil
			}
			tc := tls.Server(c, s.cfg.TLS)
			if err := tc.HandshakeContext(ctx); err != nil {
				fmt.Fprintf(s.cfg.Log, "tls handshake with %s: %v\n", c.RemoteAddr(), err)
				return c, be, nil
			}
			c, be = tc, pgproto3.NewBackend(tc, tc)
		case *pgproto3.GSSEncRequest:
			if _, err := c.Write([]byte("N")); err != nil {
				return c, be, nil
			}
		case *pgproto3.CancelRequest:
			s.cancel(m.ProcessID, m.SecretKey)
			return c, be, nil
		case *pgproto3.StartupMessage:
			return c, be, m
		default:
			return c, be, nil
		}
	}
}

// watch makes one goroutine the connection's only reader, so that a client
// that disconnects mid-query is noticed at once: its statement and Graph
// requests are cancelled rather than run to the end for no one. The
// session's backend reads what the goroutine passes on; stop ends it.
func (ss *session) watch(c net.Conn) (stop func()) {
	pr, pw := io.Pipe()
	go func() {
		_, err := io.Copy(pw, c)
		ss.cancelRunning()
		if err == nil {
			err = io.EOF
		}
		pw.CloseWithError(err)
	}()
	ss.be = pgproto3.NewBackend(pr, c)
	return func() { pr.Close() } // unblocks the reader if the session ends first
}

// loop answers messages until the client leaves.
func (ss *session) loop(ctx context.Context) {
	defer ss.closePortals()
	for {
		msg, err := ss.be.Receive()
		if err != nil {
			if !errors.Is(err, io.EOF) && !errors.Is(err, net.ErrClosed) && !errors.Is(err, io.ErrUnexpectedEOF) {
				fmt.Fprintf(ss.srv.cfg.Log, "session %d: %v\n", ss.pid, err)
			}
			return
		}
		if ss.skipToSync {
			switch msg.(type) {
			case *pgproto3.Sync:
				ss.skipToSync = false
			case *pgproto3.Terminate:
				return
			default:
				continue
			}
		}
		switch m := msg.(type) {
		case *pgproto3.Query:
			ss.simpleQuery(ctx, m.String)
			ss.ready()
		case *pgproto3.Parse:
			ss.parse(ctx, m)
		case *pgproto3.Bind:
			ss.bind(m)
		case *pgproto3.Describe:
			ss.describe(ctx, m)
		case *pgproto3.Execute:
			ss.execute(ctx, m)
		case *pgproto3.Sync:
			ss.closePortals()
			ss.ready()
		case *pgproto3.Close:
			ss.closeObject(m)
		case *pgproto3.Flush:
		case *pgproto3.Terminate:
			return
		default:
			ss.fail(&pgError{code: "08P01", msg: fmt.Sprintf("fbsql does not support the %T message", msg)})
		}
		if err := ss.be.Flush(); err != nil {
			return
		}
	}
}

// ready tells the client the session awaits a query.
func (ss *session) ready() {
	tx := byte('I')
	if ss.inTx {
		tx = 'T'
	}
	ss.be.Send(&pgproto3.ReadyForQuery{TxStatus: tx})
}

// begin registers the statement about to run so that a CancelRequest can
// stop it; end unregisters it.
func (ss *session) begin(ctx context.Context) (context.Context, func()) {
	ctx, cancel := context.WithCancel(ctx)
	ss.mu.Lock()
	ss.running = cancel
	ss.mu.Unlock()
	return ctx, func() {
		ss.mu.Lock()
		ss.running = nil
		ss.mu.Unlock()
		cancel()
	}
}

func (ss *session) cancelRunning() {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	if ss.running != nil {
		ss.running()
	}
}

// fatal reports an error that ends the connection.
func (ss *session) fatal(code, msg string) {
	ss.be.Send(&pgproto3.ErrorResponse{Severity: "FATAL", SeverityUnlocalized: "FATAL", Code: code, Message: msg})
	ss.be.Flush()
}

// fail reports a statement's error; in the extended protocol the rest of
// the batch is skipped until Sync, as Postgres does.
func (ss *session) fail(err error) {
	ss.be.Send(errorResponse(err))
}
