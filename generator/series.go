package generator

import (
	"bytes"
	"cmp"
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

// Header is a patch's DEP-3 header.
type Header struct {
	Description string // Description (or Subject); continuation lines joined with "\n"
	Author      string // Author (or From)
	Forwarded   string
	Bug         string // Bug, else the first Bug-<vendor> field
	LastUpdate  string // Last-Update
	Raw         string // the text before the first diff, as written
}

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

// ErrRejected is matched (errors.Is) by every *PatchError: the patch was
// refused before anything was applied.
var ErrRejected = errors.New("patch rejected")

// PatchError reports a patch that is refused as input: malformed, hostile
// or outside what a series may do (rename, binary, unknown file...).
type PatchError struct {
	Patch  string // patch name
	File   string // file the problem concerns, "" when not known
	Hunk   int    // 1-based hunk number within File, 0 when not about a hunk
	Line   int    // 1-based line in the patch, 0 when not known
	Reason string
	Err    error // underlying parser error, if any
}

func (e *PatchError) Error() string {
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
func (e *PatchError) Is(target error) bool { return target == ErrRejected }

// Unwrap returns the parser error behind e, if any.
func (e *PatchError) Unwrap() error { return e.Err }

// ReadSeries reads dir/series from fsys and every patch it lists, in order.
// A listed patch that is missing, or a *.patch or *.diff file in dir that is
// not listed, is an error naming it; a patch that does not parse or that
// does something a series may not do is a *PatchError.
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
	return ParsePatch(name, data)
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

// ParsePatch parses one patch: a DEP-3 header followed by a -p1 unified or
// git diff. It refuses, as a *PatchError, anything but in-place text
// changes to existing files: binary patches, renames, copies, creations,
// deletions, mode changes, absolute paths or "..", hunks whose counts
// disagree with their body, misordered hunks and CRLF line endings.
func ParsePatch(name string, raw []byte) (*Patch, error) {
	reject := func(line int, format string, args ...any) error {
		return &PatchError{Patch: name, Line: line, Reason: fmt.Sprintf(format, args...)}
	}
	if n := crlfLine(raw); n > 0 {
		return nil, reject(n, "line ends in CRLF: patches must use LF line endings only")
	}
	files, preamble, err := gitdiff.Parse(bytes.NewReader(raw))
	if err != nil {
		return nil, &PatchError{Patch: name, Reason: "malformed diff: " + err.Error(), Err: err}
	}
	if len(files) == 0 {
		return nil, reject(0, "no diff found")
	}
	secs, perr := scanSections(raw)
	if perr != nil {
		perr.Patch = name
		return nil, perr
	}
	if len(secs) != len(files) {
		return nil, reject(0, "found %d file headers but parsed %d files", len(secs), len(files))
	}
	for i, f := range files {
		if err := checkFile(f, secs[i]); err != nil {
			err.Patch = name
			return nil, err
		}
	}
	return &Patch{Name: name, Header: ParseHeader(preamble), Files: files, Raw: raw}, nil
}

func crlfLine(raw []byte) int {
	i := bytes.Index(raw, []byte("\r\n"))
	if i < 0 {
		return 0
	}
	return bytes.Count(raw[:i], []byte("\n")) + 1
}

// section is what scanning a patch's text finds about one file's diff.
type section struct {
	line    int    // 1-based line of its first header line
	git     bool   // starts with "diff --git"
	oldName string // raw names from the ---/+++ lines, "" when absent
	newName string
	hunks   []int // 1-based lines of its @@ headers
}

// scanSections finds the file headers and hunks of a patch the way
// gitdiff.Parse does, keeping what it drops: the raw names of traditional
// headers and hunk lines beyond a header's counts.
func scanSections(raw []byte) ([]section, *PatchError) {
	lines := strings.Split(string(raw), "\n")
	var secs []section
	for i := 0; i < len(lines); {
		last := len(secs) - 1
		switch {
		case strings.HasPrefix(lines[i], "diff --git "):
			secs = append(secs, section{line: i + 1, git: true})
			i++
		case isNameHeader(lines, i, secs):
			if last < 0 || !secs[last].git || secs[last].oldName != "" || len(secs[last].hunks) > 0 {
				secs = append(secs, section{line: i + 1})
				last = len(secs) - 1
			}
			secs[last].oldName = headerName(lines[i][4:])
			secs[last].newName = headerName(lines[i+1][4:])
			i += 2
		case strings.HasPrefix(lines[i], "@@ -") && last >= 0:
			next, err := skipHunk(lines, i)
			if err != nil {
				return nil, err
			}
			if next > i+1 {
				secs[last].hunks = append(secs[last].hunks, i+1)
			}
			i = next
		default:
			i++
		}
	}
	return secs, nil
}

// isNameHeader reports whether lines[i:] start a "--- old" "+++ new" pair:
// in a git header always, elsewhere only when a hunk follows (as gitdiff).
func isNameHeader(lines []string, i int, secs []section) bool {
	if i+1 >= len(lines) || !strings.HasPrefix(lines[i], "--- ") || !strings.HasPrefix(lines[i+1], "+++ ") {
		return false
	}
	if n := len(secs); n > 0 && secs[n-1].git && secs[n-1].oldName == "" && len(secs[n-1].hunks) == 0 {
		return true
	}
	return i+2 < len(lines) && len(lines[i+2]) >= len("@@ -1 +1 @@") && strings.HasPrefix(lines[i+2], "@@ -")
}

// headerName returns the name on a ---/+++ line: quoted, or up to a tab.
func headerName(s string) string {
	if strings.HasPrefix(s, `"`) {
		if q, err := strconv.QuotedPrefix(s); err == nil {
			if u, err := strconv.Unquote(q); err == nil {
				return u
			}
		}
	}
	name, _, _ := strings.Cut(s, "\t")
	return name
}

// skipHunk returns the index of the line after the hunk whose header is
// lines[i], or i+1 when lines[i] is not a hunk header gitdiff accepts.
// Hunk-like lines beyond the header's counts are an error.
func skipHunk(lines []string, i int) (int, *PatchError) {
	oldN, newN, ok := hunkCounts(lines[i])
	if !ok {
		return i + 1, nil
	}
	j := i + 1
	for ; j < len(lines) && (oldN > 0 || newN > 0); j++ {
		switch l := lines[j]; {
		case l == "" || l[0] == ' ':
			oldN, newN = oldN-1, newN-1
		case l[0] == '-':
			oldN--
		case l[0] == '+':
			newN--
		}
	}
	for j < len(lines) && strings.HasPrefix(lines[j], `\ `) {
		j++
	}
	if k := extraBodyLine(lines, j); k >= 0 {
		return 0, &PatchError{Line: k + 1, Reason: fmt.Sprintf("hunk at line %d has more lines than its header counts", i+1)}
	}
	return j, nil
}

// hunkCounts parses the old and new line counts of an "@@ -a,b +c,d @@" line.
func hunkCounts(line string) (oldN, newN int64, ok bool) {
	rest, _, found := strings.Cut(strings.TrimPrefix(line, "@@ -"), " @@")
	if !found {
		return 0, 0, false
	}
	o, n, found := strings.Cut(rest, " +")
	if !found {
		return 0, 0, false
	}
	oldN, err1 := rangeCount(o)
	newN, err2 := rangeCount(n)
	return oldN, newN, err1 == nil && err2 == nil
}

// rangeCount returns the count of a "start,count" range ("start" means 1).
func rangeCount(s string) (int64, error) {
	a, b, found := strings.Cut(s, ",")
	if _, err := strconv.ParseInt(a, 10, 64); err != nil || !found {
		return 1, err
	}
	return strconv.ParseInt(b, 10, 64)
}

// extraBodyLine returns the index of a hunk line (" ", "+", "-", "\")
// found at or after j past blank lines, that does not start a new file's
// header or a mail signature, or -1.
func extraBodyLine(lines []string, j int) int {
	for j < len(lines) && lines[j] == "" {
		j++
	}
	if j >= len(lines) || !strings.ContainsRune(" +-\\", rune(lines[j][0])) {
		return -1
	}
	if lines[j] == "-- " || j+1 < len(lines) && strings.HasPrefix(lines[j], "--- ") && strings.HasPrefix(lines[j+1], "+++ ") {
		return -1
	}
	return j
}

// checkFile refuses what a series may not do to a file and sets the file's
// names to the -p1 name.
func checkFile(f *gitdiff.File, sec section) *PatchError {
	display := stripPrefix(sec.newName)
	if sec.newName == "/dev/null" || display == "" {
		display = cmp.Or(stripPrefix(sec.oldName), f.NewName, f.OldName)
	}
	reject := func(format string, args ...any) *PatchError {
		return &PatchError{File: display, Line: sec.line, Reason: fmt.Sprintf(format, args...)}
	}
	if r := fileKindProblem(f); r != "" {
		return reject("%s", r)
	}
	if sec.oldName == "" || sec.newName == "" {
		return reject("no ---/+++ file names")
	}
	for _, n := range []string{sec.oldName, sec.newName, f.OldName, f.NewName} {
		if r := nameProblem(n); r != "" {
			return reject("%s", r)
		}
	}
	oldName, newName := stripPrefix(sec.oldName), stripPrefix(sec.newName)
	if oldName == "" || newName == "" {
		return reject("file name %q has no a/ or b/ prefix (patches are -p1)", sec.newName)
	}
	if oldName != newName {
		return reject("renames %q to %q", oldName, newName)
	}
	f.OldName, f.NewName = newName, newName
	return checkFragments(f, sec)
}

func fileKindProblem(f *gitdiff.File) string {
	switch {
	case f.IsBinary:
		return "binary patch"
	case f.IsRename:
		return fmt.Sprintf("renames %q to %q", f.OldName, f.NewName)
	case f.IsCopy:
		return fmt.Sprintf("copies %q to %q", f.OldName, f.NewName)
	case f.IsDelete:
		return "deletes the file"
	case f.IsNew:
		return "creates a file"
	case f.NewMode != 0 && f.OldMode != f.NewMode:
		return fmt.Sprintf("changes the file mode from %o to %o", f.OldMode, f.NewMode)
	case len(f.TextFragments) == 0:
		return "no hunks"
	}
	return ""
}

func nameProblem(name string) string {
	switch {
	case name == "/dev/null":
		return "creates or deletes a file"
	case strings.HasPrefix(name, "/"):
		return fmt.Sprintf("absolute path %q", name)
	case name == ".." || strings.HasPrefix(name, "../") || strings.HasSuffix(name, "/..") || strings.Contains(name, "/../"):
		return fmt.Sprintf("path %q contains \"..\"", name)
	case strings.ContainsAny(name, "\\\x00"):
		return fmt.Sprintf("path %q contains a backslash or NUL", name)
	}
	return ""
}

// stripPrefix drops the first path element, as patch -p1 does.
func stripPrefix(name string) string {
	_, rest, found := strings.Cut(name, "/")
	if !found {
		return ""
	}
	return strings.TrimLeft(rest, "/")
}

// maxLine bounds the line numbers a hunk may state.
const maxLine = 1 << 30

// checkFragments refuses hunks that are out of order, overlap, state
// impossible positions, or mark a line other than the last of a side as
// having no newline.
func checkFragments(f *gitdiff.File, sec section) *PatchError {
	end := int64(0)
	for i, frag := range f.TextFragments {
		start := statedStart(frag)
		reject := func(format string, args ...any) *PatchError {
			pe := &PatchError{File: f.NewName, Hunk: i + 1, Reason: fmt.Sprintf(format, args...)}
			if i < len(sec.hunks) {
				pe.Line = sec.hunks[i]
			}
			return pe
		}
		switch {
		case frag.OldPosition > maxLine || frag.NewPosition > maxLine:
			return reject("line number out of range")
		case frag.OldLines > 0 && frag.OldPosition < 1:
			return reject("old lines start at line %d", frag.OldPosition)
		case start < end:
			return reject("hunks overlap or are out of order")
		case !newlinesOnlyLast(frag):
			return reject(`"\ No newline at end of file" after a line that is not the last`)
		}
		end = start + frag.OldLines
	}
	return nil
}

// statedStart returns the 0-based index of the first old line of frag;
// for a hunk without old lines, the index it inserts before.
func statedStart(frag *gitdiff.TextFragment) int64 {
	if frag.OldLines == 0 {
		return frag.OldPosition
	}
	return frag.OldPosition - 1
}

func newlinesOnlyLast(frag *gitdiff.TextFragment) bool {
	var oldNoNL, newNoNL int
	for i, l := range frag.Lines {
		if strings.HasSuffix(l.Line, "\n") {
			if oldNoNL > 0 && l.Old() || newNoNL > 0 && l.New() {
				return false
			}
			continue
		}
		if i < len(frag.Lines)-1 && l.Op == gitdiff.OpContext {
			return false
		}
		if l.Old() {
			oldNoNL++
		}
		if l.New() {
			newNoNL++
		}
	}
	return oldNoNL <= 1 && newNoNL <= 1
}

// ParseHeader reads the DEP-3 fields of a patch's header text. Field names
// are case-insensitive; Subject stands for Description and From for
// Author. Reading stops at a "---" line; other text is ignored.
func ParseHeader(text string) Header {
	h := Header{Raw: text}
	var field *string
	for _, line := range strings.Split(text, "\n") {
		if line == "---" {
			break
		}
		if strings.HasPrefix(line, " ") || strings.HasPrefix(line, "\t") {
			appendContinuation(field, line)
			continue
		}
		field = nil
		key, value, ok := strings.Cut(line, ":")
		if !ok || strings.ContainsAny(key, " \t") {
			continue
		}
		if field = h.field(strings.ToLower(key)); field != nil {
			*field = strings.TrimSpace(value)
		}
	}
	return h
}

// field returns the Header field for a lower-case DEP-3 key, nil for an
// unknown key or a Bug-<vendor> field when Bug is already set.
func (h *Header) field(key string) *string {
	switch {
	case key == "description" || key == "subject":
		return &h.Description
	case key == "author" || key == "from":
		return &h.Author
	case key == "forwarded":
		return &h.Forwarded
	case key == "last-update":
		return &h.LastUpdate
	case key == "bug" || strings.HasPrefix(key, "bug-") && h.Bug == "":
		return &h.Bug
	}
	return nil
}

// appendContinuation adds a folded line to a multi-line field: " ." is an
// empty line, as in Debian control files.
func appendContinuation(field *string, line string) {
	if field == nil {
		return
	}
	line = strings.TrimSpace(line)
	if line == "." {
		line = ""
	}
	*field += "\n" + line
}
