package sandbox

import (
	"fmt"
	"io"
	"net/http"
	"regexp"
	"sort"
	"strings"
	"sync"
	"time"
)

// Config configures a sandbox Server.
type Config struct {
	Seed  int64            // the world is a pure function of Seed (default 1 when 0)
	Token string           // the only accepted access token; "" means DefaultToken
	Now   func() time.Time // clock; nil means time.Now. "today" is Now() in UTC, as a date
	Log   io.Writer        // if non-nil, one JSON line per request: {"method","path","params"}

	// Accounts and AdsMult scale the world for benchmarks: the number of
	// ad accounts (0 = the default two) and a multiplier of the ads per ad
	// set (0 = 1). The default world is unchanged by either.
	Accounts int
	AdsMult  int

	Model  Model  // realistic mode: latency, async job durations, limits, throttling. Zero value = off (instant, unlimited)
	Faults Faults // injected failures for client tests. Zero value = none
}

// Server is the fake Graph API. It implements http.Handler and is safe for
// concurrent use.
type Server struct {
	token string
	now   func() time.Time
	log   io.Writer
	world *world
	cache *resultCache
	load  *loadState

	model  Model
	faults Faults

	mu      sync.Mutex // guards everything below
	reqs    []Request
	count   uint64 // requests served, for trace ids, usage headers and fault draws
	stats   Stats
	jobs    map[string]*job        // report runs by id
	jobSeq  uint64                 // report runs created, for their ids
	calls   map[string][]time.Time // per account: insights calls in the throttle window, oldest first
	blocked map[string]time.Time   // per account: refused until then
}

// New builds a Server and its synthetic world.
func New(cfg Config) *Server {
	if cfg.Seed == 0 {
		cfg.Seed = 1
	}
	if cfg.Token == "" {
		cfg.Token = DefaultToken
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	s := &Server{token: cfg.Token, now: cfg.Now, log: cfg.Log, cache: newResultCache(resultCacheSize(cfg)), load: newLoadState(cfg.Model),
		model: cfg.Model, faults: cfg.Faults,
		jobs: map[string]*job{}, calls: map[string][]time.Time{}, blocked: map[string]time.Time{}}
	s.world = newWorld(uint64(cfg.Seed), dayTime(s.today()), cfg.Accounts, cfg.AdsMult)
	return s
}

// resultCacheSize sizes the cache of computed results: room for the many
// units per account a client keeps in flight (16 per account), so a page
// is not recomputed because its result was evicted by another unit's; the
// rows cap bounds its memory (~40 B a row).
func resultCacheSize(cfg Config) (entries, rows int) {
	n := max(cfg.Accounts, len(accountSpecs))
	return 16 * n, 3_000_000 + 400_000*n*max(cfg.AdsMult, 1)
}

// AccountIDs returns the bare numeric ids (no "act_") of the sandbox's ad
// accounts, sorted.
func (s *Server) AccountIDs() []string {
	var ids []string
	for _, a := range s.world.accounts {
		ids = append(ids, a.id)
	}
	sort.Strings(ids)
	return ids
}

func (s *Server) today() int { return dayOf(s.now().UTC()) }

func (s *Server) account(id string) *account {
	id = strings.TrimPrefix(id, "act_")
	for _, a := range s.world.accounts {
		if a.id == id {
			return a
		}
	}
	return nil
}

var versionRE = regexp.MustCompile(`^v\d+\.\d+$`)

// call is one request being served: the parsed parts handlers need.
type call struct {
	r      *http.Request
	p      params
	n      uint64   // sequence number of the request
	segs   []string // path segments, version included
	parts  []string // path segments after the version
	header http.Header
	acct   *account // the account the request is about, for usage headers

	owner        *account  // the account the path names, known before routing (throttle, faults)
	insightsCall bool      // counts toward the insights call budget (§5.5)
	usage        *usage    // throttle state for the headers; nil = throttle off
	fault        FaultKind // the fault drawn for this request
	pageRows     int       // rows in the insights page answered
	syncRows     int       // rows in the sync insights page answered (PerRowLatency)
}

// ServeHTTP answers one Graph API request. Every outcome, route misses
// included, is a JSON body in the API's shape, unless a fault says otherwise.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	c := s.newCall(r, w.Header())
	if c.fault = s.drawFault(c); c.fault != "" && s.inject(w, c, c.fault) {
		return
	}
	if c.fault == FaultTruncated {
		s.bump(&s.stats.FaultsInjected)
	}
	if s.isBatch(c) {
		s.serveBatch(w, c)
		return
	}
	s.respond(w, c, true)
}

// newCall logs and numbers a request and resolves what can be known before
// routing: path segments, the account it is about, whether it is an
// insights call.
func (s *Server) newCall(r *http.Request, h http.Header) *call {
	p := readParams(r)
	s.record(r.Method, r.URL.Path, p)
	s.mu.Lock()
	s.count++
	s.stats.Requests++
	n := s.count
	s.mu.Unlock()
	c := &call{r: r, p: p, n: n, header: h}
	c.segs = strings.Split(strings.Trim(r.URL.Path, "/"), "/")
	if versionRE.MatchString(c.segs[0]) {
		c.parts = c.segs[1:]
		s.classify(c)
	}
	return c
}

// classify sets c.owner and c.insightsCall from the path.
func (s *Server) classify(c *call) {
	if len(c.parts) == 0 || len(c.parts) > 2 {
		return
	}
	head, edge := c.parts[0], ""
	if len(c.parts) == 2 {
		edge = c.parts[1]
	}
	if a, _, _, ok := s.insightsTarget(head); ok {
		c.owner = a
		c.insightsCall = edge == "insights"
	} else if j := s.job(head); j != nil {
		c.owner = j.acct
		c.insightsCall = edge == "" || edge == "insights"
	}
}

// respond serves c and writes the answer; outer is false for operations
// inside a batch, whose latency is the batch's.
func (s *Server) respond(w http.ResponseWriter, c *call, outer bool) {
	if c.insightsCall && c.owner != nil && s.model.slots() {
		// The insights load limit (load.go): wait for a slot, hold it for
		// the call's service time; each call of a batch holds its own.
		release, ok := s.acquire(c.r.Context(), c.owner.id)
		if !ok {
			return // the client is gone
		}
		defer release()
		outer = true
	}
	start := time.Now()
	body, err := s.serve(c)
	n := c.n
	w.Header().Set("Content-Type", "application/json; charset=UTF-8")
	trace := traceID(n, c.r.URL.Path)
	w.Header().Set("x-fb-trace-id", trace)
	w.Header().Set("x-app-usage", fmt.Sprintf(`{"call_count":%d,"total_cputime":%d,"total_time":%d}`, n%7, n%3, n%5))
	status := http.StatusOK
	if err != nil {
		status, body = err.Status, errorBody(err, trace)
	}
	out, merr := marshal(body)
	if merr != nil {
		status, out = http.StatusInternalServerError, mustJSON(errorBody(errInternal(merr), trace))
	}
	// The modelled latency includes the time spent computing the answer,
	// as a real server's does: only the rest is slept.
	if outer && !pause(c.r.Context(), s.latency(c)-time.Since(start)) {
		return // the client is gone
	}
	if c.fault == FaultTruncated {
		out = out[:len(out)/2]
	}
	// The load is read as the answer leaves, when it is current.
	s.loadUsage(c)
	s.setUsageHeaders(w.Header(), c, n)
	w.WriteHeader(status)
	_, _ = w.Write(out)
}

func mustJSON(v any) []byte {
	b, _ := marshal(v)
	return b
}

// traceID is an fbtrace_id lookalike. It is derived from the request count
// and path, not randomness, so two servers fed the same requests answer
// byte-identical bodies.
func traceID(n uint64, path string) string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-"
	h := hash2(n, strHash(path))
	b := make([]byte, 11)
	for i := range b {
		b[i] = alphabet[h%64]
		h /= 64
	}
	return string(b)
}

// serve checks version and token, then routes.
func (s *Server) serve(c *call) (any, *apiError) {
	if !versionRE.MatchString(c.segs[0]) {
		return nil, errVersion(c.segs[0])
	}
	if err := s.auth(c); err != nil {
		return nil, err
	}
	if len(c.parts) == 0 || c.parts[0] == "" {
		return nil, errUnsupported(c.r.Method, "")
	}
	if err := s.admit(c); err != nil {
		return nil, err
	}
	if c.r.Method != http.MethodGet && c.r.Method != http.MethodHead {
		if len(c.parts) == 2 && c.parts[1] == "insights" && c.isPost() {
			return s.createReportRun(c)
		}
		return nil, errUnsupported(c.r.Method, c.parts[0])
	}
	return s.route(c)
}

// auth accepts the token from the Authorization header or the access_token
// parameter, as the API does.
func (s *Server) auth(c *call) *apiError {
	tok := ""
	if h := c.r.Header.Get("Authorization"); h != "" {
		tok = strings.TrimSpace(strings.TrimPrefix(strings.TrimPrefix(h, "Bearer "), "OAuth "))
	}
	if tok == "" {
		tok = c.r.Form.Get("access_token")
	}
	switch {
	case tok == "" && len(c.parts) > 0 && c.parts[0] == "me":
		return errNoTokenMe()
	case tok == "":
		return errNoToken()
	case tok != s.token:
		return errBadToken()
	}
	return nil
}

// route dispatches on /me, /act_<id> and entity ids.
func (s *Server) route(c *call) (any, *apiError) {
	head, edge := c.parts[0], ""
	if len(c.parts) == 2 {
		edge = c.parts[1]
	} else if len(c.parts) > 2 {
		return nil, errUnsupported(c.r.Method, head)
	}
	if head == "me" {
		switch edge {
		case "":
			return obj{{"id", "100000000000042"}, {"name", "Sandbox User"}}, nil
		case "adaccounts":
			return s.listAccounts(c)
		}
		return nil, errParam("Tried accessing nonexisting field (%s) on node type (User)", edge)
	}
	if strings.HasPrefix(head, "act_") {
		a := s.account(head)
		if a == nil {
			return nil, errUnsupported(c.r.Method, head)
		}
		c.acct = a
		switch edge {
		case "":
			return s.accountNode(c, a)
		case "campaigns":
			return s.listEntities(c, a, levelCampaign, nil)
		case "adsets":
			return s.listEntities(c, a, levelAdset, nil)
		case "ads":
			return s.listEntities(c, a, levelAd, nil)
		case "insights":
			return s.insights(c, a, levelAccount, nil)
		}
		if e, ok := libraryEdges[edge]; ok {
			return s.listLibrary(c, a, e)
		}
		return nil, errParam("Tried accessing nonexisting field (%s) on node type (AdAccount)", edge)
	}
	node, ok := s.world.byID[head]
	if !ok {
		if j := s.job(head); j != nil {
			return s.reportRun(c, j, edge)
		}
		return nil, errUnsupported(c.r.Method, head)
	}
	return s.routeEntity(c, node, edge)
}

// usageHeaders sets the account-scoped rate-limit headers (§5.5). Values are
// low and move a little with traffic, enough for a client's throttle logic to
// read and never enough to trip it.
func (s *Server) usageHeaders(h http.Header, c *call, n uint64) {
	app, acc := 1+n%9, 1+n%4
	tier := "standard_access"
	if c.insightsCall {
		h.Set("x-fb-ads-insights-throttle", fmt.Sprintf(`{"app_id_util_pct":%d,"acc_id_util_pct":%d,"ads_api_access_tier":%q}`, app, acc, tier))
	}
	h.Set("x-ad-account-usage", fmt.Sprintf(`{"acc_id_util_pct":%d,"reset_time_duration":0,"ads_api_access_tier":%q}`, acc, tier))
	buc := "ads_management"
	if c.insightsCall {
		buc = "ads_insights"
	}
	h.Set("x-business-use-case-usage", fmt.Sprintf(`{"%s":[{"type":%q,"call_count":%d,"total_cputime":%d,"total_time":%d,"estimated_time_to_regain_access":0,"ads_api_access_tier":%q}]}`,
		c.acct.id, buc, acc, n%3, n%5, tier))
}
