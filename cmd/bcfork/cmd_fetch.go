package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/bcfork/bcfork/internal/atomicfile"
	"github.com/bcfork/bcfork/internal/bucardo"
	"github.com/bcfork/bcfork/internal/catalog"

	"github.com/bcfork/bcfork/upstream"
	"github.com/urfave/cli/v2"
)

// fetchOptions are the flags of bcfork fetch.
type fetchOptions struct {
	sourceOptions
	Out string // --out: also write the files here
}

func fetchCommand() *cli.Command {
	var o fetchOptions
	return &cli.Command{
		Name:        "fetch",
		Usage:       "get, verify and cache the pristine files of a Bucardo release",
		UsageText:   "bcfork fetch --version V [--from FILE.tar.gz|DIR] [--out DIR] [--allow-unpinned] [--offline]",
		Description: fetchHelp,
		Flags: append(o.sourceFlags(),
			&cli.StringFlag{Name: "out", Aliases: []string{"o"}, Destination: &o.Out, Usage: "also write bucardo (0755) and bucardo.schema into `DIR`"},
		),
		Action: action(o.run),
	}
}

const fetchHelp = `Gets the pristine bucardo and bucardo.schema of a Bucardo release or ref
from GitHub (or --from a release tarball or folder), verifies them and keeps
them in the cache, so that generate and diff can work offline later.

Verification: against the pins in the patches tree (<flavor>/<version>/checksums,
sha256sum format), and for GitHub against git's blob SHA too. A mismatch exits
4 and nothing is cached. A version or ref without pins (master, a commit)
needs --allow-unpinned; fetch then prints the lines to pin it.

The patches tree may pin the release's upstream commit too
(<flavor>/<version>/commit, one line: git rev-parse V^{commit}). A GitHub tag
that resolves to another commit was moved: fetch exits 4 before downloading
the files. Files read --from that match the checksums get the pinned commit
(a GitHub tag tarball naming another commit exits 4).

--from: the version is read from the script ($VERSION) and must agree with
--version when that is a release number (--version master labels the files
of a checkout). Tarballs with links, absolute or ".." paths, more than one
top folder or absurd sizes are refused. Nothing read --from is cached.

Requests: a cold fetch from GitHub makes 3 API requests (the commit of the
ref, then each file at that commit); a warm fetch of a pinned release or a
commit makes none; another ref (master, an unpinned tag) is revalidated with
one conditional request. GitHub allows 60 requests an hour without a token.
Each request times out after 30s; 5xx answers and reset connections are
retried 3 times, waiting 1s, 2s, 4s.

Cache: BCFORK_CACHE_DIR, else $XDG_CACHE_HOME/bcfork, else the user's cache
folder (~/.cache/bcfork). Entries are verified again when read; a damaged one
is dropped and fetched again. Only regular files are read from it, and no
link in it is followed. As root, bcfork refuses a cache folder that another
user owns (or one below a folder of theirs): set BCFORK_CACHE_DIR to a
folder of root's, such as /var/cache/bcfork.

Output: version, source, commit ("(pinned)" when it is the pinned commit),
pinned or not, API requests spent, then the sha256 of both files in sha256sum
format.

Environment: BCFORK_GITHUB_TOKEN, else GITHUB_TOKEN (sent only over https, or
to this machine), BCFORK_GITHUB_API, BCFORK_OFFLINE, BCFORK_CACHE_DIR.

Exit status: 0 ok, 1 failure, 2 usage, 4 checksum mismatch with a pin.

Examples:
   bcfork fetch --version 5.6.0
   bcfork fetch --from bucardo_5.6.0.orig.tar.gz --out pristine
   bcfork fetch --version master --allow-unpinned`

func (o *fetchOptions) run(ctx context.Context, stdout, stderr io.Writer) error {
	opt, err := o.upstreamOptions(stderr)
	if err != nil {
		return err
	}
	if opt.Version == "" && opt.From == "" {
		return usagef("fetch needs --version V (or --from FILE|DIR)")
	}
	rel, err := upstream.Fetch(ctx, opt)
	if err != nil {
		return filesErr(opt, identifyInput(err, opt.Pins, ""))
	}
	var written []string
	if o.Out != "" {
		if written, err = writeRelease(o.Out, rel); err != nil {
			return err
		}
	}
	printRelease(stdout, rel, opt.Flavor, written)
	return nil
}

func printRelease(w io.Writer, rel *upstream.Release, flavor string, written []string) {
	commit := rel.Commit
	switch {
	case commit == "":
		commit = "unknown"
	case rel.CommitPin != "":
		commit += " (pinned)"
	}
	pinned := "yes, " + rel.Pin
	if !rel.Pinned {
		pinned = fmt.Sprintf("no; to pin, save the two lines below as %s in the patches tree", catalog.ChecksumsPath(flavor, rel.Version))
	}
	fmt.Fprintf(w, "version:  %s\nsource:   %s\ncommit:   %s\npinned:   %s\nrequests: %d\n", rel.Version, rel, commit, pinned, rel.Requests)
	for _, f := range written {
		fmt.Fprintf(w, "wrote:    %s\n", f)
	}
	fmt.Fprint(w, catalog.ChecksumLines(rel.Files))
}

// writeRelease writes the two files into dir, each through a temporary file.
func writeRelease(dir string, rel *upstream.Release) ([]string, error) {
	if _, err := atomicfile.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("writing files: %w", err)
	}
	var written []string
	for _, name := range bucardo.Names {
		mode := os.FileMode(0o644)
		if name == bucardo.Script {
			mode = 0o755
		}
		p := filepath.Join(dir, name)
		if err := atomicfile.Write(p, rel.Files[name], mode); err != nil {
			return nil, fmt.Errorf("writing files: %w", err)
		}
		written = append(written, p)
	}
	return written, nil
}
