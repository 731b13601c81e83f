package main

import (
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
