package engine_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"runtime/debug"
	"strconv"
	"strings"
	"testing"

	"github.com/fbsql/fbsql/engine"
	"github.com/fbsql/fbsql/fbtables/graph"
)

// TestPeakRSSUnderHostileBodies: with 8 accounts read at once from a server answering every
// request with a gzip bomb (1 MB on the wire, 1 GiB unpacked) or a 50 MB string, the query
// fails clearly and the process's peak RSS stays under 300 MB. It measures the whole process
// (VmHWM), so it runs only when FBSQL_MEMTEST is set, alone: `FBSQL_MEMTEST=1 go test ./engine
// -run TestPeakRSSUnderHostileBodies -v`.
func TestPeakRSSUnderHostileBodies(t *testing.T) {
	if os.Getenv("FBSQL_MEMTEST") == "" {
		t.Skip("set FBSQL_MEMTEST=1 to measure peak RSS (run alone)")
	}
	var member bytes.Buffer
	zw := gzip.NewWriter(&member)
	zw.Write(make([]byte, 1<<20))
	zw.Close()
	bomb := bytes.Repeat(member.Bytes(), 1024)
	mb := bytes.Repeat([]byte("x"), 1<<20)
	for _, tt := range []struct {
		name string
		send func(w http.ResponseWriter)
	}{
		{"gzip bomb", func(w http.ResponseWriter) {
			w.Header().Set("Content-Encoding", "gzip")
			w.Header().Set("Content-Type", "application/json")
			w.Write(bomb)
		}},
		{"50 MB string", func(w http.ResponseWriter) {
			// Streamed, so the server's own memory does not count.
			w.Write([]byte(`{"data":[{"id":"1","name":"`))
			for range 50 {
				w.Write(mb)
			}
			w.Write([]byte(`"}]}`))
		}},
	} {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { tt.send(w) }))
		var accounts []string
		for i := 1; i <= 8; i++ {
			accounts = append(accounts, strconv.Itoa(i))
		}
		eng, err := engine.Open(context.Background(), engine.Config{
			Graph: graph.Config{BaseURL: srv.URL, Token: "memtest-token-0123456789", MaxRetries: -1}, Accounts: accounts})
		if err != nil {
			t.Fatal(err)
		}
		debug.FreeOSMemory()
		os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) // reset the peak
		t.Logf("%s: RSS before the query %d MB", tt.name, vmHWM(t)>>20)
		_, err = collect(context.Background(), eng, "SELECT id, name FROM campaigns", nil)
		peak := vmHWM(t)
		eng.Close()
		srv.Close()
		t.Logf("%s: peak RSS %d MB; error: %v", tt.name, peak>>20, err)
		if err == nil || !strings.Contains(err.Error(), "response larger than") {
			t.Errorf("%s: err = %v, want a response-too-large error", tt.name, err)
		}
		if peak >= 300<<20 {
			t.Errorf("%s: peak RSS %d MB, want under 300 MB", tt.name, peak>>20)
		}
	}
}

// vmHWM is the process's peak resident set size since the last reset.
func vmHWM(t *testing.T) int64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		t.Skip("no /proc/self/status")
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			return kb << 10
		}
	}
	t.Skip("no VmHWM")
	return 0
}
