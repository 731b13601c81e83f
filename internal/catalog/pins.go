package catalog

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"sort"
	"strings"

	"github.com/bcfork/bcfork/internal/bucardo"
	"github.com/bcfork/bcfork/internal/version"
)

// ChecksumsPath is the path of the pins of flavor/version in the tree.
func ChecksumsPath(flavor, version string) string {
	return path.Join(flavor, version, ChecksumsFile)
}

// CommitPath is the path of the pinned commit of flavor/version in the tree.
func CommitPath(flavor, version string) string {
	return path.Join(flavor, version, CommitFile)
}

// Pins reads the checksums pinned for flavor/version: sha256 in lower-case
// hex by file name. It returns nil and no error when the version is not
// pinned. Pins must name both files bcfork forks.
func (c *Catalog) Pins(flavor, version string) (map[string]string, error) {
	p := ChecksumsPath(flavor, version)
	data, err := c.read(flavor, version, p)
	if data == nil || err != nil {
		return nil, err
	}
	sums, err := ReadChecksums(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("reading pins %q: %w", p, err)
	}
	for _, name := range bucardo.Names {
		if sums[name] == "" {
			return nil, fmt.Errorf("reading pins %q: no checksum for %q", p, name)
		}
	}
	return sums, nil
}

// Commit reads the upstream commit pinned for flavor/v: one line holding a
// full commit SHA, as `git rev-parse 5.6.0^{commit}` prints it. It returns
// "" and no error when no commit is pinned: the file is optional.
func (c *Catalog) Commit(flavor, v string) (string, error) {
	p := CommitPath(flavor, v)
	data, err := c.read(flavor, v, p)
	if data == nil || err != nil {
		return "", err
	}
	commit := strings.ToLower(strings.TrimSuffix(strings.TrimSuffix(string(data), "\n"), "\r"))
	if !version.IsCommit(commit) {
		return "", fmt.Errorf("reading pins %q: want one line with a 40-hex commit SHA, got %.60q", p, data)
	}
	return commit, nil
}

// read reads the pin file p of flavor/version; nil and no error when there
// is none.
func (c *Catalog) read(flavor, version, p string) ([]byte, error) {
	if !validName(flavor) || !validName(version) {
		return nil, fmt.Errorf("reading pins: invalid version %q", version)
	}
	data, err := fs.ReadFile(c.fsys, p)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading pins: %w", err)
	}
	return data, nil
}

// File is one pinned file of the tree: file Name of Flavor's Version.
type File struct {
	Flavor  string
	Version string
	Name    string // bucardo or bucardo.schema
}

// Identify returns the pinned files whose sha256 is sum (hex), by flavor
// name, then newest version first: which release or package a file on a
// host is. None when no pin has sum.
func (c *Catalog) Identify(sum string) ([]File, error) {
	sum = strings.ToLower(sum)
	flavors, err := c.Flavors()
	if err != nil {
		return nil, err
	}
	var out []File
	for _, f := range flavors {
		files, err := c.identifyIn(f, sum)
		if err != nil {
			return nil, err
		}
		out = append(out, files...)
	}
	return out, nil
}

// identifyIn is Identify within one flavor.
func (c *Catalog) identifyIn(flavor, sum string) ([]File, error) {
	entries, err := c.Entries(flavor)
	if err != nil {
		return nil, err
	}
	var out []File
	for _, e := range entries {
		pins, err := c.Pins(flavor, e.Version)
		if err != nil {
			return nil, err
		}
		for _, name := range bucardo.Names {
			if pins[name] == sum {
				out = append(out, File{Flavor: flavor, Version: e.Version, Name: name})
			}
		}
	}
	return out, nil
}

// ReadChecksums parses sha256sum output ("<hex>  <name>" or "<hex> *<name>"
// a line; blank lines are skipped) into a map from name to lower-case hex.
func ReadChecksums(r io.Reader) (map[string]string, error) {
	sums := map[string]string{}
	sc := bufio.NewScanner(r)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimRight(sc.Text(), "\r")
		if strings.TrimSpace(line) == "" {
			continue
		}
		name, sum, err := parseChecksumLine(line)
		if err != nil {
			return nil, fmt.Errorf("line %d: %w", n, err)
		}
		if _, dup := sums[name]; dup {
			return nil, fmt.Errorf("line %d: %q listed twice", n, name)
		}
		sums[name] = sum
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("reading checksums: %w", err)
	}
	return sums, nil
}

func parseChecksumLine(line string) (name, sum string, err error) {
	if len(line) < 67 || (line[64:66] != "  " && line[64:66] != " *") {
		return "", "", fmt.Errorf("not in sha256sum format: %q", line)
	}
	sum = strings.ToLower(line[:64])
	if _, err := hex.DecodeString(sum); err != nil {
		return "", "", fmt.Errorf("not a sha256 in hex: %q", line[:64])
	}
	return line[66:], sum, nil
}

// ChecksumLines returns the sha256sum lines of files, sorted by name: the
// contents of a checksums file that pins them.
func ChecksumLines(files map[string][]byte) string {
	sums := make(map[string]string, len(files))
	for name, b := range files {
		sum := sha256.Sum256(b)
		sums[name] = hex.EncodeToString(sum[:])
	}
	return SumLines(sums)
}

// SumLines is ChecksumLines for files already hashed: sums holds the hex
// sha256 of each file by name (as upstream.Release.SHA256 does).
func SumLines(sums map[string]string) string {
	names := make([]string, 0, len(sums))
	for name := range sums {
		names = append(names, name)
	}
	sort.Strings(names)
	var b strings.Builder
	for _, name := range names {
		fmt.Fprintf(&b, "%s  %s\n", sums[name], name)
	}
	return b.String()
}
