package graph

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"strings"
	"syscall"
	"time"
)

// Backoff bounds. Transient errors clear in seconds; throttles without a stated wait need
// longer, since Meta blocks an ad account for 60–300 s once its score is spent (reference §5.5).
const (
	transientBase = time.Second
	transientCap  = 30 * time.Second
	throttleBase  = 15 * time.Second
	throttleCap   = 5 * time.Minute
	// refusedRetries is how often a refused connection is retried: nothing listens at the
	// address, so waiting through a full backoff would only delay the error.
	refusedRetries = 1
)

// do sends r until it succeeds, a permanent error occurs, or retries run out. Each call is one
// page, so a page that fails mid-paging is retried in place: rows already delivered are neither
// repeated nor skipped.
func (c *Client) do(ctx context.Context, r request) ([]byte, error) {
	refused := 0
	for attempt := 0; ; attempt++ {
		body, header, err := c.send(ctx, r)
		if err == nil {
			return body, nil
		}
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		wait, retry := c.retryWait(err, header, attempt)
		if te := (*transportError)(nil); errors.As(err, &te) && te.refused {
			refused++
			retry = retry && refused <= refusedRetries
		}
		if !retry || attempt >= c.maxRetries {
			if attempt > 0 {
				return nil, fmt.Errorf("%w (gave up after %d attempts)", err, attempt+1)
			}
			return nil, err
		}
		if err := c.sleep(ctx, wait); err != nil {
			return nil, err
		}
	}
}

// retryWait decides whether err is worth another attempt and how long to wait first.
func (c *Client) retryWait(err error, header http.Header, attempt int) (time.Duration, bool) {
	var apiErr *APIError
	if errors.As(err, &apiErr) {
		switch apiErr.class() {
		case classRateLimited:
			if d := regainAccess(header); d > 0 {
				return d, true
			}
			return backoff(attempt, throttleBase, throttleCap), true
		case classTransient:
			return backoff(attempt, transientBase, transientCap), true
		}
		return 0, false
	}
	var te *transportError
	if errors.As(err, &te) {
		var certErr *tls.CertificateVerificationError
		if errors.As(te.err, &certErr) {
			return 0, false // a bad certificate will be just as bad next time
		}
		return backoff(attempt, transientBase, transientCap), true
	}
	return 0, false
}

// backoff is exponential with equal jitter: half the delay is fixed so waits keep growing, half
// random so many clients throttled together do not retry in lockstep.
func backoff(attempt int, base, limit time.Duration) time.Duration {
	d := limit
	if attempt < 20 && base<<attempt < limit {
		d = base << attempt
	}
	return d/2 + rand.N(d/2+1)
}

// regainAccess reads estimated_time_to_regain_access (minutes) from x-business-use-case-usage:
// {"<account id>": [{"type": …, "estimated_time_to_regain_access": 5, …}], …}. Key formats vary
// between accounts (reference §5.5), so every key counts and the longest wait wins.
func regainAccess(h http.Header) time.Duration {
	raw := h.Get("X-Business-Use-Case-Usage")
	if raw == "" {
		return 0
	}
	var usage map[string][]struct {
		ETA json.Number `json:"estimated_time_to_regain_access"`
	}
	if json.Unmarshal([]byte(raw), &usage) != nil {
		return 0
	}
	var longest float64
	for _, entries := range usage {
		for _, e := range entries {
			if m, err := e.ETA.Float64(); err == nil && m > longest {
				longest = m
			}
		}
	}
	return time.Duration(longest * float64(time.Minute))
}

// sleepCtx is the default Config.Sleep: a timer that gives up as soon as ctx is done.
func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// transportErr describes a failed exchange without the request URL; reached says whether a
// response had started (a cut-off body) or no connection was made at all.
func (c *Client) transportErr(err error, reached bool) error {
	cause := err
	var ue *url.Error
	if errors.As(err, &ue) {
		cause = ue.Err // url.Error repeats the URL; the base URL in our message is enough
	}
	var opErr *net.OpError
	var dnsErr *net.DNSError
	noConnection := errors.As(cause, &dnsErr) || errors.As(cause, &opErr) && opErr.Op == "dial"
	return &transportError{
		base:    c.base.String(),
		reason:  strings.ReplaceAll(c.redact(cause.Error()), "\n", " "),
		reached: reached || !noConnection,
		refused: errors.Is(cause, syscall.ECONNREFUSED),
		err:     cause,
	}
}
