package install

import (
	"fmt"

	"github.com/bcfork/bcfork/generator"
	"github.com/bcfork/bcfork/internal/bucardo"
)

// fork is a generated fork folder, read and verified.
type fork struct {
	dir      string
	manifest *generator.Manifest
	files    map[string][]byte // forked files by name
	origs    map[string][]byte // pristine originals by name
	version  string            // $VERSION of the forked script
}

// loadFork reads the fork folder dir and verifies it against its manifest.
func loadFork(dir string) (*fork, error) {
	g, err := generator.ReadFork(dir)
	if err != nil {
		return nil, err
	}
	f := &fork{dir: dir, manifest: &g.Manifest, files: g.Files, origs: g.Pristine}
	f.version = Version(f.files[bucardo.Script])
	if f.version == "" {
		f.version = g.Manifest.Version
	}
	return f, nil
}

// mode returns the mode the manifest gives the forked file name, else the usual one.
func (f *fork) mode(name string) string {
	if s, ok := f.manifest.Output(name); ok && s.Mode != "" {
		if _, err := parseMode(s.Mode); err == nil {
			return s.Mode
		}
	}
	if name == bucardo.Script {
		return "0755"
	}
	return "0644"
}

// describe says what the fork is, for messages.
func (f *fork) describe() string {
	return describeFork(f.manifest.Flavor, f.manifest.Version, f.manifest.Series)
}

func describeFork(flavor, version, series string) string {
	if len(series) > 12 {
		series = series[:12]
	}
	return fmt.Sprintf("fork of %s %s (series %s)", flavor, version, series)
}

// checkVersion refuses a fork whose script is another release than the
// host's Bucardo.pm.
func checkVersion(f *fork, o Options) error {
	if o.Module == nil || o.Module.Version == f.version || o.Force {
		return nil
	}
	return &VersionError{Fork: f.version, Host: o.Module.Version, Module: o.layout().real(o.Module.Path)}
}
