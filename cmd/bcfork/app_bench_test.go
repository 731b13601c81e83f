package main

import (
	"context"
	"io"
	"testing"
)

// BenchmarkNewApp is the cost of building the command tree, paid by
// every start of bcfork.
func BenchmarkNewApp(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		newApp(io.Discard, io.Discard)
	}
}

// BenchmarkRunToAction is a start of bcfork from the command tree to the
// command's action, which refuses the flag value at once: what every
// command pays before it does its work (runtime and package
// initialisation aside).
func BenchmarkRunToAction(b *testing.B) {
	b.ReportAllocs()
	args := []string{"bcfork", "generate", "--fuzz", "-1"}
	for b.Loop() {
		if code := run(context.Background(), args, io.Discard, io.Discard); code != ExitUsage {
			b.Fatalf("exit %d, want %d", code, ExitUsage)
		}
	}
}
