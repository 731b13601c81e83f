package install

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/bcfork/bcfork/generator"
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
	m, err := generator.ReadManifest(dir)
	if err != nil {
		return nil, err
	}
	f := &fork{dir: dir, manifest: m, files: map[string][]byte{}, origs: map[string][]byte{}}
	for _, name := range []string{ScriptName, SchemaName} {
		if _, ok := m.Output(name); !ok {
			return nil, fmt.Errorf("fork folder %q: manifest lists no %s", dir, name)
		}
		if f.files[name], err = readVerified(dir, name, m.Outputs); err != nil {
			return nil, err
		}
		if _, ok := m.Input(name); ok {
			if f.origs[name], err = readVerified(dir, name+generator.OrigSuffix, m.Inputs); err != nil {
				return nil, err
			}
		}
	}
	f.version = Version(f.files[ScriptName])
	if f.version == "" {
		f.version = m.Version
	}
	return f, nil
}

// readVerified reads a file of the fork folder again and checks it against
// the manifest, so what is installed is what was verified.
func readVerified(dir, name string, sums []generator.FileSum) ([]byte, error) {
	base := name
	if filepath.Ext(name) == generator.OrigSuffix {
		base = name[:len(name)-len(generator.OrigSuffix)]
	}
	path := filepath.Join(dir, name)
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, wrap("reading the fork folder's", path, err)
	}
	for _, s := range sums {
		if s.Name == base && s.SHA256 == generator.SHA256(data) {
			return data, nil
		}
	}
	return nil, fmt.Errorf("%q: %w", path, generator.ErrManifestMismatch)
}

// mode returns the mode the manifest gives the forked file name, else the usual one.
func (f *fork) mode(name string) string {
	if s, ok := f.manifest.Output(name); ok && s.Mode != "" {
		if _, err := parseMode(s.Mode); err == nil {
			return s.Mode
		}
	}
	if name == ScriptName {
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
