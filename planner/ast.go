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

// constantString returns the value of a VARCHAR or numeric constant, or of a
// cast of one.
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
			return x.String(), true
		}
	case "CAST":
		return constantString(child(e, "child"))
	}
	return "", false
}
