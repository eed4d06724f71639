package fbsql

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"io"
	"math/big"
	"sync"
)

func init() { sql.Register("fbsql", &Driver{}) }

// Driver is the database/sql driver registered as "fbsql". Each pooled
// connection is its own session; connections of one sql.DB share one
// resolved configuration (and one demo sandbox).
type Driver struct{}

// Open opens a connection from a DSN (see ParseDSN).
func (d *Driver) Open(dsn string) (driver.Conn, error) {
	c, err := d.OpenConnector(dsn)
	if err != nil {
		return nil, err
	}
	return c.Connect(context.Background())
}

// OpenConnector parses a DSN once for all the connections of a sql.DB.
func (d *Driver) OpenConnector(dsn string) (driver.Connector, error) {
	o, err := ParseDSN(dsn)
	if err != nil {
		return nil, err
	}
	return &connector{opts: o, drv: d}, nil
}

// connector resolves the options on first use and keeps the result.
type connector struct {
	opts Options
	drv  *Driver
	once sync.Once
	cfg  *Config
	err  error
}

var _ io.Closer = (*connector)(nil)

func (c *connector) Connect(ctx context.Context) (driver.Conn, error) {
	c.once.Do(func() { c.cfg, c.err = Configure(c.opts) })
	if c.err != nil {
		return nil, c.err
	}
	db, err := c.cfg.Open(ctx)
	if err != nil {
		return nil, err
	}
	return &conn{db: db}, nil
}

func (c *connector) Driver() driver.Driver { return c.drv }

// Close stops the demo sandbox when sql.DB.Close is called.
func (c *connector) Close() error {
	if c.cfg != nil {
		return c.cfg.Close()
	}
	return nil
}

// conn is one pooled connection: one session.
type conn struct{ db *DB }

// errNoTx says why transactions are refused.
var errNoTx = errors.New("fbsql: transactions are not supported; run statements without Begin")

func (c *conn) Prepare(query string) (driver.Stmt, error) { return &stmt{c: c, query: query}, nil }
func (c *conn) Close() error                              { return c.db.Close() }
func (c *conn) Begin() (driver.Tx, error)                 { return nil, errNoTx }

// CheckNamedValue accepts every value: Literal decides what it can write.
func (c *conn) CheckNamedValue(*driver.NamedValue) error { return nil }

func (c *conn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	vals, err := ordinal(args)
	if err != nil {
		return nil, err
	}
	r, err := c.db.Query(ctx, query, vals...)
	if err != nil {
		return nil, err
	}
	return &driverRows{r: r}, nil
}

func (c *conn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	vals, err := ordinal(args)
	if err != nil {
		return nil, err
	}
	if err := c.db.Exec(ctx, query, vals...); err != nil {
		return nil, err
	}
	return driver.ResultNoRows, nil
}

func ordinal(args []driver.NamedValue) ([]any, error) {
	vals := make([]any, len(args))
	for i, a := range args {
		if a.Name != "" {
			return nil, errors.New("fbsql: named arguments are not supported; use $1, $2, … or ?")
		}
		vals[i] = a.Value
	}
	return vals, nil
}

// stmt is a prepared statement: the text is planned when it runs, after
// its arguments are bound, so that they push down like literals.
type stmt struct {
	c     *conn
	query string
}

func (s *stmt) Close() error  { return nil }
func (s *stmt) NumInput() int { return -1 }
func (s *stmt) Exec(args []driver.Value) (driver.Result, error) {
	return s.c.ExecContext(context.Background(), s.query, named(args))
}
func (s *stmt) Query(args []driver.Value) (driver.Rows, error) {
	return s.c.QueryContext(context.Background(), s.query, named(args))
}
func (s *stmt) QueryContext(ctx context.Context, args []driver.NamedValue) (driver.Rows, error) {
	return s.c.QueryContext(ctx, s.query, args)
}
func (s *stmt) ExecContext(ctx context.Context, args []driver.NamedValue) (driver.Result, error) {
	return s.c.ExecContext(ctx, s.query, args)
}

func named(args []driver.Value) []driver.NamedValue {
	out := make([]driver.NamedValue, len(args))
	for i, a := range args {
		out[i] = driver.NamedValue{Ordinal: i + 1, Value: a}
	}
	return out
}

// driverRows hands rows to database/sql. DECIMAL values become their exact
// text and HUGEINT an int64 when it fits (else text), so that Scan into
// string, int64 or float64 works; lists, structs and JSON keep their Go
// values (scan them into *any).
type driverRows struct{ r *Rows }

func (d *driverRows) Columns() []string { return d.r.Columns() }
func (d *driverRows) Close() error      { return d.r.Close() }

func (d *driverRows) ColumnTypeDatabaseTypeName(i int) string { return d.r.ColumnTypes()[i] }

func (d *driverRows) Next(dest []driver.Value) error {
	if !d.r.Next() {
		if err := d.r.Err(); err != nil {
			return err
		}
		return io.EOF
	}
	for i, v := range d.r.row {
		switch x := v.(type) {
		case Decimal:
			dest[i] = x.String()
		case *big.Int:
			if x.IsInt64() {
				dest[i] = x.Int64()
			} else {
				dest[i] = x.String()
			}
		case int32:
			dest[i] = int64(x)
		default:
			dest[i] = v
		}
	}
	return nil
}
