package value

import (
	"encoding/json"
	"math"
	"math/big"
	"testing"
	"time"

	duckdb "github.com/duckdb/duckdb-go/v2"
)

func TestDecimalText(t *testing.T) {
	for _, c := range []struct {
		v     int64
		scale uint8
		want  string
	}{{1250, 2, "12.50"}, {-5, 2, "-0.05"}, {0, 2, "0.00"}, {7, 0, "7"}, {123456789, 3, "123456.789"}} {
		if got := DecimalText(duckdb.Decimal{Value: big.NewInt(c.v), Scale: c.scale}); got != c.want {
			t.Errorf("DecimalText(%d, scale %d) = %q, want %q", c.v, c.scale, got, c.want)
		}
	}
}

// TestJSONTimesAreISO8601: JSON readers parse RFC 3339; the table keeps
// the space DuckDB prints.
func TestJSONTimesAreISO8601(t *testing.T) {
	at := time.Date(2023, 10, 1, 20, 42, 43, 0, time.UTC)
	for typ, want := range map[string]string{
		"TIMESTAMPTZ": `"2023-10-01T20:42:43Z"`, "TIMESTAMP WITH TIME ZONE": `"2023-10-01T20:42:43Z"`,
		"TIMESTAMP": `"2023-10-01T20:42:43"`, "DATE": `"2023-10-01"`,
	} {
		b, _ := json.Marshal(JSON(at, typ))
		if string(b) != want {
			t.Errorf("%s: %s, want %s", typ, b, want)
		}
	}
	if got := Text(at, "TIMESTAMPTZ"); got != "2023-10-01 20:42:43Z" {
		t.Errorf("table text %q", got)
	}
	frac := at.Add(500 * time.Millisecond)
	if b, _ := json.Marshal(JSON(frac, "TIMESTAMP")); string(b) != `"2023-10-01T20:42:43.5"` {
		t.Errorf("fraction: %s", b)
	}
}

func TestJSONNumbers(t *testing.T) {
	b, err := json.Marshal([]any{JSON(duckdb.Decimal{Value: big.NewInt(1250), Scale: 2}, "DECIMAL(18,2)"), JSON(math.NaN(), "DOUBLE"), JSON(math.Inf(1), "DOUBLE")})
	if err != nil {
		t.Fatal(err)
	}
	if string(b) != `[12.50,"NaN","+Inf"]` {
		t.Errorf("got %s", b)
	}
}
