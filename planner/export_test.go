package planner

// SetGoPredicate switches the Go reading of simple date conditions on or
// off, so a test can compare it with DuckDB's.
func SetGoPredicate(on bool) { useGoPredicate = on }
