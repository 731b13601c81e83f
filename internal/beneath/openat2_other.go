//go:build !linux

package beneath

// openBeneath is Linux's openat2 fast path; elsewhere walk opens one
// folder at a time.
func openBeneath(int, []string) (int, bool) { return -1, false }
