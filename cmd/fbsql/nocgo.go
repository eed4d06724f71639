//go:build !cgo

package main

// fbsql embeds DuckDB, a C++ library, through cgo: a build without cgo
// stops here with a message saying what to do rather than deep in the
// DuckDB bindings. The rest of the package builds only with cgo.
var _ = fbsql_embeds_DuckDB_and_needs_cgo__install_a_C_compiler_gcc_or_clang_and_build_with_CGO_ENABLED_1
