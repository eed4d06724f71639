package main_test

import (
	"fmt"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// term is fbsql running on a pseudo-terminal, driven like a person at a keyboard.
type term struct {
	t      *testing.T
	cmd    *exec.Cmd
	master *os.File
	mu     sync.Mutex
	out    strings.Builder
	mark   int // expect looks at output after this offset
}

// openPTY allocates a pseudo-terminal pair with a 120×40 window (liner
// falls back to plain line reading on a zero-sized terminal).
func openPTY() (master, slave *os.File, err error) {
	master, err = os.OpenFile("/dev/ptmx", os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		return nil, nil, err
	}
	fd := int(master.Fd())
	if err := unix.IoctlSetPointerInt(fd, unix.TIOCSPTLCK, 0); err != nil {
		master.Close()
		return nil, nil, fmt.Errorf("unlock pty: %w", err)
	}
	n, err := unix.IoctlGetInt(fd, unix.TIOCGPTN)
	if err != nil {
		master.Close()
		return nil, nil, fmt.Errorf("pty number: %w", err)
	}
	slave, err = os.OpenFile(fmt.Sprintf("/dev/pts/%d", n), os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		master.Close()
		return nil, nil, err
	}
	if err := unix.IoctlSetWinsize(int(slave.Fd()), unix.TIOCSWINSZ, &unix.Winsize{Row: 40, Col: 120}); err != nil {
		master.Close()
		slave.Close()
		return nil, nil, fmt.Errorf("set window size: %w", err)
	}
	return master, slave, nil
}

// startTerm runs the binary on a new pseudo-terminal.
func startTerm(t *testing.T, env []string, args ...string) *term {
	t.Helper()
	master, slave, err := openPTY()
	if err != nil {
		t.Skipf("no pseudo-terminal here: %v", err)
	}
	cmd := exec.Command(binary, args...)
	cmd.Env = append([]string{"PATH=" + os.Getenv("PATH"), "TERM=xterm"}, env...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = slave, slave, slave
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true, Setctty: true, Ctty: 0}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	slave.Close()
	tm := &term{t: t, cmd: cmd, master: master}
	go func() {
		buf := make([]byte, 4096)
		for {
			n, err := master.Read(buf)
			tm.mu.Lock()
			tm.out.Write(buf[:n])
			tm.mu.Unlock()
			if err != nil {
				return
			}
		}
	}()
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
		master.Close()
	})
	return tm
}

// send types keys.
func (tm *term) send(keys string) {
	tm.t.Helper()
	if _, err := tm.master.Write([]byte(keys)); err != nil {
		tm.t.Fatal(err)
	}
}

// expect waits until want appears in the output after the last match.
func (tm *term) expect(want string, within time.Duration) {
	tm.t.Helper()
	deadline := time.Now().Add(within)
	for {
		tm.mu.Lock()
		all := tm.out.String()
		tm.mu.Unlock()
		if i := strings.Index(all[tm.mark:], want); i >= 0 {
			tm.mark += i + len(want)
			return
		}
		if time.Now().After(deadline) {
			tm.t.Fatalf("waited %s for %q; screen after the last match:\n%s", within, want, all[tm.mark:])
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// wait waits for the program to exit and returns its status.
func (tm *term) wait(within time.Duration) int {
	tm.t.Helper()
	done := make(chan error, 1)
	go func() { done <- tm.cmd.Wait() }()
	select {
	case err := <-done:
		if ee, ok := err.(*exec.ExitError); ok {
			return ee.ExitCode()
		}
		return 0
	case <-time.After(within):
		tm.t.Fatalf("fbsql did not exit within %s", within)
		return -1
	}
}

const (
	keyUp    = "\x1b[A"
	keyCtrlC = "\x03"
	keyCtrlD = "\x04"
)

// TestREPLOnATerminal drives the shell as a person would: a multi-line
// statement, history recall with the up arrow (also across sessions),
// tab completion of a column name, a long table capped on screen.
func TestREPLOnATerminal(t *testing.T) {
	home := t.TempDir()
	env := []string{"HOME=" + home, "XDG_CONFIG_HOME=" + home + "/config"}
	tm := startTerm(t, env, "--demo")
	tm.expect("fbsql> ", 10*time.Second)

	tm.send("SELECT 40 +\r")
	tm.expect("...> ", 5*time.Second)
	tm.send("2 AS answer;\r")
	tm.expect("answer", 10*time.Second)
	tm.expect("42", 5*time.Second)
	tm.expect("fbsql> ", 5*time.Second)

	tm.send(keyUp)
	tm.expect("SELECT 40 + 2 AS answer;", 5*time.Second)
	tm.send("\r")
	tm.expect("42", 10*time.Second)
	tm.expect("fbsql> ", 5*time.Second)

	tm.send("SELECT count(DISTINCT campaign_na\t")
	tm.expect("campaign_name", 5*time.Second)
	tm.send(") AS campaigns FROM insights;\r")
	tm.expect("campaigns", 20*time.Second)
	tm.expect("(1 row)", 20*time.Second)

	tm.send("SELECT range AS n FROM range(100);\r")
	tm.expect("(100 rows, 60 more rows not shown", 10*time.Second)

	tm.send(keyCtrlC) // at the prompt: clears the line, keeps the shell
	tm.send("SELECT 'still here' AS s;\r")
	tm.expect("still here", 10*time.Second)
	tm.send(keyCtrlD)
	if code := tm.wait(10 * time.Second); code != 0 {
		t.Fatalf("exit status %d after Ctrl-D", code)
	}

	// History persists: a new session recalls the last statement.
	tm2 := startTerm(t, env, "--demo")
	tm2.expect("fbsql> ", 10*time.Second)
	tm2.send(keyUp)
	tm2.expect("SELECT 'still here' AS s;", 5*time.Second)
	tm2.send(keyCtrlC + ".quit\r")
	if code := tm2.wait(10 * time.Second); code != 0 {
		t.Fatalf("exit status %d after .quit", code)
	}
}
