package generator

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"

	"github.com/bcfork/bcfork/internal/beneath"
	"github.com/bcfork/bcfork/internal/bucardo"
	"github.com/bcfork/bcfork/patch"
)

// ManifestName is the file name of the manifest in a generated fork folder.
const ManifestName = "manifest.json"

// ManifestFormat is the version of the manifest's layout that this bcfork
// writes and reads. Unknown fields are ignored, so a later format that only
// adds fields keeps this number (Source.SHA256 was added so).
const ManifestFormat = 1

// OrigSuffix is appended to a file name for the pristine copy written beside the fork.
const OrigSuffix = ".orig"

// Manifest describes a generated fork folder: where its inputs came from,
// what was applied, and the sha256 of every file, so that install can verify
// the folder and status can recognise the files on a host.
type Manifest struct {
	Format  int            `json:"format"`  // ManifestFormat; a newer format is refused
	Bcfork  string         `json:"bcfork"`  // version of bcfork that generated it
	Flavor  string         `json:"flavor"`  // series flavor, e.g. "upstream"
	Version string         `json:"version"` // upstream version or ref, e.g. "5.6.0"
	Source  Source         `json:"source"`
	Series  string         `json:"series_sha256"` // sha256 over the series file and patches, in order
	Inputs  []FileSum      `json:"inputs"`        // pristine files, written with OrigSuffix
	Outputs []FileSum      `json:"outputs"`       // forked files
	Patches []patch.Result `json:"patches"`
}

// Source says where the pristine inputs came from. A local source is
// named by its base name (and a tarball by its sha256 too), not by a path
// that meant something only where generate ran; format 1 manifests may
// hold such a path.
type Source struct {
	Kind     string `json:"kind"`               // github, tarball, dir, cache
	Location string `json:"location,omitempty"` // repository, or the tarball's or folder's base name
	SHA256   string `json:"sha256,omitempty"`   // of the tarball
	Ref      string `json:"ref,omitempty"`      // tag or ref asked for
	Commit   string `json:"commit,omitempty"`   // upstream commit, when known
}

// FileSum names a file with its size, mode and sha256.
type FileSum struct {
	Name   string `json:"name"`
	Size   int64  `json:"size"`
	Mode   string `json:"mode"` // octal, e.g. "0755"
	SHA256 string `json:"sha256"`
}

// Output returns the output entry named name.
func (m *Manifest) Output(name string) (FileSum, bool) { return find(m.Outputs, name) }

// Input returns the pristine input entry named name.
func (m *Manifest) Input(name string) (FileSum, bool) { return find(m.Inputs, name) }

func find(sums []FileSum, name string) (FileSum, bool) {
	for _, s := range sums {
		if s.Name == name {
			return s, true
		}
	}
	return FileSum{}, false
}

// SHA256 returns the hex sha256 of b.
func SHA256(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// ReadManifest reads and verifies the fork folder dir: the manifest must
// parse and both forked files and both pristine copies must be listed and
// present with the recorded size and sha256.
func ReadManifest(dir string) (*Manifest, error) {
	f, err := ReadFork(dir)
	if err != nil {
		return nil, err
	}
	return &f.Manifest, nil
}

// Caps on what is read from a fork folder: Bucardo's files are under
// 400 KB, a manifest some 5 KB.
const (
	maxManifest int64 = 4 << 20
	maxForkFile int64 = 16 << 20
)

// ReadFork reads the fork folder dir, verified as ReadManifest does, and
// returns the very bytes it verified, so that what is used is what was
// checked. Its files must be regular files: a link in the folder is
// refused, and a FIFO or a device is not waited on.
func ReadFork(dir string) (*Fork, error) {
	in, f, err := readManifest(dir)
	if err != nil {
		return nil, err
	}
	for _, n := range bucardo.Names {
		if err := f.readPair(in, dir, n); err != nil {
			return nil, err
		}
	}
	return f, nil
}

// readPair reads the forked file n and its pristine copy, verified.
func (f *Fork) readPair(in beneath.Root, dir, n string) (err error) {
	out, ok1 := f.Manifest.Output(n)
	orig, ok2 := f.Manifest.Input(n)
	if !ok1 || !ok2 {
		return fmt.Errorf("reading %q: %q is not listed as both input and output", filepath.Join(dir, ManifestName), n)
	}
	if f.Files[n], err = readVerified(in, dir, n, out); err != nil {
		return err
	}
	f.Pristine[n], err = readVerified(in, dir, n+OrigSuffix, orig)
	return err
}

// ErrManifestMismatch is returned when a fork folder's file does not match its manifest.
var ErrManifestMismatch = errors.New("file does not match the manifest")

func readVerified(in beneath.Root, dir, name string, want FileSum) ([]byte, error) {
	p := filepath.Join(dir, name)
	b, _, err := in.ReadFile(p, maxForkFile)
	if err != nil {
		return nil, fmt.Errorf("verifying fork folder: %w", err)
	}
	if int64(len(b)) != want.Size {
		return nil, fmt.Errorf("%q: %w: %d bytes, manifest says %d", p, ErrManifestMismatch, len(b), want.Size)
	}
	if got := SHA256(b); got != want.SHA256 {
		return nil, fmt.Errorf("%q: %w: sha256 %s, manifest says %s", p, ErrManifestMismatch, got, want.SHA256)
	}
	return b, nil
}

// ReadEdited reads the fork folder dir as it is after someone edited its
// forked files: the manifest and the pristine copies, verified, and the
// forked files as they are now.
func ReadEdited(dir string) (*Fork, error) {
	in, f, err := readManifest(dir)
	if err != nil {
		return nil, err
	}
	for _, n := range bucardo.Names {
		orig, ok := f.Manifest.Input(n)
		if !ok {
			return nil, fmt.Errorf("reading %q: %q is not listed as an input", filepath.Join(dir, ManifestName), n)
		}
		if f.Pristine[n], err = readVerified(in, dir, n+OrigSuffix, orig); err != nil {
			return nil, err
		}
		if f.Files[n], _, err = in.ReadFile(filepath.Join(dir, n), maxForkFile); err != nil {
			return nil, fmt.Errorf("reading fork folder: %w", err)
		}
	}
	return f, nil
}

// readManifest reads the manifest of the fork folder dir, of a format this
// bcfork knows, into an empty Fork; the folder is read without following
// links.
func readManifest(dir string) (beneath.Root, *Fork, error) {
	in := beneath.New(dir)
	name := filepath.Join(dir, ManifestName)
	data, _, err := in.ReadFile(name, maxManifest)
	if err != nil {
		return in, nil, fmt.Errorf("reading fork folder: %w", err)
	}
	f := &Fork{Files: map[string][]byte{}, Pristine: map[string][]byte{}}
	if err := json.Unmarshal(data, &f.Manifest); err != nil {
		return in, nil, fmt.Errorf("reading %q: %w", name, err)
	}
	if m := f.Manifest; m.Format > ManifestFormat {
		return in, nil, fmt.Errorf("reading %q: manifest format %d is newer than this bcfork reads (%d); upgrade bcfork", name, m.Format, ManifestFormat)
	}
	return in, f, nil
}
