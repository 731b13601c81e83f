package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"os"

	"github.com/bcfork/bcfork/patch"
	"github.com/urfave/cli/v2"
	"golang.org/x/term"
)

// diffOptions are the flags of bcfork diff.
type diffOptions struct {
	forkOptions
	Color string // --color: auto, always or never
}

func diffCommand() *cli.Command {
	var o diffOptions
	return &cli.Command{
		Name:      "diff",
		Usage:     "print the fork's unified diff against the pristine release",
		UsageText: "bcfork diff [--version V] [--from FILE|DIR] [--patches DIR] [--fuzz N] [--color auto|always|never]",
		Description: `Builds the fork in memory (as generate does, writing nothing) and prints its
unified diff against the pristine files, -p1 with a/ and b/ prefixes, so the
output can be piped to a pager or applied with patch -p1. Colour is used only
when standard output is a terminal and NO_COLOR is unset, unless --color says
(less -R shows it). The version is chosen as for generate. A patch that
applied with an offset or fuzz is reported on standard error, as generate
reports it.

Exit codes: 0 printed; 1 failure; 2 usage; 3 a patch does not apply; 4 a
file does not match its pinned checksum.`,
		Flags: append(o.sourceFlags(),
			o.fuzzFlag(),
			&cli.StringFlag{Name: "color", Destination: &o.Color, Value: "auto", Usage: "colour the diff `WHEN`: auto, always or never"},
		),
		Action: action(o.run),
	}
}

func (o *diffOptions) run(ctx context.Context, stdout, stderr io.Writer) error {
	color, err := useColor(o.Color, stdout)
	if err != nil {
		return err
	}
	fork, _, err := o.buildFork(ctx, o.Version, stderr)
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
