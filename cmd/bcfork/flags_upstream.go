package main

import (
	"fmt"
	"io"
	"io/fs"
	"os"
	"slices"

	"github.com/bcfork/bcfork/patches"
	"github.com/bcfork/bcfork/upstream"
	"github.com/urfave/cli/v2"
)

// sourceOptions are the flags that pick the pristine files. fetch, generate
// and diff take them all; versions, install and rebase some of them.
type sourceOptions struct {
	Version       string // --version: a release or ref
	Flavor        string // --flavor, BCFORK_FLAVOR
	From          string // --from: a release tarball or folder
	Repo          string // --repo OWNER/NAME
	APIURL        string // --github-api, BCFORK_GITHUB_API
	Offline       bool   // --offline, BCFORK_OFFLINE
	NoCache       bool   // --no-cache
	AllowUnpinned bool   // --allow-unpinned
	Patches       string // --patches: a patches tree on disk
}

// sourceFlags are the flags of s, bound to it: all of them, else those
// named, in this order.
func (s *sourceOptions) sourceFlags(names ...string) []cli.Flag {
	all := withNames([]cli.Flag{
		&cli.StringFlag{Name: "version", Destination: &s.Version, Usage: "Bucardo release or ref `V`: 5.6.0, master (its one series; with several, name one: master-d9919c8), a commit"},
		&cli.StringFlag{Name: "flavor", Destination: &s.Flavor, Value: upstream.DefaultFlavor, EnvVars: []string{"BCFORK_FLAVOR"}, Usage: "series flavor `NAME`: upstream (Bucardo's releases) or debian (the files of Debian's package, with --from DIR)"},
		&cli.StringFlag{Name: "from", Destination: &s.From, Usage: "read the files from a release tarball (.tar.gz) or a folder `PATH` instead of GitHub; / (or a folder laid out like it) reads Debian's packaged files"},
		&cli.StringFlag{Name: "repo", Destination: &s.Repo, Value: upstream.DefaultRepo, Usage: "GitHub repository `OWNER/NAME` (a fork of Bucardo)"},
		&cli.StringFlag{Name: "github-api", Destination: &s.APIURL, Value: upstream.DefaultAPIURL, EnvVars: []string{"BCFORK_GITHUB_API"}, Usage: "GitHub API base `URL` (GitHub Enterprise: https://HOST/api/v3/)"},
		&cli.BoolFlag{Name: "offline", Destination: &s.Offline, EnvVars: []string{"BCFORK_OFFLINE"}, Usage: "no network: use only the cache and local files"},
		&cli.BoolFlag{Name: "no-cache", Destination: &s.NoCache, Usage: "neither read nor write the cache"},
		&cli.BoolFlag{Name: "allow-unpinned", Destination: &s.AllowUnpinned, Usage: "accept a version or ref that has no pinned checksums (prints the lines to pin)"},
		&cli.StringFlag{Name: "patches", Destination: &s.Patches, Usage: "read series and pins from the patches tree `DIR` instead of the built-in one"},
	})
	if len(names) == 0 {
		return all
	}
	var out []cli.Flag
	for _, f := range all {
		if slices.Contains(names, f.Names()[0]) {
			out = append(out, f)
		}
	}
	return out
}

// upstreamOptions turns s and the environment into upstream.Options, which
// log to log. Pins and Flavor are always set: Flavor is upstream for a
// command without --flavor. The token comes from BCFORK_GITHUB_TOKEN, else
// GITHUB_TOKEN.
func (s sourceOptions) upstreamOptions(log io.Writer) (upstream.Options, error) {
	opt := upstream.Options{
		Version:       s.Version,
		From:          s.From,
		Repo:          s.Repo,
		APIURL:        s.APIURL,
		Token:         firstEnv("BCFORK_GITHUB_TOKEN", "GITHUB_TOKEN"),
		Offline:       s.Offline,
		AllowUnpinned: s.AllowUnpinned,
		Pins:          patches.FS,
		Flavor:        upstream.DefaultFlavor,
		Log:           printableLog(log),
	}
	if f := s.Flavor; f != "" {
		if err := upstream.ValidFlavor(f); err != nil {
			return opt, usagef("--flavor %q: want a folder name of the patches tree such as %s or debian", f, upstream.DefaultFlavor)
		}
		opt.Flavor = f
	}
	var err error
	if opt.Pins, err = s.patchesTree(); err != nil {
		return opt, err
	}
	opt.CacheDir, err = s.cacheDir()
	return opt, err
}

// patchesTree is the patches tree --patches names, else the built-in one.
func (s sourceOptions) patchesTree() (fs.FS, error) {
	dir := s.Patches
	if dir == "" {
		return patches.FS, nil
	}
	if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
		return nil, usagef("--patches %q: not a folder", dir)
	}
	return os.DirFS(dir), nil
}

// cacheDir is the cache folder, "" with --no-cache.
func (s sourceOptions) cacheDir() (string, error) {
	if s.NoCache {
		return "", nil
	}
	dir, err := upstream.DefaultCacheDir()
	if err != nil {
		return "", fmt.Errorf("%w (use --no-cache or set BCFORK_CACHE_DIR)", err)
	}
	return dir, nil
}

func firstEnv(names ...string) string {
	for _, n := range names {
		if v := os.Getenv(n); v != "" {
			return v
		}
	}
	return ""
}
