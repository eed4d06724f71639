package graph

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/fbsql/fbsql/fbtables"
	"io"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"time"
	"unicode"
)

// DefaultVersion is the Graph API version used when Config.Version is
// empty. It is the catalog's: field availability is data keyed by version.
const DefaultVersion = fbtables.DefaultVersion

// DefaultBaseURL is the real Graph API host.
const DefaultBaseURL = "https://graph.facebook.com"

const (
	userAgent         = "fbsql/0.1"
	defaultMaxRetries = 4
	// DefaultMaxWait is the longest wait fbsql accepts from a throttle answer; beyond it the
	// request fails with the time access returns.
	DefaultMaxWait = 15 * time.Minute
	// NoticeAfter is the shortest wait Config.Notice is told about.
	NoticeAfter = 10 * time.Second
)

// versionRE is the check Meta's Python SDK applies to api_version.
var versionRE = regexp.MustCompile(`^v[0-9]+\.[0-9]+$`)

// Config configures a Client. Only Token is required.
type Config struct {
	// BaseURL defaults to DefaultBaseURL. http:// is allowed only for loopback hosts
	// (127.0.0.0/8, ::1, localhost), because the token would otherwise cross the network in clear.
	BaseURL string
	// Version defaults to DefaultVersion and must match v<major>.<minor>.
	Version string
	// Token is the access token, sent only in the Authorization header.
	Token string
	// AppSecret, if set, adds appsecret_proof (hex HMAC-SHA256 of Token keyed by AppSecret) to
	// every request, as apps with "Require App Secret" demand. The proof may travel in a URL:
	// it cannot be turned back into the token or the secret, and it is useless with another
	// token. The secret itself is never sent, and is redacted like the token.
	AppSecret string
	// HTTPClient defaults to a client with connect, header and overall timeouts.
	HTTPClient *http.Client
	// MaxRetries bounds retries of transient and rate-limit failures; 0 means 4, negative means none.
	MaxRetries int
	// Sleep waits between retries; the default is a timer that returns early with ctx.Err().
	// Tests inject one to record waits instead of sleeping.
	Sleep func(ctx context.Context, d time.Duration) error
	// OnResponse, if set, is called after every HTTP response, including failed and retried
	// ones, so callers can count requests and read throttle headers.
	OnResponse func(ResponseInfo)
	// TimeoutRetries bounds retries of a request whose headers timed out or whose body
	// stalled; 0 means 1, negative means none. A server that hangs then costs two timeouts.
	TimeoutRetries int
	// MaxWait is the longest wait a throttle answer may impose (default DefaultMaxWait); a
	// longer one fails at once with a *ThrottledError saying until when.
	MaxWait time.Duration
	// IdleTimeout abandons a response that sends no byte for this long (default
	// DefaultIdleTimeout); a body that keeps arriving has no overall limit.
	IdleTimeout time.Duration
	// MaxBody is the largest response read (default DefaultMaxBody); a larger one is a TooBig
	// *APIError, a signal to ask for less.
	MaxBody int
	// MaxBytesInFlight bounds the response bytes held at once (default DefaultMaxBytesInFlight).
	MaxBytesInFlight int
	// MaxPages bounds the pages one Get reads (default DefaultMaxPages).
	MaxPages int
	// Throttle, if set, steers how many requests are in flight per ad account and in all from
	// the usage headers of every response; nil sends requests as they come.
	Throttle *Throttle
	// Notice, if set, is told of every wait longer than NoticeAfter before it starts, so a
	// user sees why nothing happens.
	Notice func(msg string)
	// CallerChecksRows says every row callback checks its row's JSON grammar itself (a full
	// decode does): Get then only delimits the rows of a page instead of checking them too,
	// so each row's bytes are read once. Rows are still valid UTF-8, a cut-off or unbalanced
	// page is still retried, and every other member of the body is still checked; a row
	// that is malformed inside is left for the callback to reject.
	CallerChecksRows bool
}

// ResponseInfo describes one HTTP exchange for Config.OnResponse.
type ResponseInfo struct {
	Method   string        // GET or POST
	Path     string        // the path given to Get/GetObject/Post, without version or query
	Status   int           // HTTP status
	Duration time.Duration // from sending the request to reading the whole body
	Header   http.Header   // response headers (x-business-use-case-usage and friends)
}

// Client talks to one Graph API base URL with one token. It is safe for concurrent use.
type Client struct {
	base       *url.URL
	version    string
	token      string
	secret     string // app secret, kept only to redact it
	proof      string // appsecret_proof, "" without an app secret
	hc         *http.Client
	maxRetries int
	sleep      func(ctx context.Context, d time.Duration) error
	onResponse func(ResponseInfo)
	maxWait    time.Duration
	idle       time.Duration
	maxBody    int
	budget     *budget
	notice     func(string)
	timeouts   int // retries of timed-out requests
	maxPages   int
	// callerChecksRows is Config.CallerChecksRows.
	callerChecksRows bool
	throttle         *throttle // nil without Config.Throttle
}

// New validates cfg and returns a Client. It makes no request.
func New(cfg Config) (*Client, error) {
	if cfg.Token == "" {
		return nil, errors.New("no Graph API access token: set FB_ACCESS_TOKEN (or the token in the config file)")
	}
	if strings.IndexFunc(cfg.Token, badSecretRune) >= 0 {
		return nil, errors.New("the Graph API access token contains spaces or control characters: check FB_ACCESS_TOKEN (or the token in the config file)")
	}
	if strings.IndexFunc(cfg.AppSecret, badSecretRune) >= 0 {
		return nil, errors.New("the app secret contains spaces or control characters: check FB_APP_SECRET (or app_secret in the config file)")
	}
	raw := cfg.BaseURL
	if raw == "" {
		raw = DefaultBaseURL
	}
	base, err := parseBaseURL(raw)
	if err != nil {
		return nil, err
	}
	c := &Client{
		base:             base,
		version:          cfg.Version,
		token:            cfg.Token,
		secret:           cfg.AppSecret,
		hc:               cfg.HTTPClient,
		maxRetries:       cfg.MaxRetries,
		sleep:            cfg.Sleep,
		onResponse:       cfg.OnResponse,
		maxWait:          orDefault(cfg.MaxWait, DefaultMaxWait),
		idle:             orDefault(cfg.IdleTimeout, DefaultIdleTimeout),
		maxBody:          orDefault(cfg.MaxBody, DefaultMaxBody),
		notice:           cfg.Notice,
		maxPages:         orDefault(cfg.MaxPages, DefaultMaxPages),
		callerChecksRows: cfg.CallerChecksRows,
		timeouts:         max(0, orDefault(cfg.TimeoutRetries, timeoutRetries)),
	}
	if cfg.TimeoutRetries < 0 {
		c.timeouts = 0
	}
	if cfg.Throttle != nil {
		c.throttle = newThrottle(*cfg.Throttle, c.maxWait, cfg.Notice)
	}
	c.budget = newBudget(c.maxBody, max(orDefault(cfg.MaxBytesInFlight, DefaultMaxBytesInFlight), c.maxBody))
	if cfg.AppSecret != "" {
		c.proof = AppSecretProof(cfg.Token, cfg.AppSecret)
	}
	if c.version == "" {
		c.version = DefaultVersion
	}
	if !versionRE.MatchString(c.version) {
		return nil, fmt.Errorf("invalid Graph API version %q: want the form v25.0", c.version)
	}
	if c.hc == nil {
		c.hc = DefaultHTTPClient()
	}
	if c.hc.CheckRedirect == nil {
		hc := *c.hc
		hc.CheckRedirect = refuseRedirect
		c.hc = &hc
	}
	switch {
	case c.maxRetries == 0:
		c.maxRetries = defaultMaxRetries
	case c.maxRetries < 0:
		c.maxRetries = 0
	}
	if c.sleep == nil {
		c.sleep = Sleep
	}
	return c, nil
}

// orDefault is v, or def when v is zero or negative.
func orDefault[T int | time.Duration](v, def T) T {
	if v <= 0 {
		return def
	}
	return v
}

// refuseRedirect stops any redirect: the Graph API does not redirect API calls, and following
// one could send the token in clear (https → http) or take rows from another host.
func refuseRedirect(req *http.Request, via []*http.Request) error {
	return fmt.Errorf("%w to %s://%s%s; the Graph API does not redirect, so fbsql refuses to follow: check the base URL",
		ErrRedirect, req.URL.Scheme, req.URL.Host, req.URL.Path)
}

// ErrRedirect is a server answering with a redirect, which the client never follows.
var ErrRedirect = errors.New("the server redirected")

// badSecretRune reports a rune no token or app secret holds. Catching it here gives a clear
// error instead of a header net/http refuses, or an endless "invalid token" from the API for a
// token pasted with a stray space or newline.
func badSecretRune(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }

// parseBaseURL accepts https anywhere and http only on loopback.
func parseBaseURL(raw string) (*url.URL, error) {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return nil, fmt.Errorf("invalid Graph API base URL %q: want e.g. %s", raw, DefaultBaseURL)
	}
	switch u.Scheme {
	case "https":
	case "http":
		if !isLoopback(u.Hostname()) {
			return nil, fmt.Errorf("refusing base URL %q: plain http:// would send the access token unencrypted; use https:// (http:// is allowed only for loopback hosts)", raw)
		}
	default:
		return nil, fmt.Errorf("invalid Graph API base URL %q: scheme must be https", raw)
	}
	if u.User != nil || u.RawQuery != "" || u.Fragment != "" {
		return nil, fmt.Errorf("invalid Graph API base URL %q: no user info, query or fragment allowed", raw)
	}
	u.Path = strings.TrimRight(u.Path, "/")
	u.RawPath = ""
	return u, nil
}

// isLoopback reports whether host names this machine: localhost, 127.0.0.0/8 or ::1.
func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// HeaderTimeout is how long DefaultHTTPClient waits for a response's headers: insights calls
// can legitimately take a minute or two before answering. A request whose headers time out is
// tried once more, not more.
const HeaderTimeout = 3 * time.Minute

// DefaultHTTPClient is the client used when Config.HTTPClient is nil. It bounds the connection
// and the wait for headers; the body has no overall limit, but the client abandons one that
// stalls (Config.IdleTimeout). It follows no redirect.
func DefaultHTTPClient() *http.Client {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.ResponseHeaderTimeout = HeaderTimeout
	t.TLSHandshakeTimeout = 15 * time.Second
	// Keep a connection for every request the throttle lets run at once: Go keeps 2 idle per
	// host by default, so with more in flight most connections were closed after one answer
	// and dialled again (a TLS handshake each, against the real API).
	t.MaxIdleConnsPerHost = DefaultMaxInFlight
	t.MaxIdleConns = max(t.MaxIdleConns, DefaultMaxInFlight)
	return &http.Client{Transport: t, CheckRedirect: refuseRedirect}
}

// GetObject fetches a single node (no paging) and decodes the body into out, with numbers as
// json.Number when out holds generic values.
func (c *Client) GetObject(ctx context.Context, path string, params Params, out any) error {
	u, err := c.endpoint(path, params, http.MethodGet)
	if err != nil {
		return err
	}
	body, _, err := c.do(ctx, request{method: http.MethodGet, path: path, url: u})
	if err != nil {
		return c.scrub(fmt.Errorf("get %s: %w", path, err))
	}
	defer body.release()
	return c.scrub(decodeInto(body.data, path, out))
}

// Post sends a form-encoded POST and decodes the JSON response into out. Posts are retried like
// reads: the ones fbsql sends (starting async report runs) are safe to repeat.
func (c *Client) Post(ctx context.Context, path string, params Params, out any) error {
	u, err := c.endpoint(path, nil, http.MethodPost)
	if err != nil {
		return err
	}
	form, err := params.encode(http.MethodPost)
	if err != nil {
		return fmt.Errorf("post %s: %w", path, err)
	}
	c.authParams(form)
	body, _, err := c.do(ctx, request{method: http.MethodPost, path: path, url: u, form: form.Encode()})
	if err != nil {
		return c.scrub(fmt.Errorf("post %s: %w", path, err))
	}
	defer body.release()
	return c.scrub(decodeInto(body.data, path, out))
}

// endpoint builds {base}/{version}/{path}?params.
func (c *Client) endpoint(path string, params Params, method string) (*url.URL, error) {
	if strings.ContainsAny(path, "?#") {
		return nil, fmt.Errorf("graph path %q must not contain a query string: pass Params", path)
	}
	q, err := params.encode(method)
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", strings.ToLower(method), path, err)
	}
	if method == http.MethodGet {
		c.authParams(q) // a POST carries them in its form
	}
	u := *c.base
	u.Path = c.base.Path + "/" + c.version + "/" + strings.TrimLeft(path, "/")
	u.RawQuery = q.Encode()
	return &u, nil
}

// AppSecretProof is the appsecret_proof Meta expects with token when the app secret is
// secret: the hex HMAC-SHA256 of the token keyed by the secret.
func AppSecretProof(token, secret string) string {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(token))
	return hex.EncodeToString(mac.Sum(nil))
}

// authParams removes any access_token from request parameters (the token goes in the header
// only) and adds appsecret_proof when an app secret is configured.
func (c *Client) authParams(v url.Values) {
	v.Del("access_token")
	if c.proof != "" {
		v.Set("appsecret_proof", c.proof)
	} else {
		v.Del("appsecret_proof")
	}
}

// request is one logical call, sent once or more by do.
type request struct {
	method string
	path   string // caller's path, for errors and OnResponse
	url    *url.URL
	form   string     // POST body
	pages  PageReader // reads a GET's rows during the scan (Rows.Pages), nil otherwise
}

// send performs one HTTP exchange and returns the body of a successful JSON answer, scanned
// once, or an error do can classify: *APIError or *transportError. The header is returned even
// on error so rate-limit waits can be read from it. The caller releases the body.
func (c *Client) send(ctx context.Context, r request) (_ *heldBody, _ scannedPage, header http.Header, _ error) {
	var body io.Reader
	if r.method == http.MethodPost {
		body = strings.NewReader(r.form)
	}
	ctx, idle := newIdleTimer(ctx, c.idle)
	defer idle.stop()
	req, err := http.NewRequestWithContext(ctx, r.method, r.url.String(), body)
	if err != nil {
		return nil, scannedPage{}, nil, fmt.Errorf("build request for %s: %w", r.path, err)
	}
	req.Header.Set("Authorization", "Bearer "+c.token)
	req.Header.Set("User-Agent", userAgent)
	req.Header.Set("Accept", "application/json")
	if body != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	var acct string
	var gr grant
	answered := false
	if c.throttle != nil {
		acct = c.throttle.account(r.path)
		var err error
		if gr, err = c.throttle.acquire(ctx, acct); err != nil {
			return nil, scannedPage{}, nil, err
		}
		defer func() { c.throttle.release(acct, gr, answered) }()
	}
	start := time.Now()
	resp, err := c.hc.Do(req)
	if err != nil {
		return nil, scannedPage{}, nil, c.transportErr(err, false)
	}
	header = resp.Header
	if c.throttle != nil {
		// Read as the headers arrive, before the body: a load reading is compared with the
		// requests in flight when it was taken.
		c.throttle.observe(acct, gr, ParseUsage(header))
		answered = true
	}
	idle.touch()
	held, err := c.readBody(ctx, idleReader{resp.Body, idle})
	resp.Body.Close()
	if c.onResponse != nil {
		c.onResponse(ResponseInfo{Method: r.method, Path: r.path, Status: resp.StatusCode,
			Duration: time.Since(start), Header: resp.Header})
	}
	switch {
	case errors.Is(err, errBodyTooLarge):
		return nil, scannedPage{}, resp.Header, &APIError{HTTPStatus: resp.StatusCode, Path: r.path, tooLarge: true,
			Message: fmt.Sprintf("response larger than %d bytes; ask for less data per request", c.maxBody)}
	case err != nil && context.Cause(ctx) == errIdle:
		return nil, scannedPage{}, resp.Header, c.transportErr(fmt.Errorf("%w for %v while reading the response", errIdle, c.idle), true)
	case err != nil:
		return nil, scannedPage{}, resp.Header, c.transportErr(err, true)
	}
	page, apiErr := c.checkBody(resp.StatusCode, r.path, held.data, r.pages)
	if apiErr != nil {
		held.release()
		return nil, scannedPage{}, resp.Header, apiErr
	}
	return held, page, resp.Header, nil
}

// decodeInto decodes a JSON body into out; UseNumber keeps ids and big counts exact.
func decodeInto(body []byte, path string, out any) error {
	if out == nil {
		return nil
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if err := dec.Decode(out); err != nil {
		return fmt.Errorf("decode response of %s: %w", path, err)
	}
	return nil
}
