package main

import (
	"fmt"
	"os"
	"slices"

	"github.com/bcfork/bcfork/patches"
	"github.com/bcfork/bcfork/upstream"
	"github.com/urfave/cli/v2"
)

// upstreamFlags are the flags that pick the pristine files, shared by
// fetch, generate and diff.
func upstreamFlags() []cli.Flag {
	return []cli.Flag{
		&cli.StringFlag{Name: "version", Usage: "Bucardo release or ref `V`: 5.6.0, master, a commit"},
		&cli.StringFlag{Name: "flavor", Value: upstream.DefaultFlavor, EnvVars: []string{"BCFORK_FLAVOR"}, Usage: "series flavor `NAME`: upstream (Bucardo's releases) or debian (the files of Debian's package, with --from DIR)"},
		&cli.StringFlag{Name: "from", Usage: "read the files from a release tarball (.tar.gz) or a folder `PATH` instead of GitHub"},
		&cli.StringFlag{Name: "repo", Value: upstream.DefaultRepo, Usage: "GitHub repository `OWNER/NAME` (a fork of Bucardo)"},
		&cli.StringFlag{Name: "github-api", Value: upstream.DefaultAPIURL, EnvVars: []string{"BCFORK_GITHUB_API"}, Usage: "GitHub API base `URL` (GitHub Enterprise: https://HOST/api/v3/)"},
		&cli.BoolFlag{Name: "offline", EnvVars: []string{"BCFORK_OFFLINE"}, Usage: "no network: use only the cache and local files"},
		&cli.BoolFlag{Name: "no-cache", Usage: "neither read nor write the cache"},
		&cli.BoolFlag{Name: "allow-unpinned", Usage: "accept a version or ref that has no pinned checksums (prints the lines to pin)"},
		&cli.StringFlag{Name: "patches", Usage: "read series and pins from the patches tree `DIR` instead of the built-in one"},
	}
}

// pickFlags returns the flags of upstreamFlags with the given names.
func pickFlags(names ...string) []cli.Flag {
	var out []cli.Flag
	for _, f := range upstreamFlags() {
		if slices.Contains(names, f.Names()[0]) {
			out = append(out, f)
		}
	}
	return out
}

// upstreamOptions turns the flags of upstreamFlags (those the command has)
// and the environment into upstream.Options. Pins and Flavor are always set:
// Flavor is upstream for a command without --flavor.
// The token comes from BCFORK_GITHUB_TOKEN, else GITHUB_TOKEN.
func upstreamOptions(c *cli.Context) (upstream.Options, error) {
	opt := upstream.Options{
		Version:       c.String("version"),
		From:          c.String("from"),
		Repo:          c.String("repo"),
		APIURL:        c.String("github-api"),
		Token:         firstEnv("BCFORK_GITHUB_TOKEN", "GITHUB_TOKEN"),
		Offline:       c.Bool("offline"),
		AllowUnpinned: c.Bool("allow-unpinned"),
		Pins:          patches.FS,
		Flavor:        upstream.DefaultFlavor,
		Log:           c.App.ErrWriter,
	}
	if f := c.String("flavor"); f != "" {
		if err := upstream.ValidFlavor(f); err != nil {
			return opt, usagef("--flavor %q: want a folder name of the patches tree such as %s or debian", f, upstream.DefaultFlavor)
		}
		opt.Flavor = f
	}
	if dir := c.String("patches"); dir != "" {
		if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
			return opt, usagef("--patches %q: not a folder", dir)
		}
		opt.Pins = os.DirFS(dir)
	}
	var err error
	opt.CacheDir, err = cacheDir(c)
	return opt, err
}

// cacheDir is the cache folder, "" with --no-cache.
func cacheDir(c *cli.Context) (string, error) {
	if c.Bool("no-cache") {
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
