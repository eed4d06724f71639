package graph

import (
	"context"
	"crypto/tls"
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
// repeated nor skipped. A request whose headers time out or whose body stalls is tried once
// more, not more: a server that hangs costs two timeouts, not five.
func (c *Client) do(ctx context.Context, r request) (*heldBody, scannedPage, error) {
	refused, timeouts := 0, 0
	for attempt := 0; ; attempt++ {
		body, page, header, err := c.send(ctx, r)
		if err == nil {
			return body, page, nil
		}
		if ctx.Err() != nil {
			return nil, page, ctx.Err()
		}
		wait, retry := c.retryWait(err, header, attempt)
		if te := (*transportError)(nil); errors.As(err, &te) {
			if te.refused {
				refused++
				retry = retry && refused <= refusedRetries
			}
			if te.timeout() {
				timeouts++
				retry = retry && timeouts <= c.timeouts
			}
		}
		if retry && wait > c.maxWait {
			return nil, page, c.throttled(err, header, r.path, wait)
		}
		if !retry || attempt >= c.maxRetries {
			if attempt > 0 {
				return nil, page, fmt.Errorf("%w (gave up after %d attempts)", err, attempt+1)
			}
			return nil, page, err
		}
		if wait > NoticeAfter && c.notice != nil {
			c.notice(fmt.Sprintf("%s: waiting %s before retrying (%s)", r.path, wait.Round(time.Second), c.redact(shortReason(err))))
		}
		if err := c.sleep(ctx, wait); err != nil {
			return nil, page, err
		}
	}
}

// timeoutRetries is how often a request that timed out (headers or a stalled body) is retried
// by default.
const timeoutRetries = 1

// shortReason is the first line of an error, for a notice.
func shortReason(err error) string {
	s := err.Error()
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	if len(s) > 160 {
		s = s[:160] + "…"
	}
	return s
}

// ThrottledError is a throttle whose stated wait is longer than Config.MaxWait: rather than
// sleep for hours, the request fails saying when access returns.
type ThrottledError struct {
	Account string    // act_… the wait applies to, "" when the answer named none
	Until   time.Time // when the API says access returns
	Err     error     // the throttle answer
}

// Error says which account is throttled until when, in local time.
func (e *ThrottledError) Error() string {
	who := e.Account
	if who == "" {
		who = "the app"
	}
	return fmt.Sprintf("%s throttled until %s (the API asks to wait %s; longer than the longest wait allowed): %v",
		who, e.Until.Local().Format("15:04"), time.Until(e.Until).Round(time.Minute), e.Err)
}

// Unwrap exposes the throttle answer.
func (e *ThrottledError) Unwrap() error { return e.Err }

// throttled builds the error for a stated wait over MaxWait, naming the account whose wait it
// is (the longest in x-business-use-case-usage, else the one in the path).
func (c *Client) throttled(err error, h http.Header, path string, wait time.Duration) error {
	acct := ""
	for _, part := range strings.Split(path, "/") {
		if strings.HasPrefix(part, "act_") {
			acct = part
		}
	}
	if u := ParseUsage(h); u.RegainAccount != "" {
		acct = u.RegainAccount
	}
	return &ThrottledError{Account: acct, Until: time.Now().Add(wait), Err: err}
}

// retryWait decides whether err is worth another attempt and how long to wait first.
func (c *Client) retryWait(err error, header http.Header, attempt int) (time.Duration, bool) {
	var apiErr *APIError
	if errors.As(err, &apiErr) {
		switch apiErr.class() {
		case classRateLimited:
			if d := ParseUsage(header).Regain; d > 0 {
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
		if errors.As(te.err, &certErr) || errors.Is(te.err, ErrRedirect) {
			return 0, false // a bad certificate or a redirect will be just as bad next time
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

// Sleep waits d, or less if ctx ends first (then it returns ctx.Err()). It is the default
// Config.Sleep.
func Sleep(ctx context.Context, d time.Duration) error {
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
