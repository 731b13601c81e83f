package upstream

import (
	"crypto/sha1"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"

	"github.com/bcfork/bcfork/internal/bucardo"
	"github.com/bcfork/bcfork/internal/catalog"
)

// pinned is what the patches tree pins of one version.
type pinned struct {
	sums   map[string]string // sha256 by file name; nil when the version is not pinned
	commit string            // upstream commit; "" when none is pinned
}

// readPins reads the checksums and the commit pinned for flavor/version.
// A commit pinned without checksums is an error: the checksums are what
// make a version pinned.
func readPins(fsys fs.FS, flavor, version string) (pinned, error) {
	c := catalog.New(fsys)
	sums, err := c.Pins(flavor, version)
	if err != nil {
		return pinned{}, err
	}
	commit, err := c.Commit(flavor, version)
	if err != nil {
		return pinned{}, err
	}
	if commit != "" && sums == nil {
		return pinned{}, fmt.Errorf("reading pins %q: a commit is pinned but no checksums (%s)", catalog.CommitPath(flavor, version), catalog.ChecksumsPath(flavor, version))
	}
	return pinned{sums: sums, commit: commit}, nil
}

// verifyPins checks the files' sha256 sums against pins; source and pin
// are for the message.
func verifyPins(sums map[string]string, pins map[string]string, source, pin string) error {
	for _, name := range bucardo.Names {
		if got := sums[name]; got != pins[name] {
			return &ChecksumError{File: name, Algo: "sha256", Want: pins[name], Got: got, Source: source, Pin: pin}
		}
	}
	return nil
}

func sha256Hex(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// blobSHA is git's object name for b as a blob, as `git hash-object` prints it.
func blobSHA(b []byte) string {
	h := sha1.New()
	fmt.Fprintf(h, "blob %d\x00", len(b))
	h.Write(b)
	return hex.EncodeToString(h.Sum(nil))
}
