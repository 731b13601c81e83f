package generator

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// ManifestName is the file name of the manifest in a generated fork folder.
const ManifestName = "manifest.json"

// ManifestFormat is the version of the manifest's layout that this bcfork
// writes and reads. Unknown fields are ignored, so a later format that only
// adds fields keeps this number.
const ManifestFormat = 1

// OrigSuffix is appended to a file name for the pristine copy written beside the fork.
const OrigSuffix = ".orig"

// Manifest describes a generated fork folder: where its inputs came from,
// what was applied, and the sha256 of every file, so that install can verify
// the folder and status can recognise the files on a host.
type Manifest struct {
	Format  int           `json:"format"`  // ManifestFormat; a newer format is refused
	Bcfork  string        `json:"bcfork"`  // version of bcfork that generated it
	Flavor  string        `json:"flavor"`  // series flavor, e.g. "upstream"
	Version string        `json:"version"` // upstream version or ref, e.g. "5.6.0"
	Source  Source        `json:"source"`
	Series  string        `json:"series_sha256"` // sha256 over the series file and patches, in order
	Inputs  []FileSum     `json:"inputs"`        // pristine files, written with OrigSuffix
	Outputs []FileSum     `json:"outputs"`       // forked files
	Patches []PatchResult `json:"patches"`
}

// Source says where the pristine inputs came from.
type Source struct {
	Kind     string `json:"kind"`               // github, tarball, dir, cache
	Location string `json:"location,omitempty"` // repository, tarball path or folder
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

// PatchResult records how one patch of the series applied.
type PatchResult struct {
	Name  string       `json:"name"`
	Hunks []HunkResult `json:"hunks"`
}

// HunkResult records where one hunk applied.
type HunkResult struct {
	File   string `json:"file"`
	Header string `json:"header"` // the @@ line
	Offset int    `json:"offset"` // lines from the stated position, + is later in the file
	Fuzz   int    `json:"fuzz"`   // context lines ignored (0 unless fuzz was asked for)
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
// parse and every file it lists (outputs, and inputs with OrigSuffix) must be
// present with the recorded size and sha256.
func ReadManifest(dir string) (*Manifest, error) {
	name := filepath.Join(dir, ManifestName)
	data, err := os.ReadFile(name)
	if err != nil {
		return nil, fmt.Errorf("reading fork folder: %w", err)
	}
	var m Manifest
	if err := json.Unmarshal(data, &m); err != nil {
		return nil, fmt.Errorf("reading %q: %w", name, err)
	}
	if m.Format > ManifestFormat {
		return nil, fmt.Errorf("reading %q: manifest format %d is newer than this bcfork reads (%d); upgrade bcfork", name, m.Format, ManifestFormat)
	}
	if err := m.verify(dir); err != nil {
		return nil, err
	}
	return &m, nil
}

// verify checks that both forked files and both pristine copies are listed
// and present with the recorded size and sha256.
func (m *Manifest) verify(dir string) error {
	for _, n := range Names {
		out, ok1 := m.Output(n)
		in, ok2 := m.Input(n)
		if !ok1 || !ok2 {
			return fmt.Errorf("reading %q: %q is not listed as both input and output", filepath.Join(dir, ManifestName), n)
		}
		if err := verifyFile(dir, n, out); err != nil {
			return err
		}
		if err := verifyFile(dir, n+OrigSuffix, in); err != nil {
			return err
		}
	}
	return nil
}

// ErrManifestMismatch is returned when a fork folder's file does not match its manifest.
var ErrManifestMismatch = errors.New("file does not match the manifest")

func verifyFile(dir, name string, want FileSum) error {
	p := filepath.Join(dir, name)
	b, err := os.ReadFile(p)
	if err != nil {
		return fmt.Errorf("verifying fork folder: %w", err)
	}
	if int64(len(b)) != want.Size {
		return fmt.Errorf("%q: %w: %d bytes, manifest says %d", p, ErrManifestMismatch, len(b), want.Size)
	}
	if got := SHA256(b); got != want.SHA256 {
		return fmt.Errorf("%q: %w: sha256 %s, manifest says %s", p, ErrManifestMismatch, got, want.SHA256)
	}
	return nil
}
