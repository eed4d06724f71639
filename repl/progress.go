package repl

import (
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/fbsql/fbsql/engine"
)

// progressDelay keeps quick statements free of flicker.
const progressDelay = 300 * time.Millisecond

// progressTick redraws the line while nothing new arrives, so a slow
// request still shows its elapsed time.
const progressTick = 250 * time.Millisecond

// ProgressLine returns an engine.Config.Progress callback that keeps one
// status line on w (a terminal's stderr) while a statement fetches, and
// erases it when fetching is done so results print on a clean line.
func ProgressLine(w io.Writer) func(engine.Progress) {
	pl := &progressLine{w: w}
	return pl.report
}

type progressLine struct {
	w io.Writer

	mu      sync.Mutex
	last    engine.Progress
	started time.Time // when the statement's first report came, minus its Elapsed
	shown   bool
	stop    chan struct{} // closes the redraw ticker; nil when none runs
}

func (pl *progressLine) report(p engine.Progress) {
	pl.mu.Lock()
	defer pl.mu.Unlock()
	if p.Done {
		if pl.stop != nil {
			close(pl.stop)
			pl.stop = nil
		}
		if pl.shown {
			fmt.Fprint(pl.w, "\r\033[K")
			pl.shown = false
		}
		return
	}
	pl.last = p
	if pl.stop == nil {
		pl.started = time.Now().Add(-p.Elapsed)
		pl.stop = make(chan struct{})
		go pl.tick(pl.stop)
	}
	pl.draw()
}

// tick redraws until stopped.
func (pl *progressLine) tick(stop chan struct{}) {
	t := time.NewTicker(progressTick)
	defer t.Stop()
	for {
		select {
		case <-stop:
			return
		case <-t.C:
			pl.mu.Lock()
			select {
			case <-stop:
			default:
				pl.last.Elapsed = time.Since(pl.started)
				pl.draw()
			}
			pl.mu.Unlock()
		}
	}
}

// draw writes the line; the caller holds mu.
func (pl *progressLine) draw() {
	p := pl.last
	if p.Elapsed < progressDelay {
		return
	}
	pl.shown = true
	jobs := ""
	if p.Jobs > 0 {
		jobs = fmt.Sprintf(" · %d report runs %d%%", p.Jobs, p.JobPercent)
	}
	fmt.Fprintf(pl.w, "\r\033[Kfetching: %d/%d parts done%s · %d requests · %d rows · %.1fs",
		p.FetchesDone, p.Fetches, jobs, p.Requests, p.Rows, p.Elapsed.Seconds())
}
