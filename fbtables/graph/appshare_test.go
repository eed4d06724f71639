package graph

import (
	"context"
	"runtime"
	"testing"
	"time"
)

// TestThrottleGivesTheAppsFreeRequestToTheMostWorkLeft: the app allows one request in flight
// and holds it; accounts 1 (10,000 rows left) and 2 (1,000) each wait to send one. When the
// request ends, account 1's goes first, whichever began waiting first; taken in the order the
// waiting requests wake, either would, and each of ten trials passes by chance half the time.
func TestThrottleGivesTheAppsFreeRequestToTheMostWorkLeft(t *testing.T) {
	ctx := context.Background()
	for trial := range 10 {
		g := newThrottle(Throttle{MaxPerAccount: 16, MaxInFlight: 1}, time.Minute, nil)
		if _, err := g.acquire(ctx, "0"); err != nil {
			t.Fatal(err)
		}
		g.mu.Lock()
		g.state("1").work, g.state("2").work = 10_000, 1_000
		g.mu.Unlock()
		order := []string{"1", "2"}
		if trial%2 == 0 {
			order = []string{"2", "1"}
		}
		granted := make(chan string, 2)
		for _, a := range order {
			go func() {
				if _, err := g.acquire(ctx, a); err != nil {
					t.Error(err)
				}
				granted <- a
			}()
			for waiting := 0; waiting == 0; runtime.Gosched() {
				g.mu.Lock()
				waiting = g.state(a).waiting
				g.mu.Unlock()
			}
		}
		g.release("0", grant{}, false)
		if first := <-granted; first != "1" {
			t.Fatalf("trial %d: account %s's request went first, want account 1's, which has ten times the work left", trial, first)
		}
		g.release("1", grant{}, false)
		if second := <-granted; second != "2" {
			t.Fatalf("trial %d: then account %s's, want account 2's", trial, second)
		}
		g.release("2", grant{}, false)
	}
}
