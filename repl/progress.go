package repl

import (
	"fmt"
	"io"
	"time"

	"github.com/fbsql/fbsql/engine"
)

// progressDelay keeps quick statements free of flicker.
const progressDelay = 300 * time.Millisecond

// ProgressLine returns an engine.Config.Progress callback that keeps one
// status line on w (a terminal's stderr) while a statement fetches, and
// erases it when fetching is done so results print on a clean line.
func ProgressLine(w io.Writer) func(engine.Progress) {
	shown := false
	return func(p engine.Progress) {
		if p.Done {
			if shown {
				fmt.Fprint(w, "\r\033[K")
				shown = false
			}
			return
		}
		if p.Elapsed < progressDelay {
			return
		}
		shown = true
		jobs := ""
		if p.Jobs > 0 {
			jobs = fmt.Sprintf(" · %d report runs %d%%", p.Jobs, p.JobPercent)
		}
		fmt.Fprintf(w, "\r\033[Kfetching: %d/%d parts done%s · %d requests · %d rows · %.1fs",
			p.FetchesDone, p.Fetches, jobs, p.Requests, p.Rows, p.Elapsed.Seconds())
	}
}
