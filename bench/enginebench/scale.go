package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/bcfork/bcfork/internal/bucardo"
)

// The synthetic scaling case: the pristine files repeated k times, a
// series of scalePatches patches whose hunks each change one line every
// scaleGap lines (every fifth also adds one), and input files that move
// the hunks by a line in every other stretch of scaleShift/2 lines.
const (
	scalePatches = 4
	scaleGap     = 48
	scaleShift   = 1000
)

// scale writes into dir: in/ (the files to patch), pristine/ (the files
// the series was made against) and patches/upstream/5.6.0/ (the series),
// for the pristine files repeated k times.
func scale(count, dir string, out io.Writer) error {
	k, err := strconv.Atoi(count)
	if err != nil || k < 1 {
		return fmt.Errorf("bad factor %q", count)
	}
	pristine, err := pristineFiles()
	if err != nil {
		return err
	}
	sdir := filepath.Join(dir, "patches", "upstream", "5.6.0")
	for _, d := range []string{filepath.Join(dir, "in"), filepath.Join(dir, "pristine"), sdir} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return err
		}
	}
	diffs := make([]strings.Builder, scalePatches)
	hunks := 0
	for _, name := range bucardo.Names {
		lines := strings.SplitAfter(strings.Repeat(string(pristine[name]), k), "\n")
		lines = lines[:len(lines)-1] // the empty string after the last newline
		if err := writeLines(filepath.Join(dir, "pristine", name), lines); err != nil {
			return err
		}
		if err := writeLines(filepath.Join(dir, "in", name), shift(lines)); err != nil {
			return err
		}
		hunks += scaleSeries(diffs, name, lines)
	}
	var series strings.Builder
	for i := range diffs {
		name := fmt.Sprintf("%04d-scale.patch", i+1)
		series.WriteString(name + "\n")
		text := "Description: synthetic scaling case\n---\n" + diffs[i].String()
		if err := os.WriteFile(filepath.Join(sdir, name), []byte(text), 0o644); err != nil {
			return err
		}
	}
	fmt.Fprintf(out, "scale x%d: %d hunks in %d patches\n", k, hunks, scalePatches)
	return os.WriteFile(filepath.Join(sdir, "series"), []byte(series.String()), 0o644)
}

func writeLines(name string, lines []string) error {
	return os.WriteFile(name, []byte(strings.Join(lines, "")), 0o644)
}

// shift inserts a line in the middle of every scaleShift lines and
// removes one that no hunk needs later on, so that hunks apply at offset
// +1 in every other stretch: offsets that do not add up over the file,
// where a tool that forgets the last offset (git apply) would find a
// repeated context at another place.
func shift(lines []string) []string {
	out := make([]string, 0, len(lines)+len(lines)/scaleShift+1)
	drop := -1
	for i, l := range lines {
		switch {
		case i%scaleShift == scaleShift/2:
			out = append(out, "# bcfork scale: shifted\n")
			drop = i + scaleShift/4
		case i >= drop && drop >= 0 && !nearSite(i):
			drop = -1
			continue
		}
		out = append(out, l)
	}
	return out
}

// nearSite reports whether line i is a hunk's line or context.
func nearSite(i int) bool {
	d := (i - scaleGap/2) % scaleGap
	return d <= 3 || d >= scaleGap-3 || i < scaleGap/2+4
}

// scaleSeries appends to diffs[i] patch i's diff of the file name and
// returns how many hunks it wrote: hunk j changes line j*scaleGap+scaleGap/2
// of the pristine file (every fifth also adds a line) and goes to patch
// j%len(diffs). Each patch's diff is made against the file as the earlier
// patches left it.
func scaleSeries(diffs []strings.Builder, name string, lines []string) int {
	var sites []int // where hunk j's line is in cur
	for at := scaleGap / 2; at+4 <= len(lines); at += scaleGap {
		sites = append(sites, at)
	}
	cur := lines
	for p := range diffs {
		fmt.Fprintf(&diffs[p], "--- a/%s\n+++ b/%s\n", name, name)
		next := make([]string, 0, len(cur)+len(sites)/5+1)
		done, delta := 0, 0 // lines of cur copied; lines this patch added so far
		for j, at := range sites {
			sites[j] = at + delta // where it is once this patch applied
			if j%len(diffs) != p {
				continue
			}
			repl := []string{fmt.Sprintf("# bcfork scale edit %d of %s\n", j, name)}
			if j%5 == 0 {
				repl = append(repl, "# bcfork scale: added\n")
			}
			writeHunk(&diffs[p], cur, at, delta, repl)
			next = append(append(next, cur[done:at]...), repl...)
			done = at + 1
			delta += len(repl) - 1
		}
		cur = append(next, cur[done:]...)
	}
	return len(sites)
}

// writeHunk writes the hunk that replaces cur[at] with repl, with three
// lines of context, in a patch that has added delta lines before it.
func writeHunk(b *strings.Builder, cur []string, at, delta int, repl []string) {
	fmt.Fprintf(b, "@@ -%d,7 +%d,%d @@\n", at-2, at-2+delta, 6+len(repl))
	for _, l := range cur[at-3 : at] {
		b.WriteString(" " + l)
	}
	b.WriteString("-" + cur[at])
	for _, l := range repl {
		b.WriteString("+" + l)
	}
	for _, l := range cur[at+1 : at+4] {
		b.WriteString(" " + l)
	}
}
