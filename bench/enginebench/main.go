// Command enginebench drives bcfork's patch engine for bench/engine.sh, so
// that it can be timed against GNU patch and git merge-file on the same
// inputs.
//
//	enginebench gen DIR                 write the inputs into DIR
//	enginebench apply FILE PATCH        print FILE with PATCH applied
//	enginebench merge OURS BASE THEIRS  print the 3-way merge (as git merge-file -p)
//	enginebench loop N DIR              time N in-process applies and merges of DIR's inputs
//	enginebench generate PATCHES IN OUT  bcfork generate's path, without input limits: IN + series → OUT
//	enginebench scale K DIR             write the synthetic scaling case for the files ×K into DIR
//	enginebench nop                     do nothing (process start-up time)
//
// With ENGINEBENCH_CPUPROFILE=FILE set, it writes a CPU profile of the run to FILE.
package main

import (
	"archive/tar"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"math/rand"
	"os"
	"path/filepath"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/bcfork/bcfork/generator"
	"github.com/bcfork/bcfork/internal/bucardo"
	"github.com/bcfork/bcfork/patch"
)

func main() {
	if err := profiled(func() error { return run(os.Args[1:], os.Stdout) }); err != nil {
		fmt.Fprintln(os.Stderr, "enginebench:", err)
		os.Exit(1)
	}
}

// profiled runs f with a CPU profile written to ENGINEBENCH_CPUPROFILE
// when that is set (go tool pprof reads it).
func profiled(f func() error) error {
	p := os.Getenv("ENGINEBENCH_CPUPROFILE")
	if p == "" {
		return f()
	}
	out, err := os.Create(p)
	if err != nil {
		return err
	}
	defer out.Close()
	if err := pprof.StartCPUProfile(out); err != nil {
		return err
	}
	defer pprof.StopCPUProfile()
	return f()
}

func run(args []string, out io.Writer) error {
	if len(args) == 0 {
		return errors.New("usage: enginebench gen|apply|merge|loop ARGS")
	}
	switch cmd, rest := args[0], args[1:]; {
	case cmd == "nop" && len(rest) == 0:
		return nil
	case cmd == "gen" && len(rest) == 1:
		return gen(rest[0], out)
	case cmd == "apply" && len(rest) == 2:
		return apply(rest[0], rest[1], out)
	case cmd == "merge" && len(rest) == 3:
		return merge(rest[0], rest[1], rest[2], out)
	case cmd == "loop" && len(rest) == 2:
		return loop(rest[0], rest[1], out)
	case cmd == "generate" && len(rest) == 3:
		return generateFork(rest[0], rest[1], rest[2], out)
	case cmd == "scale" && len(rest) == 2:
		return scale(rest[0], rest[1], out)
	}
	return fmt.Errorf("bad arguments: %q", args)
}

// gen writes into dir: bucardo (the file to patch: the pristine text with
// lines added at the top, so that every hunk applies at an offset),
// fork.patch (about 20 hunks, made against the pristine text), and base,
// ours, theirs for a clean 3-way merge.
func gen(dir string, out io.Writer) error {
	pristine, source, err := pristineScript()
	if err != nil {
		return err
	}
	r := rand.New(rand.NewSource(1))
	lines := strings.SplitAfter(string(pristine), "\n")
	fork := edit(r, lines, 20, 0, "fork")
	diff := patch.Diff("bucardo", pristine, fork)
	shifted := append([]byte("# shifted\n# by\n# three lines\n"), pristine...)
	theirs := edit(r, lines, 20, 1, "upstream")
	files := map[string][]byte{"bucardo": shifted, "fork.patch": diff, "base": pristine, "ours": fork, "theirs": theirs}
	for name, data := range files {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			return err
		}
	}
	fmt.Fprintf(out, "inputs: %s, %d lines; patch of %d hunks\n", source, strings.Count(string(pristine), "\n"), strings.Count(string(diff), "\n@@ "))
	return nil
}

// edit changes n lines of text spread over it: slot parity picks the
// slots, so that edits with parities 0 and 1 never touch.
func edit(r *rand.Rand, lines []string, n, parity int, tag string) []byte {
	out := append([]string(nil), lines...)
	slot := len(lines) / (2 * n)
	for i := n - 1; i >= 0; i-- {
		at := (2*i+parity)*slot + 4 + r.Intn(slot-8)
		out[at] = fmt.Sprintf("# %s edit %d\n", tag, i)
		if i%2 == 0 {
			out = append(out[:at+1], append([]string{"# " + tag + " added\n"}, out[at+1:]...)...)
		}
	}
	return []byte(strings.Join(out, ""))
}

// pristineScript returns the real 5.6.0 bucardo when BCFORK_PRISTINE_TARBALL
// names the tarball, else 12,000 synthetic lines.
func pristineScript() ([]byte, string, error) {
	if os.Getenv("BCFORK_PRISTINE_TARBALL") == "" {
		return synthetic(12000), "synthetic", nil
	}
	files, err := pristineFiles()
	return files[bucardo.Script], "real Bucardo 5.6.0 bucardo", err
}

// pristineFiles returns the real 5.6.0 bucardo and bucardo.schema when
// BCFORK_PRISTINE_TARBALL names the tarball, else synthetic ones (12,000
// and 3,000 lines) that say they are 5.6.0.
func pristineFiles() (map[string][]byte, error) {
	path := os.Getenv("BCFORK_PRISTINE_TARBALL")
	if path == "" {
		script := append([]byte("our $VERSION = '5.6.0';\n"), synthetic(12000)...)
		return map[string][]byte{bucardo.Script: script, bucardo.Schema: synthetic(3000)}, nil
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	gz, err := gzip.NewReader(f)
	if err != nil {
		return nil, err
	}
	files := map[string][]byte{}
	tr := tar.NewReader(gz)
	for len(files) < len(bucardo.Names) {
		h, err := tr.Next()
		if err != nil {
			return nil, fmt.Errorf("reading %q: %w", path, err)
		}
		if name, ok := strings.CutPrefix(h.Name, "Bucardo-5.6.0/"); ok && slices.Contains(bucardo.Names, name) {
			if files[name], err = io.ReadAll(tr); err != nil {
				return nil, err
			}
		}
	}
	return files, nil
}

func synthetic(n int) []byte {
	r := rand.New(rand.NewSource(2))
	var b strings.Builder
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, "    my $x%d = $self->{%d} || die; # %d\n", r.Intn(50), r.Intn(n), i)
	}
	return []byte(b.String())
}

func apply(file, patchFile string, out io.Writer) error {
	files, p, err := readApplyInputs(file, patchFile)
	if err != nil {
		return err
	}
	res, _, err := patch.ApplyOne(files, p, patch.ApplyOptions{})
	if err != nil {
		return err
	}
	_, err = out.Write(res["bucardo"])
	return err
}

func readApplyInputs(file, patchFile string) (map[string][]byte, *patch.Patch, error) {
	data, err := os.ReadFile(file)
	if err != nil {
		return nil, nil, err
	}
	raw, err := os.ReadFile(patchFile)
	if err != nil {
		return nil, nil, err
	}
	p, err := patch.Parse(filepath.Base(patchFile), raw)
	return map[string][]byte{"bucardo": data}, p, err
}

func merge(ours, base, theirs string, out io.Writer) error {
	texts, err := readAll(ours, base, theirs)
	if err != nil {
		return err
	}
	merged, conflicts := patch.Merge(texts[1], texts[0], texts[2])
	if _, err := out.Write(merged); err != nil {
		return err
	}
	if len(conflicts) > 0 {
		return fmt.Errorf("%d conflicts", len(conflicts))
	}
	return nil
}

func readAll(names ...string) ([][]byte, error) {
	var out [][]byte
	for _, n := range names {
		b, err := os.ReadFile(n)
		if err != nil {
			return nil, err
		}
		out = append(out, b)
	}
	return out, nil
}

// loop times n in-process runs of apply and merge on dir's inputs and
// prints microseconds per run.
func loop(count, dir string, out io.Writer) error {
	n, err := strconv.Atoi(count)
	if err != nil || n < 1 {
		return fmt.Errorf("bad count %q", count)
	}
	files, p, err := readApplyInputs(filepath.Join(dir, "bucardo"), filepath.Join(dir, "fork.patch"))
	if err != nil {
		return err
	}
	texts, err := readAll(filepath.Join(dir, "ours"), filepath.Join(dir, "base"), filepath.Join(dir, "theirs"))
	if err != nil {
		return err
	}
	start := time.Now()
	for range n {
		if _, _, err := patch.ApplyOne(files, p, patch.ApplyOptions{}); err != nil {
			return err
		}
	}
	mid := time.Now()
	for range n {
		patch.Merge(texts[1], texts[0], texts[2])
	}
	end := time.Now()
	fmt.Fprintf(out, "%d %d\n", mid.Sub(start).Microseconds()/int64(n), end.Sub(mid).Microseconds()/int64(n))
	return nil
}

// generateFork runs bcfork generate's path without its input limits and
// pins: the series of patches/upstream/5.6.0, the files of in, Generate,
// the diffstat and Fork.Write to out (replaced).
func generateFork(patches, in, out string, w io.Writer) error {
	series, err := patch.ReadSeries(os.DirFS(patches), "upstream/5.6.0")
	if err != nil {
		return err
	}
	files := map[string][]byte{}
	for _, n := range bucardo.Names {
		if files[n], err = os.ReadFile(filepath.Join(in, n)); err != nil {
			return err
		}
	}
	fork, err := generator.Generate(generator.Options{Bcfork: "enginebench", Flavor: "upstream", Version: "5.6.0",
		Source: generator.Source{Kind: "dir", Location: in}, Files: files, Series: series})
	if err != nil {
		return err
	}
	if err := fork.Write(out, true); err != nil {
		return err
	}
	for _, s := range fork.Diffstat() {
		fmt.Fprintf(w, " %s | %d +%d -%d\n", s.Name, s.Added+s.Removed, s.Added, s.Removed)
	}
	return nil
}
