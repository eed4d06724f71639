package fbsql

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/fbsql/fbsql/engine"
)

// DB is one fbsql session: its own DuckDB session and Graph client. It
// runs one statement at a time; open several (Config.Open, or a
// database/sql pool) to run statements in parallel.
type DB struct {
	eng     *engine.Engine
	cfg     *Config // closed with the DB when Open made it
	mu      sync.Mutex
	busy    bool // a Rows is open
	ownsCfg bool
}

// ErrBusy is returned when a statement starts while the session's
// previous Rows is still open.
var ErrBusy = errors.New("fbsql: the previous result is still open; close its Rows first")

// Open resolves the options and opens a session. Close releases it (and
// the demo sandbox, if Options.Demo started one).
func Open(ctx context.Context, o Options) (*DB, error) {
	cfg, err := Configure(o)
	if err != nil {
		return nil, err
	}
	db, err := cfg.Open(ctx)
	if err != nil {
		cfg.Close()
		return nil, err
	}
	db.ownsCfg = true
	return db, nil
}

// Open starts a new session. No Graph request is sent until a statement
// needs one.
func (c *Config) Open(ctx context.Context) (*DB, error) {
	eng, err := engine.Open(ctx, c.Engine)
	if err != nil {
		return nil, &ConfigError{Msg: err.Error()}
	}
	return &DB{eng: eng, cfg: c}, nil
}

// Close ends the session.
func (db *DB) Close() error {
	err := db.eng.Close()
	if db.ownsCfg {
		db.cfg.Close()
	}
	return err
}

// Query runs the statements of sql, with args bound to its placeholders
// ($1, $2, … or ?) before planning, and returns the rows of the last
// statement. The caller must Close the Rows before the next statement.
func (db *DB) Query(ctx context.Context, sql string, args ...any) (*Rows, error) {
	text, err := Bind(sql, args)
	if err != nil {
		return nil, err
	}
	if err := db.acquire(); err != nil {
		return nil, err
	}
	cur, err := db.eng.Query(ctx, text)
	if err != nil {
		db.release()
		return nil, err
	}
	r, err := newRows(cur, db.release)
	if err != nil {
		r.Close()
		return nil, err
	}
	return r, nil
}

// Exec runs the statements of sql, with args bound as in Query, and
// discards any rows they return.
func (db *DB) Exec(ctx context.Context, sql string, args ...any) error {
	rows, err := db.Query(ctx, sql, args...)
	if err != nil {
		return err
	}
	for rows.Next() {
	}
	return rows.Close()
}

// ParamTypes reports the DuckDB type of each placeholder of one statement,
// inferred from where it is used ("" when it cannot be told), without
// running it.
func (db *DB) ParamTypes(ctx context.Context, sql string) ([]string, error) {
	return db.eng.ParamTypes(ctx, sql)
}

// Describe reports the columns and DuckDB types that one statement without
// placeholders would return, planning it but fetching nothing.
func (db *DB) Describe(ctx context.Context, sql string) (cols, types []string, err error) {
	if err := db.acquire(); err != nil {
		return nil, nil, err
	}
	defer db.release()
	return db.eng.DescribeColumns(ctx, sql)
}

func (db *DB) acquire() error {
	db.mu.Lock()
	defer db.mu.Unlock()
	if db.busy {
		return ErrBusy
	}
	db.busy = true
	return nil
}

func (db *DB) release() {
	db.mu.Lock()
	db.busy = false
	db.mu.Unlock()
}

// IsQueryError reports whether err is DuckDB rejecting or failing a
// statement (a mistake in the SQL), rather than the Graph API, the
// configuration or the network.
func IsQueryError(err error) bool { return engine.IsQueryError(err) }

// wrapNext labels an error met while reading rows.
func wrapNext(err error) error { return fmt.Errorf("read rows: %w", err) }
