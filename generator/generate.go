package generator

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"

	"github.com/bcfork/bcfork/internal/atomicfile"
	"github.com/bcfork/bcfork/internal/bucardo"
	"github.com/bcfork/bcfork/patch"
)

// modes are the permissions the files get in a fork folder.
var modes = map[string]fs.FileMode{bucardo.Script: 0o755, bucardo.Schema: 0o644}

// Options says what to generate.
type Options struct {
	Bcfork  string            // version of bcfork, recorded in the manifest
	Flavor  string            // series flavor, e.g. "upstream"
	Version string            // upstream version or ref
	Source  Source            // where Files came from
	Files   map[string][]byte // pristine inputs, verified by the caller
	SHA256  map[string]string // hex sha256 of Files when the caller has it (upstream.Release.SHA256); else computed
	Series  *patch.Series
	Fuzz    int // allowed fuzz per hunk; 0 refuses fuzzy placement
}

// Fork is a generated fork held in memory, ready to be written.
type Fork struct {
	Manifest Manifest
	Pristine map[string][]byte
	Files    map[string][]byte
	changes  map[string]patch.Change // counted by Generate; nil for a fork read back
}

// Generate applies opt.Series to opt.Files, all or nothing.
func Generate(opt Options) (*Fork, error) {
	if opt.Series == nil {
		return nil, errors.New("generating fork: no series")
	}
	for _, n := range bucardo.Names {
		if _, ok := opt.Files[n]; !ok {
			return nil, fmt.Errorf("generating fork: pristine %q missing", n)
		}
	}
	o, err := patch.ApplySeries(opt.Files, opt.Series, patch.ApplyOptions{Fuzz: opt.Fuzz, Allowed: bucardo.Names})
	if err != nil {
		return nil, err
	}
	out, results := o.Files, o.Results
	f := &Fork{Pristine: opt.Files, Files: out, changes: o.Changes}
	f.Manifest = Manifest{
		Format:  ManifestFormat,
		Bcfork:  opt.Bcfork,
		Flavor:  opt.Flavor,
		Version: opt.Version,
		Source:  opt.Source,
		Series:  opt.Series.Hash(),
		Inputs:  sums(opt.Files, opt.SHA256, func(string) fs.FileMode { return 0o644 }),
		Outputs: sums(out, nil, func(n string) fs.FileMode { return modes[n] }),
		Patches: results,
	}
	return f, nil
}

// sums lists each file's size, mode (as written to the fork folder) and
// sha256: the one in known, else computed.
func sums(files map[string][]byte, known map[string]string, mode func(string) fs.FileMode) []FileSum {
	var out []FileSum
	for _, n := range bucardo.Names {
		b := files[n]
		sum, ok := known[n]
		if !ok {
			sum = SHA256(b)
		}
		out = append(out, FileSum{Name: n, Size: int64(len(b)), Mode: fmt.Sprintf("%04o", mode(n)), SHA256: sum})
	}
	return out
}

// Diff returns the fork's unified diff against the pristine files.
func (f *Fork) Diff() []byte {
	var buf bytes.Buffer
	for _, n := range bucardo.Names {
		buf.Write(patch.Diff(n, f.Pristine[n], f.Files[n]))
	}
	return buf.Bytes()
}

// Write writes the fork folder dir atomically: the files are written to a
// temporary sibling folder which is renamed into place, so dir is either
// absent, the old folder, or the complete new one (on Linux an existing dir
// is never absent meanwhile: see atomicfile.ReplaceDir). An existing dir is
// only replaced when force is set, and only if it is a folder; otherwise the
// error matches atomicfile.ErrExists.
func (f *Fork) Write(dir string, force bool) error {
	return atomicfile.WriteFolder(dir, force, f.writeFiles)
}

// writeFiles writes the fork's files into d, each flushed to disk while
// the next is written.
func (f *Fork) writeFiles(d *atomicfile.Folder) error {
	for _, n := range bucardo.Names {
		if err := d.Create(n, f.Files[n], modes[n]); err != nil {
			return err
		}
		if err := d.Create(n+OrigSuffix, f.Pristine[n], 0o644); err != nil {
			return err
		}
	}
	m, err := f.ManifestJSON()
	if err != nil {
		return err
	}
	return d.Create(ManifestName, m, 0o644)
}

// ManifestJSON returns the manifest as written to manifest.json.
func (f *Fork) ManifestJSON() ([]byte, error) {
	m, err := json.MarshalIndent(f.Manifest, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("encoding manifest: %w", err)
	}
	return append(m, '\n'), nil
}

// Stat is one file's line of a diffstat.
type Stat struct {
	Name           string
	Added, Removed int
}

// Diffstat counts added and removed lines per file between pristine and
// fork. For a fork Generate made, the counts come from the regions the
// series changed (patch.ApplySeries); for one read back, from a diff of
// the whole files.
func (f *Fork) Diffstat() []Stat {
	var out []Stat
	for _, n := range bucardo.Names {
		c, ok := f.changes[n]
		switch {
		case ok:
		case f.changes != nil: // the series left n alone
		default:
			c.Added, c.Removed = patch.LineChanges(f.Pristine[n], f.Files[n])
		}
		out = append(out, Stat{Name: n, Added: c.Added, Removed: c.Removed})
	}
	return out
}
