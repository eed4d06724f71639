package sandbox_test

import (
	"context"
	"errors"
	"net/http"
	"syscall"
	"testing"

	"github.com/fbsql/fbsql/fbtables/sandbox"
)

func get(t *testing.T, r *sandbox.Running, token string) (*http.Response, error) {
	t.Helper()
	req, _ := http.NewRequest("GET", r.URL+"/v23.0/me/adaccounts?fields=id", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	return http.DefaultClient.Do(req)
}

func TestStartServesUntilClosed(t *testing.T) {
	r, err := sandbox.Start(context.Background(), sandbox.Config{})
	if err != nil {
		t.Fatal(err)
	}
	resp, err := get(t, r, r.Token)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("status %d with the sandbox's own token", resp.StatusCode)
	}
	if resp, err := get(t, r, "wrong"); err != nil || resp.StatusCode == 200 {
		t.Fatalf("a wrong token was accepted (err %v)", err)
	}
	if len(r.Server.Requests()) == 0 {
		t.Fatal("the handler counted no request")
	}
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := get(t, r, r.Token); !errors.Is(err, syscall.ECONNREFUSED) {
		t.Fatalf("after Close: %v, want connection refused", err)
	}
}

func TestStartStopsWithContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	r, err := sandbox.Start(ctx, sandbox.Config{Token: "t"})
	if err != nil {
		t.Fatal(err)
	}
	cancel()
	// Close after the context's own shutdown must still return, and the
	// port must be closed once it has.
	r.Close()
	if _, err := get(t, r, "t"); !errors.Is(err, syscall.ECONNREFUSED) {
		t.Fatalf("after cancel: %v, want connection refused", err)
	}
}
