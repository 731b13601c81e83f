package main

import (
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/bcfork/bcfork/generator"
	"github.com/urfave/cli/v2"
)

func generateCommand() *cli.Command {
	return &cli.Command{
		Name:      "generate",
		Usage:     "fetch, verify and patch a Bucardo release into a fork folder",
		UsageText: "bcfork generate --version 5.6.0 [--from FILE|DIR] [--out DIR] [--patches DIR] [--fuzz N] [--force]",
		Description: `Fetches the pristine bucardo and bucardo.schema of the release (from GitHub,
the cache, or --from a release tarball or folder), verifies them against the
pinned checksums, applies the patch series for that version, and writes DIR
(default ./bcfork-VERSION):

   bucardo              the forked script (mode 0755)
   bucardo.schema       the forked schema
   bucardo.orig         the pristine script
   bucardo.schema.orig  the pristine schema
   manifest.json        source, sha256 of every file, how each hunk applied

Nothing is written when anything fails; an existing DIR is replaced only with
--force. Hunks apply at their stated line or at the nearest exact match
(reported as an offset); fuzzy placement is refused unless --fuzz N allows it,
and every fuzzed hunk is reported. Output is byte-identical for identical inputs.`,
		Flags: append(upstreamFlags(),
			&cli.StringFlag{Name: "out", Aliases: []string{"o"}, Usage: "write the fork to `DIR` (default ./bcfork-VERSION)"},
			&cli.IntFlag{Name: "fuzz", Usage: "allow up to `N` context lines to be ignored per hunk (reported)"},
			&cli.BoolFlag{Name: "force", Usage: "replace an existing output folder"},
		),
		Action: runGenerate,
	}
}

func runGenerate(c *cli.Context) error {
	if c.Args().Present() {
		return usagef("generate takes no arguments, got %q", c.Args().Slice())
	}
	if c.Int("fuzz") < 0 {
		return usagef("--fuzz must be 0 or more")
	}
	out := c.String("out")
	if out == "" && c.String("version") != "" {
		out = "bcfork-" + c.String("version")
	}
	if err := checkOut(out, c.Bool("force")); err != nil {
		return err // before any network or work
	}
	fork, _, err := buildFork(c)
	if err != nil {
		return err
	}
	if out == "" {
		out = "bcfork-" + fork.Manifest.Version
	}
	if err := fork.Write(out, c.Bool("force")); err != nil {
		return err
	}
	w := c.App.Writer
	printPatches(w, fork.Manifest.Patches)
	printDiffstat(w, fork.Diffstat())
	fmt.Fprintf(w, "wrote %s (%s %s, series %.12s)\n", out, fork.Manifest.Flavor, fork.Manifest.Version, fork.Manifest.Series)
	return nil
}

func checkOut(dir string, force bool) error {
	if dir == "" || force {
		return nil
	}
	if _, err := os.Lstat(dir); err == nil {
		return fmt.Errorf("writing %q: %w (use --force to replace it)", dir, generator.ErrExists)
	}
	return nil
}

// printPatches writes one line per patch: hunks, offsets and any fuzz.
func printPatches(w io.Writer, patches []generator.PatchResult) {
	for _, p := range patches {
		var notes []string
		for i, h := range p.Hunks {
			if h.Offset != 0 {
				notes = append(notes, fmt.Sprintf("hunk %d offset %+d", i+1, h.Offset))
			}
			if h.Fuzz != 0 {
				notes = append(notes, fmt.Sprintf("hunk %d FUZZ %d (%s %s)", i+1, h.Fuzz, h.File, h.Header))
			}
		}
		detail := "exact"
		if len(notes) > 0 {
			detail = strings.Join(notes, ", ")
		}
		fmt.Fprintf(w, "applied %s: %d hunks, %s\n", p.Name, len(p.Hunks), detail)
	}
}

func printDiffstat(w io.Writer, stats []generator.Stat) {
	var add, del int
	for _, s := range stats {
		fmt.Fprintf(w, " %-16s | %4d %s\n", s.Name, s.Added+s.Removed, strings.Repeat("+", scale(s.Added))+strings.Repeat("-", scale(s.Removed)))
		add += s.Added
		del += s.Removed
	}
	fmt.Fprintf(w, " %d files changed, %d insertions(+), %d deletions(-)\n", len(stats), add, del)
}

// scale keeps a diffstat bar within 40 columns.
func scale(n int) int {
	if n > 40 {
		return 40
	}
	return n
}
