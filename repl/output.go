package repl

import (
	"context"
	"fmt"
	"os"

	"github.com/fbsql/fbsql/engine/render"
)

// renderOptions: the .output file's format if its extension named one,
// and tables capped only when they go to the terminal.
func (sh *shell) renderOptions() render.Options {
	o := render.Options{Format: sh.format, NoHeader: sh.noHeader}
	if sh.fileFmt != "" && sh.format != "chart" {
		o.Format = sh.fileFmt
	}
	if sh.terminal && sh.file == nil {
		o.MaxRows = sh.maxRows
		if sh.width != nil {
			o.Width = sh.width()
		}
	}
	return o
}

// openOutput sends results to name: a parquet file is written by DuckDB
// itself, any other file gets the format its extension names (as -o
// does), or the current mode when the extension names none.
func (sh *shell) openOutput(name string, once bool) {
	format, known := render.FormatOfFile(name)
	if format == "parquet" {
		sh.exec.Parquet, sh.once = name, once
		delete(sh.wrote, name)
		return
	}
	file, err := os.Create(name)
	if err != nil {
		sh.fail(fmt.Sprintf("%s: %v", map[bool]string{true: ".once", false: ".output"}[once], err))
		return
	}
	sh.file, sh.out, sh.once = file, file, once
	if known {
		sh.fileFmt = format
	}
}

// closeOutput goes back to the terminal (or standard output) and to the
// -o parquet file, if any.
func (sh *shell) closeOutput() {
	if sh.file != nil {
		sh.file.Close()
		sh.file, sh.out = nil, sh.stdout
	}
	sh.exec.Parquet, sh.fileFmt, sh.once = sh.parquet, "", false
}

// checkParquet refuses a second query into the same parquet file: a
// parquet file holds one result, and overwriting the first would keep
// only the last without saying so.
func (sh *shell) checkParquet(ctx context.Context, stmt string) error {
	target := sh.exec.Parquet
	if target == "" || !sh.wrote[target] {
		return nil
	}
	p, err := sh.eng.Plan(ctx, stmt)
	if err != nil || len(p.Statements) == 0 || !p.Statements[0].Query || p.Statements[0].Explain {
		return nil // the engine reports the error, or nothing goes to the file
	}
	return fmt.Errorf("%s already holds a result and a parquet file holds one; not run: give each query its own file with .once FILE.parquet or COPY (…) TO 'FILE.parquet'", target)
}

// read runs the statements and dot commands of a file.
func (sh *shell) read(ctx context.Context, name string) {
	file, err := os.Open(name)
	if err != nil {
		sh.fail(fmt.Sprintf(".read: %v", err))
		return
	}
	defer file.Close()
	sh.loop(ctx, lineReader(file), func(string) {}, false)
}
