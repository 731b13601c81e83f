package patch

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"strconv"
	"strings"

	"github.com/bluekeyes/go-gitdiff/gitdiff"
)

// SeriesName is the name of the file that lists a series' patches in order.
const SeriesName = "series"

// Patch is one patch of a series: its DEP-3 header and its parsed diff.
// File names in Files have the a/ and b/ prefixes stripped (-p1).
type Patch struct {
	Name   string
	Header Header
	Files  []*gitdiff.File
	Raw    []byte
}

// Series is a quilt series: the patches in the order they apply.
type Series struct {
	Patches []*Patch
	raw     []byte // the series file, kept for Hash
}

// ErrRejected is matched (errors.Is) by every *RejectError: the patch was
// refused before anything was applied.
var ErrRejected = errors.New("patch rejected")

// RejectError reports a patch that is refused as input: malformed, hostile
// or outside what a series may do (rename, binary, unknown file...).
type RejectError struct {
	Patch  string // patch name
	File   string // file the problem concerns, "" when not known
	Hunk   int    // 1-based hunk number within File, 0 when not about a hunk
	Line   int    // 1-based line in the patch, 0 when not known
	Reason string
	Err    error // underlying parser error, if any
}

func (e *RejectError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "patch %q", e.Patch)
	if e.Line > 0 {
		fmt.Fprintf(&b, " line %d", e.Line)
	}
	if e.File != "" {
		fmt.Fprintf(&b, ", file %q", e.File)
	}
	if e.Hunk > 0 {
		fmt.Fprintf(&b, ", hunk #%d", e.Hunk)
	}
	b.WriteString(": ")
	b.WriteString(e.Reason)
	return b.String()
}

// Is reports whether target is ErrRejected.
func (e *RejectError) Is(target error) bool { return target == ErrRejected }

// Unwrap returns the parser error behind e, if any.
func (e *RejectError) Unwrap() error { return e.Err }

// ReadSeries reads dir/series from fsys and every patch it lists, in order.
// A listed patch that is missing, or a *.patch or *.diff file in dir that is
// not listed, is an error naming it; a patch that does not parse or that
// does something a series may not do is a *RejectError.
func ReadSeries(fsys fs.FS, dir string) (*Series, error) {
	name := path.Join(dir, SeriesName)
	raw, err := fs.ReadFile(fsys, name)
	if err != nil {
		return nil, fmt.Errorf("reading series: %w", err)
	}
	names, err := parseSeries(raw)
	if err != nil {
		return nil, fmt.Errorf("reading %q: %w", name, err)
	}
	if err := checkUnlisted(fsys, dir, names); err != nil {
		return nil, err
	}
	s := &Series{raw: raw}
	for _, n := range names {
		p, err := readPatch(fsys, dir, n)
		if err != nil {
			return nil, err
		}
		s.Patches = append(s.Patches, p)
	}
	return s, nil
}

func readPatch(fsys fs.FS, dir, name string) (*Patch, error) {
	data, err := fs.ReadFile(fsys, path.Join(dir, name))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("reading series %q: patch %q is listed but missing: %w", dir, name, err)
	}
	if err != nil {
		return nil, fmt.Errorf("reading series %q: %w", dir, err)
	}
	return Parse(name, data)
}

// parseSeries returns the patch names a quilt series file lists: one a
// line, "#" starts a comment, blank lines are ignored, and the only option
// accepted after a name is -p1.
func parseSeries(raw []byte) ([]string, error) {
	var names []string
	seen := map[string]bool{}
	for i, line := range strings.Split(string(raw), "\n") {
		fields := strings.Fields(stripComment(line))
		if len(fields) == 0 {
			continue
		}
		if err := checkSeriesEntry(fields); err != nil {
			return nil, fmt.Errorf("line %d: %w", i+1, err)
		}
		if seen[fields[0]] {
			return nil, fmt.Errorf("line %d: %q is listed twice", i+1, fields[0])
		}
		seen[fields[0]] = true
		names = append(names, fields[0])
	}
	return names, nil
}

// ListedName returns the patch name a line of a series file lists, or ""
// for a blank or comment line.
func ListedName(line string) string {
	if fields := strings.Fields(stripComment(line)); len(fields) > 0 {
		return fields[0]
	}
	return ""
}

func stripComment(line string) string {
	if i := strings.Index(line, "#"); i == 0 || i > 0 && (line[i-1] == ' ' || line[i-1] == '\t') {
		return line[:i]
	}
	return line
}

func checkSeriesEntry(fields []string) error {
	name := fields[0]
	if strings.ContainsAny(name, `/\`) || name == "." || name == ".." || name == SeriesName {
		return fmt.Errorf("%q is not a plain patch file name", name)
	}
	for _, opt := range fields[1:] {
		if opt != "-p1" {
			return fmt.Errorf("option %q of %q is not supported (patches are -p1)", opt, name)
		}
	}
	return nil
}

func checkUnlisted(fsys fs.FS, dir string, names []string) error {
	entries, err := fs.ReadDir(fsys, dir)
	if err != nil {
		return fmt.Errorf("reading series %q: %w", dir, err)
	}
	listed := map[string]bool{}
	for _, n := range names {
		listed[n] = true
	}
	var extra []string
	for _, e := range entries {
		n := e.Name()
		if (strings.HasSuffix(n, ".patch") || strings.HasSuffix(n, ".diff")) && !listed[n] {
			extra = append(extra, strconv.Quote(n))
		}
	}
	if len(extra) > 0 {
		return fmt.Errorf("reading series %q: not listed in %q: %s", dir, SeriesName, strings.Join(extra, ", "))
	}
	return nil
}

// Hash returns the hex sha256 over the series file and each patch in
// order, each part framed as "<name> <size>\n" followed by its bytes.
func (s *Series) Hash() string {
	h := sha256.New()
	fmt.Fprintf(h, "%s %d\n", SeriesName, len(s.raw))
	h.Write(s.raw)
	for _, p := range s.Patches {
		fmt.Fprintf(h, "%s %d\n", p.Name, len(p.Raw))
		h.Write(p.Raw)
	}
	return hex.EncodeToString(h.Sum(nil))
}
