package fbsql_test

import (
	"context"
	"database/sql"
	"fmt"
	"log"
	"time"

	"github.com/fbsql/fbsql"
)

// Open a session on the built-in demo accounts and read typed rows; the
// dates are bound to $1 and $2 before planning, so they narrow the Graph
// API request as dates written in the SQL would.
func ExampleOpen() {
	ctx := context.Background()
	db, err := fbsql.Open(ctx, fbsql.Options{Demo: true})
	if err != nil {
		log.Fatal(err)
	}
	defer db.Close()
	rows, err := db.Query(ctx, `SELECT date_start, sum(spend) AS spend FROM insights
		WHERE date_start BETWEEN $1 AND $2 GROUP BY 1 ORDER BY 1`,
		time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC), time.Date(2026, 11, 3, 0, 0, 0, 0, time.UTC))
	if err != nil {
		log.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var day time.Time
		var spend fbsql.Decimal // money is DECIMAL: exact
		if err := rows.Scan(&day, &spend); err != nil {
			log.Fatal(err)
		}
		fmt.Println(day.Format(time.DateOnly), spend)
	}
	if err := rows.Close(); err != nil {
		log.Fatal(err)
	}
	// Output:
	// 2026-11-01 4931.75
	// 2026-11-02 5223.58
	// 2026-11-03 5514.15
}

// The database/sql driver "fbsql" is registered by importing the package.
// DECIMAL arrives as exact text, sums of counts as int64, dates as
// time.Time.
func Example_databaseSQL() {
	db, err := sql.Open("fbsql", "demo=true")
	if err != nil {
		log.Fatal(err)
	}
	defer db.Close()
	var day time.Time
	var impressions int64
	var spend string
	err = db.QueryRow(`SELECT date_start, sum(impressions), sum(spend) FROM insights
		WHERE date_start = ? GROUP BY 1`, "2026-11-02").Scan(&day, &impressions, &spend)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(day.Format(time.DateOnly), spend, impressions > 0)
	// Output: 2026-11-02 5223.58 true
}
