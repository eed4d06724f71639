// Package enginetest is the one harness that wires an engine to a sandbox
// for tests and the benchmark: a sandbox served on loopback, an engine whose
// Graph client points at it, both closed when the test ends.
package enginetest

import (
	"context"
	"testing"

	"github.com/fbsql/fbsql/engine"
	"github.com/fbsql/fbsql/fbtables/sandbox"
)

// Demo is an engine reading a sandbox.
type Demo struct {
	// Engine runs statements against the sandbox.
	Engine *engine.Engine
	// Sandbox is the running sandbox: its URL, token and request log.
	Sandbox *sandbox.Running
}

// Config returns an engine configuration that reads the running sandbox r;
// callers adjust it before engine.Open.
func Config(r *sandbox.Running) engine.Config {
	var cfg engine.Config
	cfg.Graph.BaseURL = r.URL
	cfg.Graph.Token = r.Token
	return cfg
}

// New starts a sandbox from sb and opens an engine on it; adjust, when not
// nil, changes the engine configuration first. Both close at the end of t.
func New(t testing.TB, sb sandbox.Config, adjust func(*engine.Config)) *Demo {
	t.Helper()
	r, err := sandbox.Start(context.Background(), sb)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	cfg := Config(r)
	if adjust != nil {
		adjust(&cfg)
	}
	eng, err := engine.Open(context.Background(), cfg)
	if err != nil {
		t.Fatalf("open engine on the sandbox: %v", err)
	}
	t.Cleanup(func() { eng.Close() })
	return &Demo{Engine: eng, Sandbox: r}
}
