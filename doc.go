// Package fbsql is the embedding API of fbsql, SQL over the Facebook
// (Meta) Marketing API: Open a session, Query it, read typed rows.
//
//	db, err := fbsql.Open(ctx, fbsql.Options{Demo: true})
//	rows, err := db.Query(ctx, `SELECT campaign_name, sum(spend) FROM insights
//	        WHERE date_start >= $1 GROUP BY 1`, time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC))
//
// Importing the package also registers the database/sql driver "fbsql",
// whose DSN is space-separated key=value pairs (see ParseDSN):
//
//	db, err := sql.Open("fbsql", "demo=true")
//	db, err := sql.Open("fbsql", "profile=work accounts=act_1,act_2 cache=on")
//
// Configuration is shared with the fbsql command and its Postgres-protocol
// server: Options (or DSN keys), then the environment (FB_ACCESS_TOKEN,
// FB_APP_SECRET, FB_ACCOUNT_IDS, FB_API_VERSION, FB_GRAPH_URL,
// FB_ATTRIBUTION_WINDOWS), then the config file's profile
// ($FBSQL_CONFIG, default <user config dir>/fbsql/config). The access token
// is never an option or a DSN key.
//
// Placeholders ($1, $2, … or ?) are replaced by their values written as
// SQL literals before the statement is planned, so a date bound to $1
// narrows the Graph API request exactly as a date in the text does.
//
// # Types
//
// Column types are DuckDB's; Rows.Values and database/sql return:
//
//	DuckDB type              Rows (this package)       database/sql driver
//	BIGINT, INTEGER          int64, int32              int64
//	HUGEINT (sums of BIGINT) *big.Int                  int64 (text if larger)
//	DOUBLE                   float64                   float64
//	DECIMAL(p,s) (money)     Decimal (exact)           string, exact ("12.50")
//	VARCHAR                  string                    string
//	BOOLEAN                  bool                      bool
//	DATE                     time.Time (UTC midnight)  time.Time
//	TIMESTAMPTZ              time.Time                 time.Time
//	LIST (VARCHAR[], …)      []any                     []any
//	STRUCT (action stats)    map[string]any            map[string]any
//	JSON (targeting, …)      decoded: map[string]any, []any, string, float64, …
//
// NULL is nil. Scan into *any to take a value as it is; Rows.Scan into
// *string gives any value as the csv output writes it.
package fbsql
