package main_test

import (
	"os"
	"regexp"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/rogpeppe/go-internal/txtar"
)

// tourStep is one statement of the README tour: the lines typed at the
// prompts and the screen output that follows.
type tourStep struct {
	input []string
	want  string
}

const (
	prompt     = "fbsql> "
	contPrompt = "   ...> "
)

// readTour takes the transcript between the tour markers of README.md.
func readTour(t *testing.T) []tourStep {
	b, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	text := string(b)
	start := strings.Index(text, "<!-- tour:start -->")
	end := strings.Index(text, "<!-- tour:end -->")
	if start < 0 || end < start {
		t.Fatal("README.md has no <!-- tour:start --> … <!-- tour:end --> transcript")
	}
	var steps []tourStep
	var out []string
	inBlock := false
	flush := func() {
		if len(steps) > 0 && len(out) > 0 {
			steps[len(steps)-1].want = strings.TrimRight(strings.Join(out, "\n"), "\n")
		}
		out = nil
	}
	for _, line := range strings.Split(text[start:end], "\n") {
		switch {
		case strings.HasPrefix(line, "```"):
			if inBlock {
				flush()
			}
			inBlock = !inBlock
		case !inBlock:
		case strings.HasPrefix(line, prompt):
			flush()
			steps = append(steps, tourStep{input: []string{strings.TrimPrefix(line, prompt)}})
		case strings.HasPrefix(line, contPrompt) && len(out) == 0 && len(steps) > 0:
			s := &steps[len(steps)-1]
			s.input = append(s.input, strings.TrimPrefix(line, contPrompt))
		default:
			out = append(out, line)
		}
	}
	return steps
}

var ansi = regexp.MustCompile(`^\x1b\[[0-9;?]*[A-Za-z]`)

// screenText turns raw terminal output into the lines a person sees: a
// carriage return moves back to the start of the line, ESC[K erases to
// its end (how the progress line clears itself), other escapes are
// dropped, and later text overwrites earlier.
func screenText(raw string) string {
	var lines []string
	for _, l := range strings.Split(raw, "\n") {
		var buf []rune
		col := 0
		for i := 0; i < len(l); {
			if m := ansi.FindString(l[i:]); m != "" {
				if strings.HasSuffix(m, "K") {
					buf = buf[:min(col, len(buf))]
				}
				i += len(m)
				continue
			}
			r, size := utf8.DecodeRuneInString(l[i:])
			i += size
			switch {
			case r == '\r':
				col = 0
			case col < len(buf):
				buf[col] = r
				col++
			default:
				buf = append(buf, r)
				col++
			}
		}
		lines = append(lines, strings.TrimRight(string(buf), " "))
	}
	return strings.TrimRight(strings.Join(lines, "\n"), "\n")
}

// TestReadmeTour types the README's tour into the shell on a real
// pseudo-terminal and checks that the screen shows what the README says.
// The tour uses fixed past dates, whose sandbox numbers never change.
func TestReadmeTour(t *testing.T) {
	steps := readTour(t)
	if len(steps) < 6 {
		t.Fatalf("tour has %d steps; want the five questions and a chart", len(steps))
	}
	home := t.TempDir()
	tm := startTerm(t, []string{"HOME=" + home, "XDG_CONFIG_HOME=" + home}, "--demo")
	tm.expect(prompt, 10*time.Second)
	for _, s := range steps {
		for i, in := range s.input {
			tm.send(in + "\r")
			if i < len(s.input)-1 {
				tm.expect(contPrompt, 5*time.Second)
			}
		}
		last := s.input[len(s.input)-1]
		tm.expect(last, 5*time.Second) // the echo of the last line typed
		tm.expect("\n", 5*time.Second)
		from := tm.mark
		tm.expect("\n"+prompt, 60*time.Second)
		tm.mu.Lock()
		got := screenText(tm.out.String()[from : tm.mark-len(prompt)])
		tm.mu.Unlock()
		if got != s.want {
			t.Errorf("after %q the screen shows\n%s\nbut README.md says\n%s", strings.Join(s.input, " "), got, s.want)
		}
	}
	tm.send(".quit\r")
	tm.wait(10 * time.Second)
}

// TestReadmeTourIsTestdata: testdata/readme-tour.txtar holds the README
// tour's statements and screens (stdout, and the notices on stderr), so
// that the end-to-end cases include it; the two must not drift apart.
func TestReadmeTourIsTestdata(t *testing.T) {
	var sql, screen, notices strings.Builder
	for _, s := range readTour(t) {
		sql.WriteString(strings.Join(s.input, "\n") + "\n")
		for _, l := range strings.Split(s.want, "\n") {
			if strings.HasPrefix(l, "notice: ") {
				notices.WriteString(l + "\n")
			} else {
				screen.WriteString(l + "\n")
			}
		}
	}
	ar, err := txtar.ParseFile("../../testdata/readme-tour.txtar")
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"tour.sql": sql.String(), "screen.txt": screen.String(), "notices.txt": notices.String()}
	for _, f := range ar.Files {
		if w, ok := want[f.Name]; ok {
			if string(f.Data) != w {
				t.Errorf("testdata/readme-tour.txtar's %s differs from README.md's tour:\n%s\nREADME:\n%s", f.Name, f.Data, w)
			}
			delete(want, f.Name)
		}
	}
	for name := range want {
		t.Errorf("testdata/readme-tour.txtar has no %s", name)
	}
}
