package main

import (
	"math"
	"runtime"
	"runtime/debug"
	"testing"
)

// TestCollectLate: no pacing and a memory limit until the first
// collection, the default pacing and no limit after it, and the settings
// as they were after restore; GOGC in the environment leaves them alone.
func TestCollectLate(t *testing.T) {
	t.Setenv("GOGC", "")
	t.Setenv("GOMEMLIMIT", "")
	percent := debug.SetGCPercent(73)
	limit := debug.SetMemoryLimit(1 << 40)
	defer debug.SetGCPercent(percent)
	defer debug.SetMemoryLimit(limit)

	restore := collectLate(gcLimit)
	if p := debug.SetGCPercent(-1); p != -1 {
		t.Errorf("before any collection: GOGC %d, want off", p)
	}
	if l := debug.SetMemoryLimit(-1); l != gcLimit {
		t.Errorf("before any collection: limit %d, want %d", l, gcLimit)
	}
	p := -1
	for i := 0; i < 100 && p == -1; i++ { // the finalizer runs after the collection
		runtime.GC()
		runtime.Gosched()
		p = debug.SetGCPercent(-1)
		debug.SetGCPercent(p)
	}
	if p != 100 {
		t.Errorf("after a collection: GOGC %d, want 100", p)
	}
	if l := debug.SetMemoryLimit(-1); l != math.MaxInt64 {
		t.Errorf("after a collection: limit %d, want none", l)
	}
	restore()
	if p := debug.SetGCPercent(-1); p != 73 {
		t.Errorf("restored: GOGC %d, want 73", p)
	}
	debug.SetGCPercent(73)
	if l := debug.SetMemoryLimit(-1); l != 1<<40 {
		t.Errorf("restored: limit %d, want %d", l, int64(1<<40))
	}

	t.Setenv("GOGC", "200")
	collectLate(gcLimit)()
	if p := debug.SetGCPercent(-1); p != 73 {
		t.Errorf("with GOGC set: GOGC %d, want 73 left alone", p)
	}
	debug.SetGCPercent(73)
}
