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
	newest, err := newestSeries(opt.Pins, opt.Flavor)
	switch {
	case err != nil:
		return "", err
	case version != "":
		_, err := readSeries(opt.Pins, opt.Flavor, version)
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
	vs, err := seriesVersions(opt.Pins, opt.Flavor)
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

// errNoSeries is returned when the patches tree has no series for a version.
var errNoSeries = errors.New("no patch series")

func readSeries(fsys fs.FS, flavor, version string) (*generator.Series, error) {
	dir := path.Join(flavor, version)
	if _, err := fs.Stat(fsys, path.Join(dir, generator.SeriesName)); err != nil {
		return nil, fmt.Errorf("%w for %s %s (%s)", errNoSeries, flavor, version, haveSeries(fsys, flavor))
	}
	return generator.ReadSeries(fsys, dir)
}

// haveSeries says which versions of flavor have a series, for an error.
func haveSeries(fsys fs.FS, flavor string) string {
	have, _ := seriesVersions(fsys, flavor)
	if len(have) == 0 {
		return fmt.Sprintf("the patches tree has no %s/VERSION/series at all", flavor)
	}
	return "series exist for: " + strings.Join(have, ", ")
}

// seriesVersions lists the versions of flavor that have a series, newest
// first; none when the patches tree has no folder for flavor.
func seriesVersions(fsys fs.FS, flavor string) ([]string, error) {
	entries, err := fs.ReadDir(fsys, flavor)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading patches tree: %w", err)
	}
	var out []string
	for _, e := range entries {
		if _, err := fs.Stat(fsys, path.Join(flavor, e.Name(), generator.SeriesName)); err == nil {
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
		return "", fmt.Errorf("%w: %s", errNoSeries, haveSeries(fsys, flavor))
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
