package planner_test

import (
	"os"
	"testing"
)

func TestZZPlan(t *testing.T) {
	in := newInput(t)
	t.Log("\n" + planText(os.Getenv("Q"), in))
}
