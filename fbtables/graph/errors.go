package graph

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/url"
	"regexp"
	"sort"
	"strings"
)

// APIError is an error the Graph API reported (an `error` body, on any HTTP status) or an answer
// that could not be understood (a non-JSON body, an unexpected status). Callers branch on it with
// errors.As: Temporary, RateLimited and Permanent say what retrying would achieve.
type APIError struct {
	HTTPStatus int    // HTTP status of the response
	Code       int    // error.code; 0 when the body was not a Graph error
	Subcode    int    // error.error_subcode
	Type       string // error.type, e.g. OAuthException
	Message    string // error.message verbatim (token scrubbed)
	FBTraceID  string // error.fbtrace_id, what Meta support asks for
	// IsTransient is the API's own is_transient flag.
	IsTransient bool
	// NotTransient is set when the body said is_transient:false outright (absent is not false).
	NotTransient bool
	UserTitle    string // error.error_user_title
	UserMsg      string // error.error_user_msg
	Path         string // request path (no query string, no token)
	tooLarge     bool   // the body passed the client's MaxBody
}

// Error formats e as `graph API error 100 (subcode 33) on act_1/insights: (#100) …`, keeping the
// API's message verbatim because Meta's wording is what users search for.
func (e *APIError) Error() string {
	var b strings.Builder
	b.WriteString("graph API error")
	if e.Code != 0 {
		fmt.Fprintf(&b, " %d", e.Code)
		if e.Subcode != 0 {
			fmt.Fprintf(&b, " (subcode %d)", e.Subcode)
		}
	} else if e.HTTPStatus != 0 {
		fmt.Fprintf(&b, " (HTTP %d)", e.HTTPStatus)
	}
	if e.Path != "" {
		b.WriteString(" on " + e.Path)
	}
	b.WriteString(": " + e.Message)
	if e.UserMsg != "" && e.UserMsg != e.Message {
		b.WriteString("; " + e.UserMsg)
	}
	if e.FBTraceID != "" {
		b.WriteString(" [fbtrace_id " + e.FBTraceID + "]")
	}
	return b.String()
}

// Temporary reports whether the same request may succeed later: is_transient, HTTP 5xx, and the
// codes Meta documents as intermittent (1, 2, -1, -2).
func (e *APIError) Temporary() bool { return e.class() == classTransient }

// RateLimited reports a throttle (codes 4, 17, 32, 613, 80000–80014, or HTTP 429): the request
// is fine but must wait.
func (e *APIError) RateLimited() bool { return e.class() == classRateLimited }

// TooBig reports the API asking for less data per request: the data-per-call limit
// (100/1487534), "Please reduce the amount of data you're asking for" (code 1, often HTTP 500)
// and Report Too Large (-3, 1504045). Repeating the same request cannot help; split it or run
// it as an async report instead, at once.
func (e *APIError) TooBig() bool { return e.class() == classTooBig }

// SyncTimeout reports an insights request the API gave up on (100/1504018, 2/1504038). It is
// retried like a transient error; a caller whose retries ran out may ask for less instead.
func (e *APIError) SyncTimeout() bool {
	return (e.Code == 100 && e.Subcode == 1504018) || (e.Code == 2 && e.Subcode == 1504038)
}

// Permanent reports an error that repeating the request cannot fix (100, 190, 200, 3018, 2635,
// 10, 102, 104, …): fail fast with the API's message.
func (e *APIError) Permanent() bool { return e.class() == classPermanent }

// class is what retrying an error can achieve.
type class int

const (
	classUnknown class = iota
	classTransient
	classRateLimited
	classPermanent
	classTooBig
)

// codeClasses maps Graph API error codes (a range, inclusive) and optionally one subcode to a
// class. An entry with a subcode beats one without. Sources: reference §5.2–5.4.
var codeClasses = []struct {
	lo, hi  int
	subcode int // 0 matches any subcode
	class   class
}{
	{1, 1, 0, classTransient},             // unknown error; Meta: retry
	{2, 2, 0, classTransient},             // service temporarily unavailable
	{2, 2, 1504038, classTransient},       // insights sync request timed out
	{2, 2, 1504043, classTransient},       // intermittent error, retry later
	{2, 2, 1504044, classTransient},       // unknown error occurred
	{2, 2, 1504041, classPermanent},       // invalid breakdowns: the same request fails again
	{2, 2, 1504042, classPermanent},       // invalid custom metrics
	{-1, -1, 0, classTransient},           // internal error
	{-2, -2, 0, classTransient},           // async report failed, try again later
	{-3, -3, 0, classTooBig},              // report too large: ask for less, not again
	{4, 4, 0, classRateLimited},           // app / insights platform throttle
	{17, 17, 0, classRateLimited},         // user / ad-account score limit
	{32, 32, 0, classRateLimited},         // page request limit
	{613, 613, 0, classRateLimited},       // rate limit / QPS
	{80000, 80014, 0, classRateLimited},   // business use case throttles
	{10, 10, 0, classPermanent},           // app lacks permission
	{100, 100, 0, classPermanent},         // invalid parameter
	{102, 102, 0, classPermanent},         // session key invalid
	{104, 104, 0, classPermanent},         // incorrect signature
	{190, 190, 0, classPermanent},         // invalid access token
	{200, 299, 0, classPermanent},         // permission errors
	{294, 294, 0, classPermanent},         // ads_management not granted
	{368, 368, 0, classPermanent},         // deemed abusive
	{2500, 2500, 0, classPermanent},       // error parsing graph query
	{2635, 2635, 0, classPermanent},       // deprecated API version
	{2642, 2642, 0, classPermanent},       // invalid cursor
	{3018, 3018, 0, classPermanent},       // start date beyond 37 months
	{100, 100, 1487534, classTooBig},      // data-per-call limit: ask for less
	{0, 0, 1504045, classTooBig},          // Report Too Large, whatever the code
	{100, 100, 3191001, classPermanent},   // insights permission error
	{4, 4, 1504022, classRateLimited},     // too many API requests
	{17, 17, 2446079, classRateLimited},   // ad-account API-level limit
	{613, 613, 1487742, classRateLimited}, // too many calls from this ad account
}

// lookupClass finds the class the table gives code and subcode, or classUnknown.
func lookupClass(code, subcode int) class {
	found := classUnknown
	for _, e := range codeClasses {
		if e.lo == 0 && e.hi == 0 && e.subcode == subcode && subcode != 0 {
			return e.class // a subcode that means the same under any code
		}
		if code < e.lo || code > e.hi {
			continue
		}
		if e.subcode == subcode && subcode != 0 {
			return e.class
		}
		if e.subcode == 0 {
			found = e.class
		}
	}
	return found
}

// reduceData is the wording of the API's size answer under code 1 (reference §5.2).
const reduceData = "reduce the amount of data"

// class combines the table with the API's own hints. Throttles come first so a throttle flagged
// is_transient still waits as told; a size answer next, because it is a signal to ask for less
// at once rather than a failure to repeat; an explicit permanent code wins over HTTP 5xx because
// repeating an invalid request cannot help. is_transient:false stated outright makes code 1
// (otherwise "unknown error, retry") permanent, as the API means it.
func (e *APIError) class() class {
	byCode := classUnknown
	if e.Code != 0 || e.Subcode != 0 {
		byCode = lookupClass(e.Code, e.Subcode)
	}
	switch {
	case byCode == classRateLimited, e.Code == 0 && e.HTTPStatus == 429:
		return classRateLimited
	case byCode == classTooBig, e.tooLarge, e.Code == 1 && strings.Contains(strings.ToLower(e.Message), reduceData):
		return classTooBig
	case e.IsTransient:
		return classTransient
	case e.Code == 1 && e.NotTransient:
		return classPermanent
	case byCode != classUnknown:
		return byCode
	case e.HTTPStatus >= 500:
		return classTransient
	}
	return classPermanent
}

// errorBody is the `error` object of a Graph API response (reference §5.3). Codes are
// json.Number because some proxies send them as strings.
type errorBody struct {
	Message     string      `json:"message"`
	Type        string      `json:"type"`
	Code        json.Number `json:"code"`
	Subcode     json.Number `json:"error_subcode"`
	FBTraceID   string      `json:"fbtrace_id"`
	IsTransient *bool       `json:"is_transient"`
	UserTitle   string      `json:"error_user_title"`
	UserMsg     string      `json:"error_user_msg"`
}

// maxSnippet bounds how much of an unparseable body goes into an error message.
const maxSnippet = 200

// checkBody scans a response once and turns it into an *APIError when it is not a successful
// JSON answer: an `error` key on any status (PY treats a 200 with `error` as a failure too), a
// non-JSON or truncated body, or a non-2xx status without an error object.
//
// With a PageReader, a successful 2xx page is read in one pass: its rows go to pr as they are
// met, and the page comes back with read set; the caller keeps or drops them. Any other body
// (or one the one-pass scan leaves alone) is scanned the classic way, with nothing left read.
func (c *Client) checkBody(status int, path string, body []byte, pr PageReader) (scannedPage, *APIError) {
	if pr != nil && status >= 200 && status <= 299 {
		if page, ok := scanPageRows(body, pr); ok {
			if len(page.errRaw) == 0 || string(page.errRaw) == "null" {
				return page, nil
			}
			pr.DropPage() // an error member: the classic scan below reports it
		}
	}
	page, err := scanPage(body, c.callerChecksRows || pr != nil)
	if err != nil {
		msg := fmt.Sprintf("HTTP %d with a non-JSON or truncated body (%d bytes): %q", status, len(body), c.snippet(body))
		// A cut-off body or an HTML error page says nothing about the
		// request itself: the same request usually succeeds next time.
		return page, &APIError{HTTPStatus: status, Path: path, Message: msg, IsTransient: true}
	}
	if len(page.errRaw) > 0 && string(page.errRaw) != "null" {
		return page, c.parseError(status, path, page.errRaw)
	}
	if status < 200 || status > 299 {
		msg := fmt.Sprintf("unexpected HTTP status %d without an error object", status)
		return page, &APIError{HTTPStatus: status, Path: path, Message: msg}
	}
	return page, nil
}

// parseError decodes the `error` value; anything but the documented object is kept verbatim
// as the message so nothing the server said is lost.
func (c *Client) parseError(status int, path string, raw json.RawMessage) *APIError {
	var eb errorBody
	if err := json.Unmarshal(raw, &eb); err != nil {
		var s string
		if json.Unmarshal(raw, &s) != nil {
			s = string(raw)
		}
		return &APIError{HTTPStatus: status, Path: path, Message: c.redact(s)}
	}
	code, _ := eb.Code.Int64()
	sub, _ := eb.Subcode.Int64()
	return &APIError{
		HTTPStatus:   status,
		Code:         int(code),
		Subcode:      int(sub),
		Type:         c.redact(eb.Type),
		Message:      c.redact(eb.Message),
		FBTraceID:    c.redact(eb.FBTraceID),
		IsTransient:  eb.IsTransient != nil && *eb.IsTransient,
		NotTransient: eb.IsTransient != nil && !*eb.IsTransient,
		UserTitle:    c.redact(eb.UserTitle),
		UserMsg:      c.redact(eb.UserMsg),
		Path:         path,
	}
}

// transportError is a failure below HTTP: no connection, a reset, a timeout, a cut-off body.
type transportError struct {
	base    string // base URL, to say where we tried to go
	reason  string // scrubbed cause
	reached bool   // false when no connection was made (dial or DNS failure)
	refused bool   // connection refused: nothing listens there, so retrying rarely helps
	err     error
}

// Error says where and why, never the full request URL.
func (e *transportError) Error() string {
	if !e.reached {
		return "cannot reach the Graph API at " + e.base + ": " + e.reason
	}
	return "request to the Graph API at " + e.base + " failed: " + e.reason
}

// timeout reports a request that waited too long for headers or for the next byte of its body.
func (e *transportError) timeout() bool {
	if errors.Is(e.err, errIdle) {
		return true
	}
	var ne net.Error
	return errors.As(e.err, &ne) && ne.Timeout() || strings.Contains(e.reason, "timeout awaiting response headers")
}

// Unwrap exposes the cause so callers can test for timeouts or syscall errors.
func (e *transportError) Unwrap() error { return e.err }

// redactedError hides a token that reached an error string despite the scrubbing at the source.
type redactedError struct {
	msg string
	err error
}

// Error returns the scrubbed text.
func (e *redactedError) Error() string { return e.msg }

// Unwrap keeps errors.Is/As working (context.Canceled, *APIError).
func (e *redactedError) Unwrap() error { return e.err }

// tokenParam matches an access_token in any URL or form text a server might echo back. The
// value may not start with '[' so that redacting twice changes nothing.
var tokenParam = regexp.MustCompile(`(?i)(access_token=)[^&\s"'<>\[\];,]+`)

// authHeader matches the value of an Authorization header or a Bearer credential a server
// echoes back (an HTML error page listing the request's headers), whoever's token it is.
// Group 2 is the value; a value starting with '[' is already redacted.
var authHeader = regexp.MustCompile(`(?i)(authorization["']?\s*[:=]\s*["']?(?:(?:bearer|basic|oauth)\s+)?|bearer\s+)([^\s"'<>&,;\[][^\s"'<>&,;]*)`)

// redactAuth replaces Authorization and Bearer values by [redacted]. A bare scheme word is not
// a credential: it is what the match falls back to when the credential after it is redacted.
// After a lone "Bearer" only a token-like value (minTokenish characters or more) counts, so prose
// such as "bearer token required" is kept.
func redactAuth(s string) string {
	var b strings.Builder
	last := 0
	for _, m := range authHeader.FindAllStringSubmatchIndex(s, -1) {
		switch strings.ToLower(s[m[4]:m[5]]) {
		case "bearer", "basic", "oauth":
			continue
		}
		if !strings.HasPrefix(strings.ToLower(s[m[2]:m[3]]), "authorization") && m[5]-m[4] < minTokenish {
			continue
		}
		b.WriteString(s[last:m[4]])
		b.WriteString("[redacted]")
		last = m[5]
	}
	if last == 0 {
		return s
	}
	b.WriteString(s[last:])
	return b.String()
}

// minTokenish is the shortest value after a lone "Bearer" taken for a credential.
const minTokenish = 12

// minPrefix is the shortest piece of a secret redacted where it stands alone: a server may echo
// a token cut short, and a snippet may end in the middle of one.
const minPrefix = 8

// redact removes the token and the app secret (raw, URL-encoded or base64, whole or a cut-off
// prefix of at least minPrefix characters), Authorization and Bearer values, and any
// access_token=… from s.
func (c *Client) redact(s string) string {
	for _, secret := range []string{c.token, c.secret} {
		if secret == "" {
			continue
		}
		for _, form := range secretForms(secret) {
			s = strings.ReplaceAll(s, form, "[redacted]")
		}
		for _, form := range secretForms(secret) {
			s = redactPrefixes(s, form)
		}
	}
	s = redactAuth(s)
	return tokenParam.ReplaceAllString(s, "${1}[redacted]")
}

// redactPrefixes replaces every run of s that is a prefix of secret at least minPrefix long,
// or that ends s and is at least 4 characters long (a snippet cut inside the secret).
func redactPrefixes(s, secret string) string {
	if len(secret) < minPrefix {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		n := 0
		for n < len(secret) && i+n < len(s) && s[i+n] == secret[n] {
			n++
		}
		if n >= minPrefix || (n >= 4 && i+n == len(s)) {
			b.WriteString("[redacted]")
			i += n
			continue
		}
		b.WriteByte(s[i])
		i++
	}
	return b.String()
}

// snippet is the start of a body fit for an error message: redacted before it is cut, so a
// token the body echoes cannot be split into a prefix that escapes redaction, and cut at
// maxSnippet bytes afterwards.
func (c *Client) snippet(body []byte) string {
	// Redacting replaces secrets by something shorter, so a window a few secrets longer than the
	// snippet holds every secret that could end up in it.
	window := maxSnippet + 4*(len(c.token)+len(c.secret)) + 64
	s := c.redact(string(body[:min(len(body), window)]))
	if len(s) > maxSnippet {
		s = c.redact(s[:maxSnippet])
	}
	return s
}

// secretForms are the ways a server may echo a secret: raw, URL-encoded and base64 (as in a
// Basic authorization header), longest first so a shorter form does not break up a longer one.
func secretForms(secret string) []string {
	b := []byte(secret)
	forms := []string{base64.StdEncoding.EncodeToString(b), base64.URLEncoding.EncodeToString(b),
		url.QueryEscape(secret), url.PathEscape(secret),
		base64.RawStdEncoding.EncodeToString(b), base64.RawURLEncoding.EncodeToString(b), secret}
	sort.SliceStable(forms, func(i, j int) bool { return len(forms[i]) > len(forms[j]) })
	return forms
}

// scrub is the last line of defence on every error leaving the package.
func (c *Client) scrub(err error) error {
	if err == nil {
		return nil
	}
	if msg := err.Error(); c.redact(msg) != msg {
		return &redactedError{msg: c.redact(msg), err: err}
	}
	return err
}
