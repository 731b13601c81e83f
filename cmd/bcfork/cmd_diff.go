package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/bcfork/bcfork/generator"
	"github.com/bcfork/bcfork/patch"
	"github.com/urfave/cli/v2"
	"golang.org/x/term"
)

// diffOptions are the flags of bcfork diff.
type diffOptions struct {
	forkOptions
	Color string // --color: auto, always or never
	dir   string // the argument: a fork folder written by bcfork generate
}

func diffCommand() *cli.Command {
	var o diffOptions
	return &cli.Command{
		Name:  "diff",
		Usage: "print the fork's unified diff against the pristine release",
		UsageText: `bcfork diff [--version V] [--from FILE|DIR] [--patches DIR] [--fuzz N] [--color auto|always|never]
bcfork diff [--color auto|always|never] FORKDIR`,
		ArgsUsage: "[FORKDIR]",
		Description: `Builds the fork in memory (as generate does, writing nothing) and prints its
unified diff against the pristine files, -p1 with a/ and b/ prefixes, so the
output can be piped to a pager or applied with patch -p1. The version is
chosen as for generate. A patch that applied with an offset or fuzz is
reported on standard error, as generate reports it.

Given a fork folder written by bcfork generate (FORKDIR, or --from FORKDIR),
diff reads it instead, verified against its manifest.json, and diffs its own
pristine copies (bucardo.orig, bucardo.schema.orig) against its fork: no
network and no cache, whatever source generated it.

Colour is used only when standard output is a terminal and NO_COLOR is unset,
unless --color says (less -R shows it).

Exit codes: 0 printed; 1 failure; 2 usage; 3 a patch does not apply; 4 a
file does not match its pinned checksum.`,
		Flags: append(o.sourceFlags(),
			o.fuzzFlag(),
			&cli.StringFlag{Name: "color", Destination: &o.Color, Value: "auto", Usage: "colour the diff `WHEN`: auto, always or never"},
		),
		Before: o.takeDir,
		Action: action(o.run),
	}
}

// takeDir takes the one argument diff may have: a fork folder.
func (o *diffOptions) takeDir(c *cli.Context) error {
	switch c.NArg() {
	case 0:
		return nil
	case 1:
		o.dir = c.Args().First()
		return nil
	}
	return usagef("diff takes at most one fork folder, got %q", c.Args().Slice())
}

func (o *diffOptions) run(ctx context.Context, stdout, stderr io.Writer) error {
	color, err := useColor(o.Color, stdout)
	if err != nil {
		return err
	}
	fork, err := o.fork(ctx, stderr)
	if err != nil {
		return err
	}
	reportInexact(stderr, fork.Manifest.Patches)
	d := fork.Diff()
	if !color {
		_, err = stdout.Write(d)
		return err
	}
	return writeColored(stdout, d)
}

// fork is the fork folder given, read and verified, else the fork built
// from the source flags.
func (o *diffOptions) fork(ctx context.Context, stderr io.Writer) (*generator.Fork, error) {
	dir, err := o.forkFolder()
	if err != nil {
		return nil, err
	}
	if dir == "" {
		fork, _, err := o.buildFork(ctx, o.Version, stderr)
		return fork, err
	}
	if o.Fuzz != 0 || o.Patches != "" {
		return nil, usagef("the fork in %q is generated already: --fuzz and --patches are for building one", dir)
	}
	f, err := generator.ReadFork(dir)
	if err != nil {
		return nil, err
	}
	if v := o.Version; v != "" && v != f.Manifest.Version {
		return nil, usagef("--version %s, but the fork in %q is of %s", v, dir, f.Manifest.Version)
	}
	return f, nil
}

// forkFolder is the fork folder to diff: the argument, or --from when it
// names a folder holding a manifest; "" to build the fork.
func (o *diffOptions) forkFolder() (string, error) {
	if o.dir == "" {
		if isForkFolder(o.From) {
			return o.From, nil
		}
		return "", nil
	}
	if o.From != "" {
		return "", usagef("give the fork folder %q or --from %q, not both", o.dir, o.From)
	}
	if !isForkFolder(o.dir) {
		return "", usagef("%q is not a fork folder (no %s): bcfork diff FORKDIR takes a folder bcfork generate wrote; --from takes a release tarball or folder", o.dir, generator.ManifestName)
	}
	return o.dir, nil
}

// isForkFolder reports whether dir is a folder with a manifest.json.
func isForkFolder(dir string) bool {
	if dir == "" {
		return false
	}
	fi, err := os.Stat(filepath.Join(dir, generator.ManifestName))
	return err == nil && fi.Mode().IsRegular()
}

// reportInexact tells, beside the diff, which patches did not apply exactly.
func reportInexact(w io.Writer, patches []patch.Result) {
	for _, p := range patches {
		if d := patchDetail(p); d != "exact" {
			fmt.Fprintf(w, "applied %s: %s\n", p.Name, d)
		}
	}
}

func useColor(mode string, w io.Writer) (bool, error) {
	switch mode {
	case "always":
		return true, nil
	case "never":
		return false, nil
	case "auto":
		return os.Getenv("NO_COLOR") == "" && isTerminal(w), nil
	}
	return false, usagef("--color must be auto, always or never, not %q", mode)
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	return term.IsTerminal(int(f.Fd()))
}

// writeColored writes a unified diff with ANSI colours: headers bold, hunk
// headers cyan, removals red, additions green.
func writeColored(w io.Writer, d []byte) error {
	bw := bufio.NewWriter(w)
	for _, line := range bytes.SplitAfter(d, []byte("\n")) {
		bw.WriteString(colorOf(line))
		bw.Write(bytes.TrimSuffix(line, []byte("\n")))
		if len(line) > 0 {
			bw.WriteString("\x1b[0m")
		}
		if bytes.HasSuffix(line, []byte("\n")) {
			bw.WriteByte('\n')
		}
	}
	return bw.Flush()
}

func colorOf(line []byte) string {
	switch {
	case bytes.HasPrefix(line, []byte("--- a/")), bytes.HasPrefix(line, []byte("+++ b/")):
		return "\x1b[1m"
	case bytes.HasPrefix(line, []byte("@@")):
		return "\x1b[36m"
	case bytes.HasPrefix(line, []byte("-")):
		return "\x1b[31m"
	case bytes.HasPrefix(line, []byte("+")):
		return "\x1b[32m"
	}
	return ""
}
