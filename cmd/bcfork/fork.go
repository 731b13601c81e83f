package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/bcfork/bcfork/generator"
	"github.com/bcfork/bcfork/internal/catalog"
	"github.com/bcfork/bcfork/upstream"
	"github.com/urfave/cli/v2"
)

// buildFork fetches and verifies the pristine files the flags name and
// applies the series for their version, in memory.
func buildFork(c *cli.Context) (*generator.Fork, *upstream.Release, error) {
	return buildForkOf(c, c.String("version"))
}

// buildForkOf is buildFork for an explicit version: "" is the version of the
// --from files, else the newest with a series. A version without a series is
// refused before anything is fetched.
func buildForkOf(c *cli.Context, version string) (*generator.Fork, *upstream.Release, error) {
	opt, err := forkOptions(c, version)
	if err != nil {
		return nil, nil, err
	}
	return buildForkWith(c, opt)
}

// buildForkWith fetches the files opt names and applies their series.
func buildForkWith(c *cli.Context, opt upstream.Options) (*generator.Fork, *upstream.Release, error) {
	rel, err := upstream.Fetch(c.Context, opt)
	if err != nil {
		return nil, nil, err
	}
	series, err := catalog.New(opt.Pins).Series(opt.Flavor, rel.Version)
	if err != nil {
		return nil, nil, err
	}
	fork, err := generator.Generate(generator.Options{
		Bcfork:  buildVersion(),
		Flavor:  opt.Flavor,
		Version: rel.Version,
		Source:  sourceOf(rel),
		Files:   rel.Files,
		Series:  series,
		Fuzz:    c.Int("fuzz"),
	})
	if err != nil {
		return nil, nil, newSeriesError(c, opt, rel, series, err)
	}
	return fork, rel, nil
}

// forkOptions checks the flags of a fork build and resolves its version,
// before any network.
func forkOptions(c *cli.Context, version string) (upstream.Options, error) {
	if c.Int("fuzz") < 0 {
		return upstream.Options{}, usagef("--fuzz must be 0 or more, not %d", c.Int("fuzz"))
	}
	opt, err := upstreamOptions(c)
	if err != nil {
		return opt, err
	}
	opt.Version, err = forkVersion(opt, version)
	return opt, err
}

// forkVersion is version, else the newest with a series unless the files
// come --from somewhere (then their $VERSION decides). A version named must
// have a series, and the patches tree must have one at all.
func forkVersion(opt upstream.Options, version string) (string, error) {
	cat := catalog.New(opt.Pins)
	newest, err := cat.Newest(opt.Flavor)
	switch {
	case err != nil:
		return "", err
	case version != "":
		_, err := cat.Series(opt.Flavor, version)
		return version, err
	case opt.From != "" && opt.Flavor == upstream.DefaultFlavor:
		return "", nil // the files' $VERSION decides
	case opt.From != "":
		return onlySeries(opt)
	}
	return newest, nil
}

// onlySeries is the version of a flavor's only series: other flavors'
// versions (5.6.0-4) are not the script's $VERSION, so --from alone names
// one only when there is just one.
func onlySeries(opt upstream.Options) (string, error) {
	vs, err := catalog.New(opt.Pins).Versions(opt.Flavor)
	if err != nil {
		return "", err
	}
	if len(vs) != 1 {
		return "", usagef("--flavor %s --from needs --version (series: %s)", opt.Flavor, strings.Join(vs, ", "))
	}
	return vs[0], nil
}

func sourceOf(rel *upstream.Release) generator.Source {
	return generator.Source{Kind: rel.Kind, Location: rel.Location, Ref: rel.Ref, Commit: rel.Commit}
}

// generateTemp generates the fork of version (the newest with a series if
// "") into a temporary folder for install without --from; the caller calls
// cleanup when done.
func generateTemp(c *cli.Context, version string) (string, func(), error) {
	fork, _, err := buildForkOf(c, version)
	if err != nil {
		return "", nil, err
	}
	tmp, err := os.MkdirTemp("", "bcfork-install-")
	if err != nil {
		return "", nil, fmt.Errorf("generating fork: %w", err)
	}
	cleanup := func() { os.RemoveAll(tmp) }
	dir := filepath.Join(tmp, "fork")
	if err := fork.Write(dir, false); err != nil {
		cleanup()
		return "", nil, err
	}
	fmt.Fprintf(c.App.ErrWriter, "generated the fork of %s %s (series %.12s)\n", fork.Manifest.Flavor, fork.Manifest.Version, fork.Manifest.Series)
	return dir, cleanup, nil
}
