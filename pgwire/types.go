package pgwire

import (
	"encoding/json"
	"fmt"
	"math/big"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgtype"

	"github.com/fbsql/fbsql"
	"github.com/fbsql/fbsql/engine"
)

// pgType is a Postgres type as a client sees it.
type pgType struct {
	oid  uint32
	size int16 // -1: variable length
}

// scalarTypes maps DuckDB type names to Postgres types. HUGEINT (what sum
// of a BIGINT gives) and unsigned 64-bit integers may not fit int8, so
// they are numeric.
var scalarTypes = map[string]pgType{
	"BOOLEAN": {pgtype.BoolOID, 1}, "TINYINT": {pgtype.Int2OID, 2}, "SMALLINT": {pgtype.Int2OID, 2},
	"UTINYINT": {pgtype.Int2OID, 2}, "INTEGER": {pgtype.Int4OID, 4}, "USMALLINT": {pgtype.Int4OID, 4},
	"BIGINT": {pgtype.Int8OID, 8}, "UINTEGER": {pgtype.Int8OID, 8},
	"HUGEINT": {pgtype.NumericOID, -1}, "UBIGINT": {pgtype.NumericOID, -1}, "UHUGEINT": {pgtype.NumericOID, -1},
	"FLOAT": {pgtype.Float4OID, 4}, "DOUBLE": {pgtype.Float8OID, 8},
	"VARCHAR": {pgtype.TextOID, -1}, "BLOB": {pgtype.ByteaOID, -1}, "UUID": {pgtype.UUIDOID, 16},
	"DATE": {pgtype.DateOID, 4}, "TIME": {pgtype.TimeOID, 8},
	"TIMESTAMP": {pgtype.TimestampOID, 8}, "TIMESTAMP_S": {pgtype.TimestampOID, 8}, "TIMESTAMP_MS": {pgtype.TimestampOID, 8}, "TIMESTAMP_NS": {pgtype.TimestampOID, 8},
	"TIMESTAMPTZ": {pgtype.TimestamptzOID, 8}, "TIMESTAMP WITH TIME ZONE": {pgtype.TimestamptzOID, 8},
	"JSON": {pgtype.JSONOID, -1},
}

// arrayTypes are the Postgres arrays of lists of scalars; other lists,
// structs and maps go to clients as json.
var arrayTypes = map[string]uint32{
	"VARCHAR[]": pgtype.TextArrayOID, "BIGINT[]": pgtype.Int8ArrayOID, "INTEGER[]": pgtype.Int4ArrayOID,
	"DOUBLE[]": pgtype.Float8ArrayOID, "BOOLEAN[]": pgtype.BoolArrayOID, "DATE[]": pgtype.DateArrayOID,
}

// typeFor is the Postgres type of a DuckDB column type.
func typeFor(duck string) pgType {
	if strings.HasPrefix(duck, "DECIMAL") {
		return pgType{pgtype.NumericOID, -1}
	}
	if t, ok := scalarTypes[duck]; ok {
		return t
	}
	if oid, ok := arrayTypes[duck]; ok {
		return pgType{oid, -1}
	}
	if strings.HasSuffix(duck, "]") || strings.HasPrefix(duck, "STRUCT") || strings.HasPrefix(duck, "MAP") || strings.HasPrefix(duck, "UNION") {
		return pgType{pgtype.JSONOID, -1}
	}
	return pgType{pgtype.TextOID, -1}
}

// oidForParam is the Postgres type announced for a parameter whose DuckDB
// type was inferred ("" when it was not: text, cast where it is used).
func oidForParam(duck string) uint32 {
	if duck == "" {
		return pgtype.TextOID
	}
	return typeFor(duck).oid
}

// encode writes one value in the client's format: text as Postgres prints
// it (numbers and dates as fbsql's csv output does), binary as pgtype
// encodes it.
func (ss *session) encode(v any, duck string, format int16) ([]byte, error) {
	if v == nil {
		return nil, nil
	}
	t := typeFor(duck)
	if format == pgtype.BinaryFormatCode {
		return ss.types.Encode(t.oid, format, binaryValue(v, t.oid), nil)
	}
	return []byte(textOf(v, duck, t.oid)), nil
}

// textOf is a value's text form.
func textOf(v any, duck string, oid uint32) string {
	switch x := v.(type) {
	case bool:
		if x {
			return "t"
		}
		return "f"
	case time.Time:
		switch oid {
		case pgtype.DateOID:
			return x.Format(time.DateOnly)
		case pgtype.TimestamptzOID:
			return x.UTC().Format("2006-01-02 15:04:05.999999") + "+00"
		case pgtype.TimeOID:
			return x.Format("15:04:05.999999")
		}
		return x.Format("2006-01-02 15:04:05.999999")
	case []byte:
		if oid == pgtype.ByteaOID {
			return `\x` + fmt.Sprintf("%x", x)
		}
	}
	if oid == pgtype.JSONOID {
		if s, ok := v.(string); ok && duck == "JSON" {
			return s
		}
		b, err := json.Marshal(v)
		if err != nil {
			return fmt.Sprint(v)
		}
		return string(b)
	}
	if list, ok := v.([]any); ok {
		parts := make([]string, len(list))
		for i, e := range list {
			switch {
			case e == nil:
				parts[i] = "NULL"
			default:
				s := textOf(e, "", typeFor(strings.TrimSuffix(duck, "[]")).oid)
				parts[i] = `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s) + `"`
			}
		}
		return "{" + strings.Join(parts, ",") + "}"
	}
	return engine.TextValue(v, duck)
}

// binaryValue converts a value to one pgtype encodes for the oid.
func binaryValue(v any, oid uint32) any {
	switch x := v.(type) {
	case fbsql.Decimal:
		return pgtype.Numeric{Int: x.Value, Exp: -int32(x.Scale), Valid: true}
	case *big.Int:
		return pgtype.Numeric{Int: x, Valid: true}
	case int8:
		return int64(x)
	case int16:
		return int64(x)
	case int32:
		return int64(x)
	case uint8:
		return int64(x)
	case uint16:
		return int64(x)
	case uint32:
		return int64(x)
	case uint64:
		return pgtype.Numeric{Int: new(big.Int).SetUint64(x), Valid: true}
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = binaryValue(e, 0)
		}
		if oid == pgtype.JSONOID {
			return x
		}
		return out
	}
	return v
}

// decodeParam reads one bound parameter. Text values of text or unknown
// types stay strings (DuckDB casts them where they are used); others are
// decoded by pgtype into Go values that fbsql.Literal writes as literals.
func (ss *session) decodeParam(oid uint32, format int16, src []byte) (any, error) {
	if src == nil {
		return nil, nil
	}
	if format == pgtype.TextFormatCode && (oid == 0 || oid == pgtype.TextOID || oid == pgtype.VarcharOID || oid == pgtype.UnknownOID) {
		return string(src), nil
	}
	t, ok := ss.types.TypeForOID(oid)
	if !ok {
		if format == pgtype.TextFormatCode {
			return string(src), nil
		}
		return nil, &pgError{code: "22P03", msg: fmt.Sprintf("parameter of type oid %d in binary format is not supported; send it as text", oid)}
	}
	v, err := t.Codec.DecodeValue(ss.types, oid, format, src)
	if err != nil && oid == pgtype.DateOID && format == pgtype.TextFormatCode && len(src) > 10 {
		// Drivers that guess types from Go values send a time.Time as a
		// timestamp ("2026-10-05 00:00:00Z"); Postgres reads the date part.
		if d, dErr := time.Parse(time.DateOnly, string(src[:10])); dErr == nil {
			v, err = d, nil
		}
	}
	if err != nil {
		return nil, &pgError{code: "22P02", msg: fmt.Sprintf("parameter of type %s: %v", t.Name, err)}
	}
	if n, ok := v.(pgtype.Numeric); ok {
		return numericValue(n)
	}
	return v, nil
}

// numericValue is an exact numeric parameter as a Decimal, which
// fbsql.Literal writes as a number.
func numericValue(n pgtype.Numeric) (any, error) {
	switch {
	case !n.Valid:
		return nil, nil
	case n.NaN || n.InfinityModifier != pgtype.Finite:
		return nil, &pgError{code: "22P02", msg: "NaN and infinite numeric parameters are not supported"}
	case n.Exp >= 0:
		scale := new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(n.Exp)), nil)
		return fbsql.Decimal{Value: new(big.Int).Mul(n.Int, scale)}, nil
	case n.Exp < -255:
		return nil, &pgError{code: "22P02", msg: "numeric parameter has too many decimal places"}
	}
	return fbsql.Decimal{Value: n.Int, Scale: uint8(-n.Exp)}, nil
}
