package main

import (
	"math"
	"os"
	"runtime"
	"runtime/debug"
	"sync"
)

// gcLimit is the heap below which generate and rebase collect no garbage
// (see collectLate).
const gcLimit = 32 << 20

// collectLate is the garbage collector's policy of generate and rebase: no
// collection until the heap reaches limit, then the default pacing (GOGC
// 100) from there on. It returns what sets the collector back as it was.
// GOGC or GOMEMLIMIT set in the environment are left to decide.
//
// At real size neither command reaches the limit: generate allocates some
// 3 MB, rebase some 12 MB, nearly all of it live until the output is
// written, so the collections the default pacing starts (at a 4 MB heap
// goal) cost CPU and free nothing worth having, and the peak RSS is the
// same without them (rebase 5.6.0 onto master: 31 ms CPU, 22 MB; at GOGC
// 100 36 ms, 21 MB; at GOGC 400, its earlier setting, as without). The
// largest inputs bcfork accepts (4 MB files) pass the limit: a rebase's
// live heap is then some 45 MB, which a memory limit alone would collect
// over and over (GOGC off with a 32 MB limit: 309 ms CPU instead of 213),
// and pacing from the first collection on cannot thrash (GOGC 100: 86 MB
// peak RSS; 400: 106 MB for the same CPU).
func collectLate(limit int64) (restore func()) {
	if os.Getenv("GOGC") != "" || os.Getenv("GOMEMLIMIT") != "" {
		return func() {}
	}
	var mu sync.Mutex
	done := false
	oldLimit := debug.SetMemoryLimit(limit)
	oldPercent := debug.SetGCPercent(-1)
	// The first collection finds s unreachable and runs its finalizer,
	// which hands the collector over to the default pacing.
	s := &gcSentinel{}
	runtime.SetFinalizer(s, func(*gcSentinel) {
		mu.Lock()
		defer mu.Unlock()
		if !done {
			debug.SetGCPercent(100)
			debug.SetMemoryLimit(math.MaxInt64)
		}
	})
	return func() {
		mu.Lock()
		defer mu.Unlock()
		done = true
		debug.SetGCPercent(oldPercent)
		debug.SetMemoryLimit(oldLimit)
	}
}

// gcSentinel holds a pointer so that it is not a tiny allocation, whose
// finalizer might never run.
type gcSentinel struct{ _ *int }
