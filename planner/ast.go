package planner

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
)

// node is one object of DuckDB's JSON AST.
type node = map[string]any

// nodeKey identifies a node by identity, so facts about a particular column
// reference (which scan it resolved to, whether it was pushed) can be kept
// beside the AST without copying it.
func nodeKey(n node) uintptr { return uintptr(reflect.ValueOf(n).UnsafePointer()) }

func str(n node, key string) string {
	s, _ := n[key].(string)
	return s
}

func child(n node, key string) node {
	c, _ := n[key].(node)
	return c
}

func list(n node, key string) []any {
	l, _ := n[key].([]any)
	return l
}

func location(n node) int {
	switch v := n["query_location"].(type) {
	case json.Number:
		i, err := v.Int64()
		if err != nil || i < 0 {
			return -1
		}
		return int(i)
	case float64:
		return int(v)
	}
	return -1
}

// columnNames returns the lower-cased parts of a COLUMN_REF.
func columnNames(n node) []string {
	var out []string
	for _, v := range list(n, "column_names") {
		s, _ := v.(string)
		out = append(out, strings.ToLower(s))
	}
	return out
}

// parseAST decodes json_serialize_sql output, turning its error object into a Go error.
func parseAST(text string) (node, error) {
	dec := json.NewDecoder(strings.NewReader(text))
	dec.UseNumber()
	var root node
	if err := dec.Decode(&root); err != nil {
		return nil, fmt.Errorf("read parser output: %w", err)
	}
	if isErr, _ := root["error"].(bool); isErr {
		return root, &ParseError{Type: str(root, "error_type"), Message: str(root, "error_message")}
	}
	return root, nil
}

// conjuncts splits an expression on AND.
func conjuncts(e node) []node {
	if e == nil {
		return nil
	}
	if str(e, "class") == "CONJUNCTION" && str(e, "type") == "CONJUNCTION_AND" {
		var out []node
		for _, c := range list(e, "children") {
			if cn, ok := c.(node); ok {
				out = append(out, conjuncts(cn)...)
			}
		}
		return out
	}
	return []node{e}
}

// visit calls fn for every object in the tree under v, depth first; fn
// returns false to skip an object's children.
func visit(v any, fn func(node) bool) {
	switch t := v.(type) {
	case node:
		if !fn(t) {
			return
		}
		for _, c := range t {
			visit(c, fn)
		}
	case []any:
		for _, c := range t {
			visit(c, fn)
		}
	}
}

// constantString returns the value of a VARCHAR or numeric constant as
// DuckDB would print it (a DECIMAL with its scale: 10.5, not its unscaled
// 105), or of a cast that keeps that value. A cast that can change the value
// (10.7::INTEGER is 11) is not a constant here, so nothing is pushed for it.
func constantString(e node) (string, bool) {
	switch str(e, "class") {
	case "CONSTANT":
		v, _ := e["value"].(node)
		if v == nil {
			return "", false
		}
		if isNull, _ := v["is_null"].(bool); isNull {
			return "", false
		}
		switch x := v["value"].(type) {
		case string:
			return x, true
		case json.Number:
			typ := child(v, "type")
			if str(typ, "id") != "DECIMAL" {
				return x.String(), true
			}
			scale, err := child(typ, "type_info")["scale"].(json.Number).Int64()
			if err != nil {
				return "", false
			}
			return scaled(x.String(), int(scale))
		}
	case "CAST":
		inner := child(e, "child")
		to := str(child(e, "cast_type"), "id")
		switch {
		case to == "VARCHAR" || (to == "DOUBLE" && constantType(inner) != "VARCHAR"):
			return constantString(inner)
		case constantType(inner) == "VARCHAR" && !numericTypes[to]:
			return constantString(inner)
		}
	}
	return "", false
}

// numericTypes are cast targets that may round or reject a literal.
var numericTypes = map[string]bool{"TINYINT": true, "SMALLINT": true, "INTEGER": true, "BIGINT": true, "HUGEINT": true,
	"UTINYINT": true, "USMALLINT": true, "UINTEGER": true, "UBIGINT": true, "UHUGEINT": true,
	"DECIMAL": true, "FLOAT": true, "DOUBLE": true, "BOOLEAN": true}

// constantType is the type id of a CONSTANT node ("" for anything else).
func constantType(e node) string {
	if str(e, "class") != "CONSTANT" {
		return ""
	}
	return str(child(child(e, "value"), "type"), "id")
}

// scaled writes the unscaled integer digits of a DECIMAL with its scale.
func scaled(digits string, scale int) (string, bool) {
	neg := strings.HasPrefix(digits, "-")
	digits = strings.TrimPrefix(digits, "-")
	if scale < 0 || strings.Trim(digits, "0123456789") != "" || digits == "" {
		return "", false
	}
	if scale > 0 {
		for len(digits) <= scale {
			digits = "0" + digits
		}
		digits = digits[:len(digits)-scale] + "." + digits[len(digits)-scale:]
	}
	if neg {
		digits = "-" + digits
	}
	return digits, true
}
