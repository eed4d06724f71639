// Package repl is fbsql's interactive shell: line editing and history
// (github.com/peterh/liner), statements that span lines until a `;`,
// dot commands, and Ctrl-C that cancels the running query but not the shell.
// It knows nothing about the Graph API: it hands statements to the engine.
package repl
