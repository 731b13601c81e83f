package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/bcfork/bcfork/generator"
	"github.com/bcfork/bcfork/upstream"
	"github.com/urfave/cli/v2"
)

// buildFork fetches and verifies the pristine files the flags name and
// applies the series for their version, in memory.
func buildFork(c *cli.Context) (*generator.Fork, *upstream.Release, error) {
	return buildForkOf(c, c.String("version"))
}

// buildForkOf is buildFork for an explicit version ("" = the newest with a series).
func buildForkOf(c *cli.Context, version string) (*generator.Fork, *upstream.Release, error) {
	opt, err := upstreamOptions(c)
	if err != nil {
		return nil, nil, err
	}
	opt.Version = version
	if opt.Version == "" && opt.From == "" {
		v, err := newestSeries(opt.Pins, opt.Flavor)
		if err != nil {
			return nil, nil, err
		}
		opt.Version = v
	}
	rel, err := upstream.Fetch(c.Context, opt)
	if err != nil {
		return nil, nil, err
	}
	series, err := readSeries(opt.Pins, opt.Flavor, rel.Version)
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
		return nil, nil, &versionedError{version: rel.Version, err: err}
	}
	return fork, rel, nil
}

func sourceOf(rel *upstream.Release) generator.Source {
	return generator.Source{Kind: rel.Kind, Location: rel.Location, Ref: rel.Ref, Commit: rel.Commit}
}

// errNoSeries is returned when the patches tree has no series for a version.
var errNoSeries = errors.New("no patch series")

func readSeries(fsys fs.FS, flavor, version string) (*generator.Series, error) {
	dir := path.Join(flavor, version)
	if _, err := fs.Stat(fsys, path.Join(dir, "series")); err != nil {
		have, _ := seriesVersions(fsys, flavor)
		return nil, fmt.Errorf("%w for %s %s (series exist for: %s)", errNoSeries, flavor, version, strings.Join(have, ", "))
	}
	return generator.ReadSeries(fsys, dir)
}

// seriesVersions lists the versions of flavor that have a series, newest first.
func seriesVersions(fsys fs.FS, flavor string) ([]string, error) {
	entries, err := fs.ReadDir(fsys, flavor)
	if err != nil {
		return nil, fmt.Errorf("reading patches tree: %w", err)
	}
	var out []string
	for _, e := range entries {
		if _, err := fs.Stat(fsys, path.Join(flavor, e.Name(), "series")); err == nil {
			out = append(out, e.Name())
		}
	}
	sort.Slice(out, func(i, j int) bool { return versionLess(out[j], out[i]) })
	return out, nil
}

func newestSeries(fsys fs.FS, flavor string) (string, error) {
	vs, err := seriesVersions(fsys, flavor)
	if err != nil {
		return "", err
	}
	if len(vs) == 0 {
		return "", fmt.Errorf("%w in flavor %q", errNoSeries, flavor)
	}
	return vs[0], nil
}

// versionLess orders dotted numeric versions; non-numeric parts compare as text.
func versionLess(a, b string) bool {
	as, bs := strings.Split(a, "."), strings.Split(b, ".")
	for i := 0; i < len(as) && i < len(bs); i++ {
		ai, aerr := strconv.Atoi(as[i])
		bi, berr := strconv.Atoi(bs[i])
		switch {
		case aerr == nil && berr == nil && ai != bi:
			return ai < bi
		case (aerr != nil || berr != nil) && as[i] != bs[i]:
			return as[i] < bs[i]
		}
	}
	return len(as) < len(bs)
}

func init() { generateFork = generateTemp }

// generateTemp generates the fork of version into a temporary folder, for
// install without --from.
func generateTemp(_ context.Context, c *cli.Context, version string) (string, func(), error) {
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
