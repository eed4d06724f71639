package fbsql

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/fbsql/fbsql/engine"
	"github.com/fbsql/fbsql/planner"
)

// profile is one named section of the config file. Environment variables
// override it and options override both.
type profile struct {
	Token              string
	AppSecret          string
	Accounts           []string
	APIVersion         string
	GraphURL           string
	AttributionWindows string
	Cache              string        // on, off or refresh
	FreezeDays         int           // days after which insights are final
	CacheTTL           time.Duration // how long rows that may change are served
}

// profileKeys maps config keys to the profile field they set. A value that
// does not parse is an error naming a valid form, like an unknown key.
var profileKeys = map[string]func(*profile, string) error{
	"token":      func(p *profile, v string) error { p.Token = v; return nil },
	"app_secret": func(p *profile, v string) error { p.AppSecret = v; return nil },
	"accounts": func(p *profile, v string) error {
		p.Accounts = splitList(v)
		return checkAccounts(p.Accounts)
	},
	"api_version": func(p *profile, v string) error { p.APIVersion = v; return nil },
	"graph_url":   func(p *profile, v string) error { p.GraphURL = v; return nil },
	"attribution_windows": func(p *profile, v string) error {
		p.AttributionWindows = v
		return planner.ValidateAttributionWindows(v)
	},
	"cache": func(p *profile, v string) error {
		p.Cache = v
		_, err := engine.ParseCacheMode(v)
		return err
	},
	"freeze_days": func(p *profile, v string) error {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			return fmt.Errorf("%q is not a number of days; use a whole number such as 28", v)
		}
		p.FreezeDays = n
		return nil
	},
	"cache_ttl": func(p *profile, v string) error {
		d, err := time.ParseDuration(v)
		if err != nil || d < 0 {
			return fmt.Errorf("%q is not a duration; use a number with a unit, such as 15m, 90s or 2h", v)
		}
		p.CacheTTL = d
		return nil
	},
}

// DefaultConfigPath is $FBSQL_CONFIG, else <user config dir>/fbsql/config.
func DefaultConfigPath() string {
	if p := os.Getenv("FBSQL_CONFIG"); p != "" {
		return p
	}
	dir, err := os.UserConfigDir()
	if err != nil {
		return ""
	}
	return filepath.Join(dir, "fbsql", "config")
}

// loadProfile reads the named profile ("" = "default", which may be
// absent). A missing file is no error unless a profile was named.
func loadProfile(path, name string, warn io.Writer) (profile, error) {
	explicit := name != ""
	if name == "" {
		name = "default"
	}
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) || path == "" {
		if explicit {
			return profile{}, configErrorf("--profile %s: no config file at %s", name, path)
		}
		return profile{}, nil
	}
	if err != nil {
		return profile{}, configErrorf("read config: %v", err)
	}
	defer f.Close()
	profiles, err := parseConfig(f, path)
	if err != nil {
		return profile{}, err
	}
	p, ok := profiles[name]
	if !ok {
		if !explicit {
			return profile{}, nil
		}
		var names []string
		for n := range profiles {
			names = append(names, n)
		}
		sort.Strings(names)
		return profile{}, configErrorf("--profile %s: no such profile in %s; profiles: %s", name, path, strings.Join(names, ", "))
	}
	if st, err := f.Stat(); err == nil && (p.Token != "" || p.AppSecret != "") && st.Mode().Perm()&0o077 != 0 {
		fmt.Fprintf(warn, "warning: %s holds an access token or app secret and is readable by others; run chmod 600 %s\n", path, path)
	}
	return *p, nil
}

// parseConfig reads an INI-style file: [profile] headers, key = value
// lines, # comments.
func parseConfig(r io.Reader, path string) (map[string]*profile, error) {
	profiles := map[string]*profile{}
	var cur *profile
	sc := bufio.NewScanner(r)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		switch {
		case line == "" || strings.HasPrefix(line, "#") || strings.HasPrefix(line, ";"):
		case strings.HasPrefix(line, "[") && strings.HasSuffix(line, "]"):
			name := strings.TrimSpace(line[1 : len(line)-1])
			if profiles[name] == nil {
				profiles[name] = &profile{}
			}
			cur = profiles[name]
		default:
			key, val, ok := strings.Cut(line, "=")
			key = strings.ToLower(strings.TrimSpace(key))
			set, known := profileKeys[key]
			switch {
			case !ok:
				return nil, configErrorf("%s:%d: expected key = value or [profile]", path, n)
			case cur == nil:
				return nil, configErrorf("%s:%d: %s is outside any [profile] section", path, n, key)
			case !known:
				return nil, configErrorf("%s:%d: unknown key %q; keys are %s", path, n, key, strings.Join(sortedKeys(), ", "))
			}
			if err := set(cur, strings.Trim(strings.TrimSpace(val), `"`)); err != nil {
				return nil, configErrorf("%s:%d: %s: %v", path, n, key, err)
			}
		}
	}
	if err := sc.Err(); err != nil {
		return nil, configErrorf("read %s: %v", path, err)
	}
	return profiles, nil
}

func sortedKeys() []string {
	var out []string
	for k := range profileKeys {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func splitList(v string) []string {
	var out []string
	for _, a := range strings.Split(v, ",") {
		if a = strings.TrimSpace(a); a != "" {
			out = append(out, a)
		}
	}
	return out
}
