package main_test

import (
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// TestShellHabitsOnATerminal types what DuckDB and psql users type at
// the prompt: help, \d, a dot command in the middle of a statement, a
// result wider than the terminal, and exit.
func TestShellHabitsOnATerminal(t *testing.T) {
	home := t.TempDir()
	env := []string{"HOME=" + home, "XDG_CONFIG_HOME=" + home + "/config"}
	tm := startTerm(t, env, "--demo")
	tm.expect("Demo: the built-in sandbox's synthetic ad accounts", 10*time.Second)
	tm.expect("fbsql> ", 10*time.Second)

	tm.send("help\r")
	tm.expect(".schema [TABLE]", 5*time.Second)
	tm.expect("fbsql> ", 5*time.Second)

	tm.send(`\d` + "\r")
	tm.expect("insights_actions  ", 5*time.Second)
	tm.expect("fbsql> ", 5*time.Second)

	// A dot command at the continuation prompt runs and stays out of the SQL.
	tm.send("SELECT 41 + 1 AS answer\r")
	tm.expect("...> ", 5*time.Second)
	tm.send(".mode csv\r")
	tm.expect("...> ", 5*time.Second)
	tm.send(";\r")
	tm.expect("answer\r\n42\r\n", 10*time.Second)
	tm.expect("fbsql> ", 5*time.Second)
	tm.send(".mode table\r")
	tm.expect("fbsql> ", 5*time.Second)

	// 120 columns: campaigns' default columns do not fit; the box stays
	// within the window and the footer names what was left out.
	tm.send("SELECT * FROM campaigns LIMIT 3;\r")
	tm.expect("LIMIT 3;", 5*time.Second)
	from := tm.mark
	tm.expect("columns not shown: ", 20*time.Second)
	tm.expect("fbsql> ", 5*time.Second)
	tm.mu.Lock()
	screen := screenText(tm.out.String()[from:tm.mark])
	tm.mu.Unlock()
	for _, l := range strings.Split(screen, "\n") {
		if strings.HasPrefix(l, "│") || strings.HasPrefix(l, "┌") {
			if n := utf8.RuneCountInString(l); n > 120 {
				t.Errorf("a %d-cell line on a 120-cell terminal:\n%s", n, l)
			}
		}
	}

	// Completion: after FROM only tables; a value a result showed is offered.
	tm.send("SELECT 'Zebra Crossing' AS campaign_name;\r")
	tm.expect("(1 row)", 10*time.Second)
	tm.expect("fbsql> ", 5*time.Second)
	tm.send("SELECT 1 FROM insights WHERE campaign_name = 'Zeb\t")
	tm.expect("'Zebra Crossing'", 5*time.Second)
	tm.send(keyCtrlC)
	tm.expect("fbsql> ", 5*time.Second)

	tm.send("exit\r")
	if code := tm.wait(10 * time.Second); code != 0 {
		t.Fatalf("exit status %d after exit", code)
	}

	for _, quit := range []string{"quit", `\q`} {
		tm := startTerm(t, env, "--demo")
		tm.expect("fbsql> ", 10*time.Second)
		tm.send(quit + "\r")
		if code := tm.wait(10 * time.Second); code != 0 {
			t.Fatalf("exit status %d after %s", code, quit)
		}
	}
}
