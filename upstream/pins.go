package upstream

import (
	"bufio"
	"bytes"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"sort"
	"strings"
)

// The two upstream files bcfork works on.
const (
	Script = "bucardo"
	Schema = "bucardo.schema"
)

// Names lists the upstream files, in the order they are fetched and shown.
var Names = []string{Script, Schema}

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

// PinPath is the path of the pins of flavor/version in a patches tree.
func PinPath(flavor, version string) string {
	return path.Join(flavor, version, "checksums")
}

// PinnedChecksums reads the pins of flavor/version from the patches tree
// fsys. It returns nil and no error when the version is not pinned. Pins
// must name both upstream files.
func PinnedChecksums(fsys fs.FS, flavor, version string) (map[string]string, error) {
	p := PinPath(flavor, version)
	if err := validRef(version); err != nil || !fs.ValidPath(p) {
		return nil, fmt.Errorf("reading pins: invalid version %q", version)
	}
	data, err := fs.ReadFile(fsys, p)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading pins: %w", err)
	}
	sums, err := ReadChecksums(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("reading pins %q: %w", p, err)
	}
	for _, name := range Names {
		if sums[name] == "" {
			return nil, fmt.Errorf("reading pins %q: no checksum for %q", p, name)
		}
	}
	return sums, nil
}

// CommitPinPath is the path of the pinned upstream commit of flavor/version
// in a patches tree.
func CommitPinPath(flavor, version string) string {
	return path.Join(flavor, version, "commit")
}

// PinnedCommit reads the upstream commit pinned for flavor/version in the
// patches tree fsys: one line holding a full commit SHA, as `git rev-parse
// 5.6.0^{commit}` prints it. It returns "" and no error when no commit is
// pinned: the file is optional.
func PinnedCommit(fsys fs.FS, flavor, version string) (string, error) {
	p := CommitPinPath(flavor, version)
	if err := validRef(version); err != nil || !fs.ValidPath(p) {
		return "", fmt.Errorf("reading pins: invalid version %q", version)
	}
	data, err := fs.ReadFile(fsys, p)
	if errors.Is(err, fs.ErrNotExist) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("reading pins: %w", err)
	}
	commit := strings.ToLower(strings.TrimSuffix(strings.TrimSuffix(string(data), "\n"), "\r"))
	if !isCommit(commit) {
		return "", fmt.Errorf("reading pins %q: want one line with a 40-hex commit SHA, got %.60q", p, data)
	}
	return commit, nil
}

// pinned is what the patches tree pins of one version.
type pinned struct {
	sums   map[string]string // sha256 by file name; nil when the version is not pinned
	commit string            // upstream commit; "" when none is pinned
}

// readPins reads the checksums and the commit pinned for flavor/version.
// A commit pinned without checksums is an error: the checksums are what
// make a version pinned.
func readPins(fsys fs.FS, flavor, version string) (pinned, error) {
	sums, err := PinnedChecksums(fsys, flavor, version)
	if err != nil {
		return pinned{}, err
	}
	commit, err := PinnedCommit(fsys, flavor, version)
	if err != nil {
		return pinned{}, err
	}
	if commit != "" && sums == nil {
		return pinned{}, fmt.Errorf("reading pins %q: a commit is pinned but no checksums (%s)", CommitPinPath(flavor, version), PinPath(flavor, version))
	}
	return pinned{sums: sums, commit: commit}, nil
}

// ChecksumLines returns the sha256sum lines of files, sorted by name: the
// contents of a checksums file that pins them.
func ChecksumLines(files map[string][]byte) string {
	names := make([]string, 0, len(files))
	for name := range files {
		names = append(names, name)
	}
	sort.Strings(names)
	var b strings.Builder
	for _, name := range names {
		fmt.Fprintf(&b, "%s  %s\n", sha256Hex(files[name]), name)
	}
	return b.String()
}

// verifyPins checks files against pins; source and pin are for the message.
func verifyPins(files map[string][]byte, pins map[string]string, source, pin string) error {
	for _, name := range Names {
		if got := sha256Hex(files[name]); got != pins[name] {
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
