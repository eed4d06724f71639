package main_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestConfigValuesThatDoNotParse: a profile value fbsql cannot read is a
// usage error naming the line, the key and a valid form, as an unknown
// key is; it is never silently replaced by the default.
func TestConfigValuesThatDoNotParse(t *testing.T) {
	for line, want := range map[string]string{
		"cache_ttl = 15 minutes": `:3: cache_ttl: "15 minutes" is not a duration; use a number with a unit, such as 15m`,
		"freeze_days = two":      `:3: freeze_days: "two" is not a number of days; use a whole number such as 28`,
	} {
		path := filepath.Join(t.TempDir(), "config")
		os.WriteFile(path, []byte("[default]\ntoken = x\n"+line+"\n"), 0o600)
		r := fbsql(t, "", []string{"FBSQL_CONFIG=" + path}, "-e", "SELECT 1")
		if r.code != 2 || !strings.Contains(r.stderr, path+want) {
			t.Errorf("%s: exit %d, stderr %q; want 2 and %q", line, r.code, r.stderr, want)
		}
	}
}
