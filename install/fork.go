package install

import (
	"fmt"

	"github.com/bcfork/bcfork/generator"
	"github.com/bcfork/bcfork/internal/bucardo"
)

// fork is a generated fork folder, read and verified.
type fork struct {
	manifest *generator.Manifest
	files    map[string][]byte // forked files by name
	origs    map[string][]byte // pristine originals by name
	version  string            // $VERSION of the forked script
}

// newFork is the fork g, read from its folder.
func newFork(g *generator.Fork) *fork {
	f := &fork{manifest: &g.Manifest, files: g.Files, origs: g.Pristine}
	f.version = bucardo.Version(f.files[bucardo.Script])
	if f.version == "" {
		f.version = g.Manifest.Version
	}
	return f
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
func (f *fork) describe(modified bool) string {
	return describeFork(f.manifest.Flavor, f.manifest.Version, f.manifest.Series, modified)
}

// describeFork says what a fork is; a modified one is never called the
// fork of its series.
func describeFork(flavor, version, series string, modified bool) string {
	if modified {
		return fmt.Sprintf("modified fork (its folder claims %s %s, but is not what that series makes)", flavor, version)
	}
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
