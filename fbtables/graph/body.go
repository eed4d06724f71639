package graph

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"
	"sync/atomic"
	"time"
)

// Body bounds. A response is read into memory whole before its rows are used, so that a page
// cut off mid-way is retried rather than half-delivered; these bounds keep that memory small
// whatever a server sends (a gzip bomb, a 50 MB string).
const (
	// DefaultMaxBody is the largest response read. Real insights pages of 5,000 rows are a few
	// MB; a larger answer is treated like the API's own "reduce the amount of data".
	DefaultMaxBody = 32 << 20
	// DefaultMaxBytesInFlight bounds the bytes of all responses held at once by one client.
	DefaultMaxBytesInFlight = 64 << 20
	// freeBody is what every response may buffer without a share of the budget: most pages fit,
	// so small requests never wait on a large one.
	freeBody = 2 << 20
	// DefaultIdleTimeout is how long a response may send no byte before it is abandoned.
	DefaultIdleTimeout = 60 * time.Second
	// readChunk is the most read from the network at once.
	readChunk = 256 << 10
)

// errBodyTooLarge marks a response over the client's MaxBody.
var errBodyTooLarge = errors.New("response too large")

// errIdle is the cause given to a request abandoned by the idle timer.
var errIdle = errors.New("no byte received")

// budget shares MaxBytesInFlight between responses: each may grow to freeBody on its own;
// beyond that it needs one of the large slots, each a buffer of MaxBody. A response waits for a
// slot holding at most freeBody, and a slot holder never waits for anything else, so the budget
// cannot deadlock: memory stays below concurrency·freeBody + slots·MaxBody. Buffers, small and
// large, are reused, so a run of pages costs no garbage.
type budget struct {
	large chan struct{}
	bufs  sync.Pool // *[]byte of cap maxBody

	// small holds buffers of cap firstBody<<k up to freeBody; a body starts in the class
	// recent bodies ended in (hint, see settle), so pages of one size are read without
	// growing and copying.
	small [smallClasses]sync.Pool
	hint  atomic.Int32
	lower atomic.Int32 // bodies in a row that ended below the hint
}

// hintPatience is how many bodies in a row must end in a smaller class before the hint
// falls by one class.
const hintPatience = 8

// settle records the class a body ended in. The hint rises at once and falls one class only
// after hintPatience smaller bodies in a row: a read's short last page would otherwise make
// the next full page start small and grow by copying (12 ms of a year workload's CPU).
func (b *budget) settle(class int) {
	h := int(b.hint.Load())
	switch {
	case class >= h:
		b.hint.Store(int32(class))
		b.lower.Store(0)
	case b.lower.Add(1) >= hintPatience:
		b.hint.Store(int32(h - 1))
		b.lower.Store(0)
	}
}

// firstBody is the smallest buffer a body is read into; smallClasses run from it to freeBody.
const (
	firstBody    = 64 << 10
	smallClasses = 6 // 64 KB … 2 MB
)

func newBudget(maxBody, inFlight int) *budget {
	b := &budget{large: make(chan struct{}, max(1, inFlight/maxBody))}
	b.bufs.New = func() any { buf := make([]byte, 0, maxBody); return &buf }
	return b
}

// getSmall returns an empty buffer of class k.
func (b *budget) getSmall(k int) *[]byte {
	if buf, ok := b.small[k].Get().(*[]byte); ok {
		return buf
	}
	buf := make([]byte, 0, firstBody<<k)
	return &buf
}

func (b *budget) putSmall(k int, buf *[]byte) {
	*buf = (*buf)[:0]
	b.small[k].Put(buf)
}

// heldBody is a response read into memory and its share of the budget; release returns it.
type heldBody struct {
	data  []byte
	small *[]byte // the small buffer data lives in, of class class; nil once moved to large
	class int
	large *[]byte // the large buffer data lives in, nil for a small body
	b     *budget
	once  sync.Once
}

func (h *heldBody) release() {
	if h == nil {
		return
	}
	h.once.Do(func() {
		h.data = nil
		if h.small != nil {
			h.b.putSmall(h.class, h.small)
			h.small = nil
		}
		if h.large != nil {
			*h.large = (*h.large)[:0]
			h.b.bufs.Put(h.large)
			<-h.b.large
		}
	})
}

// readBody reads r into memory, growing the buffer only as bytes arrive, up to maxBody: past
// freeBody it waits for a large slot and moves to its buffer, kept until release.
func (c *Client) readBody(ctx context.Context, r io.Reader) (*heldBody, error) {
	b := c.budget
	h := &heldBody{b: b, class: int(b.hint.Load())}
	h.small = b.getSmall(h.class)
	h.data = *h.small
	for {
		if len(h.data) > c.maxBody { // reads stop one byte past the cap
			h.release()
			return nil, fmt.Errorf("%w: more than %d bytes", errBodyTooLarge, c.maxBody)
		}
		if len(h.data) == cap(h.data) {
			if len(h.data) >= c.maxBody {
				var probe [1]byte // one byte more than the cap says the body is too large
				if n, _ := io.ReadFull(r, probe[:]); n > 0 {
					h.release()
					return nil, fmt.Errorf("%w: more than %d bytes", errBodyTooLarge, c.maxBody)
				}
				return h, nil
			}
			if h.small != nil && h.class+1 < smallClasses {
				grown := b.getSmall(h.class + 1)
				h.data = append(*grown, h.data...)
				b.putSmall(h.class, h.small)
				h.small, h.class = grown, h.class+1
			} else {
				select {
				case b.large <- struct{}{}:
				case <-ctx.Done():
					h.release()
					return nil, ctx.Err()
				}
				h.large = b.bufs.Get().(*[]byte)
				h.data = append((*h.large)[:0], h.data...)
				b.putSmall(h.class, h.small)
				h.small = nil
			}
		}
		n, err := r.Read(h.data[len(h.data):min(cap(h.data), len(h.data)+readChunk, c.maxBody+1)])
		h.data = h.data[:len(h.data)+n]
		if err == io.EOF {
			if len(h.data) > c.maxBody {
				h.release()
				return nil, fmt.Errorf("%w: more than %d bytes", errBodyTooLarge, c.maxBody)
			}
			if h.small == nil {
				b.settle(smallClasses - 1)
			} else {
				b.settle(h.class)
			}
			return h, nil
		}
		if err != nil {
			h.release()
			return nil, err
		}
	}
}

// idleTimer cancels a request when no byte of its body arrives for d: a slow body that keeps
// sending is fine, a stalled one is not. It is armed once the headers are in (the wait for
// them has its own limit, the transport's ResponseHeaderTimeout), then on every byte.
type idleTimer struct {
	d      time.Duration
	t      *time.Timer
	cancel context.CancelCauseFunc
}

func newIdleTimer(ctx context.Context, d time.Duration) (context.Context, *idleTimer) {
	ctx, cancel := context.WithCancelCause(ctx)
	it := &idleTimer{d: d, cancel: cancel}
	it.t = time.AfterFunc(time.Hour, func() { cancel(errIdle) })
	it.t.Stop()
	return ctx, it
}

func (it *idleTimer) touch() { it.t.Reset(it.d) }

func (it *idleTimer) stop() {
	it.t.Stop()
	it.cancel(nil)
}

// idleReader resets the idle timer on every byte read.
type idleReader struct {
	r  io.Reader
	it *idleTimer
}

func (r idleReader) Read(p []byte) (int, error) {
	n, err := r.r.Read(p)
	if n > 0 {
		r.it.touch()
	}
	return n, err
}
