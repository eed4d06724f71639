//go:build cgo

// Command fbsql answers SQL questions about Facebook (Meta) ad accounts:
// `fbsql -e "SELECT …"` for scripts, `fbsql` alone for an interactive shell,
// `fbsql --demo` against the built-in sandbox, and `fbsql sandbox` to serve
// that sandbox on a loopback port.
package main

import (
	"context"
	"os"
)

func main() {
	os.Exit(run(context.Background(), os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}
