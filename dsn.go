package fbsql

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// dsnKeys set the Options field of each DSN key.
var dsnKeys = map[string]func(*Options, string) error{
	"demo": func(o *Options, v string) error {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return fmt.Errorf("%q is not a boolean; use true or false", v)
		}
		o.Demo = b
		return nil
	},
	"accounts": func(o *Options, v string) error {
		o.Accounts = splitList(v)
		return checkAccounts(o.Accounts)
	},
	"profile":             func(o *Options, v string) error { o.Profile = v; return nil },
	"config":              func(o *Options, v string) error { o.ConfigFile = v; return nil },
	"graph_url":           func(o *Options, v string) error { o.GraphURL = v; return nil },
	"api_version":         func(o *Options, v string) error { o.APIVersion = v; return nil },
	"attribution_windows": func(o *Options, v string) error { o.AttributionWindows = v; return nil },
	"token_file":          func(o *Options, v string) error { o.TokenFile = v; return nil },
	"cache": func(o *Options, v string) error {
		if v != "on" && v != "off" && v != "refresh" {
			return fmt.Errorf("%q: use on, off or refresh", v)
		}
		o.Cache = v
		return nil
	},
}

// ParseDSN reads a data source name of space-separated key=value pairs,
// as libpq does: demo=true, accounts=act_1,act_2, profile=NAME,
// config=PATH, graph_url=URL, api_version=v25.0, cache=on|off|refresh,
// attribution_windows=7d_click,1d_view, token_file=PATH. A value may be
// single-quoted to hold spaces. The access token is never taken from a
// DSN, which ends up in logs: it comes from FB_ACCESS_TOKEN, token_file or
// the profile.
func ParseDSN(dsn string) (Options, error) {
	var o Options
	rest := strings.TrimSpace(dsn)
	for rest != "" {
		key, after, ok := strings.Cut(rest, "=")
		key = strings.TrimSpace(key)
		if !ok || key == "" || strings.ContainsAny(key, " \t") {
			return o, configErrorf("dsn: expected key=value pairs separated by spaces, such as demo=true accounts=act_1")
		}
		var val string
		after = strings.TrimLeft(after, " \t")
		if strings.HasPrefix(after, "'") {
			end := strings.Index(after[1:], "'")
			if end < 0 {
				return o, configErrorf("dsn: the quoted value of %s has no closing quote", key)
			}
			val, rest = after[1:1+end], after[2+end:]
		} else {
			end := strings.IndexAny(after, " \t")
			if end < 0 {
				end = len(after)
			}
			val, rest = after[:end], after[end:]
		}
		rest = strings.TrimSpace(rest)
		if key == "token" || key == "access_token" || key == "password" {
			return Options{}, configErrorf("dsn: %s is not accepted, because a DSN ends up in logs; set FB_ACCESS_TOKEN or token_file=PATH", key)
		}
		set, known := dsnKeys[key]
		if !known {
			return o, configErrorf("dsn: unknown key %q; keys are %s", key, strings.Join(dsnKeyNames(), ", "))
		}
		if err := set(&o, val); err != nil {
			return o, configErrorf("dsn: %s: %v", key, err)
		}
	}
	return o, nil
}

func dsnKeyNames() []string {
	var out []string
	for k := range dsnKeys {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
