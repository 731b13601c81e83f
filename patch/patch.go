package patch

import (
	"bytes"
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unsafe"

	"github.com/bluekeyes/go-gitdiff/gitdiff"
)

// Parse parses one patch: a DEP-3 header followed by a -p1 unified or
// git diff. It refuses, as a *RejectError, anything but in-place text
// changes to existing files: binary patches, renames, copies, creations,
// deletions, mode changes, absolute paths or "..", names without the a/
// and b/ prefixes, hunks whose counts disagree with their body, misordered
// hunks, a patch cut off in the middle of a hunk's line and CRLF line
// endings.
func Parse(name string, raw []byte) (*Patch, error) {
	files, preamble, err := parseDiff(raw)
	if err != nil {
		err.Patch = name
		return nil, err
	}
	return &Patch{Name: name, Header: ParseHeader(preamble), Files: files, Raw: raw}, nil
}

// parseDiff parses and checks the diff of a patch; the text before it is
// the preamble. The error's Patch is left for the caller to set.
func parseDiff(raw []byte) ([]*gitdiff.File, string, *RejectError) {
	if n := crlfLine(raw); n > 0 {
		return nil, "", &RejectError{Line: n, Reason: "line ends in CRLF: patches must use LF line endings only"}
	}
	secs, err := scanSections(raw)
	if err != nil {
		return nil, "", err
	}
	files, preamble, perr := gitdiff.Parse(bytes.NewReader(raw))
	if perr != nil {
		return nil, "", &RejectError{Reason: "malformed diff: " + perr.Error(), Err: perr}
	}
	return files, preamble, checkFiles(files, secs)
}

func crlfLine(raw []byte) int {
	i := bytes.Index(raw, []byte("\r\n"))
	if i < 0 {
		return 0
	}
	return bytes.Count(raw[:i], []byte("\n")) + 1
}

// checkFiles refuses what a series may not do to a file, file by file,
// and sets each file's names to its -p1 name.
func checkFiles(files []*gitdiff.File, secs []section) *RejectError {
	if len(files) == 0 {
		return &RejectError{Reason: "no diff found"}
	}
	if len(secs) != len(files) {
		return &RejectError{Reason: fmt.Sprintf("found %d file headers but parsed %d files", len(secs), len(files))}
	}
	for i, f := range files {
		if err := checkFile(f, secs[i]); err != nil {
			return err
		}
	}
	return nil
}

// section is what scanning a patch's text finds about one file's diff.
type section struct {
	line    int    // 1-based line of its first header line
	git     bool   // starts with "diff --git"
	oldName string // raw names from the ---/+++ lines, "" when absent
	newName string
	hunks   []int // 1-based lines of its @@ headers
}

// rawLines is a patch's text split into lines, each read without its
// newline as a string that shares the text's memory (a patch's text is
// never modified): a string kept after the scan must be cloned.
type rawLines struct {
	text lineText
	s    string
}

func newRawLines(raw []byte) rawLines {
	l := rawLines{text: splitText(raw)}
	if len(raw) > 0 {
		l.s = unsafe.String(&raw[0], len(raw))
	}
	return l
}

func (l rawLines) len() int { return l.text.len() }

func (l rawLines) get(i int) string {
	from, to := l.text.at[i], l.text.at[i+1]
	if to > from && l.s[to-1] == '\n' {
		to--
	}
	return l.s[from:to]
}

// scanner finds the file headers and hunks of a patch the way gitdiff.Parse
// does, keeping what it drops: the raw names of traditional headers, and
// where a hunk's body disagrees with its counts.
type scanner struct {
	lines rawLines // the patch's lines, without their newlines
	cut   bool     // the last line has no newline
	secs  []section
}

func scanSections(raw []byte) ([]section, *RejectError) {
	sc := &scanner{lines: newRawLines(raw), cut: !bytes.HasSuffix(raw, []byte("\n"))}
	for i := 0; i < sc.lines.len(); {
		next, err := sc.step(i)
		if err != nil {
			return nil, err
		}
		i = next
	}
	return sc.secs, nil
}

// step reads what starts at line i and returns the index of the next line
// to read.
func (sc *scanner) step(i int) (int, *RejectError) {
	switch {
	case strings.HasPrefix(sc.lines.get(i), "diff --git "):
		sc.secs = append(sc.secs, section{line: i + 1, git: true})
	case sc.isNameHeader(i):
		sc.names(i)
		return i + 2, nil
	case strings.HasPrefix(sc.lines.get(i), "@@ -") && len(sc.secs) > 0:
		return sc.hunk(i)
	}
	return i + 1, nil
}

// pendingGit returns the current section when it is a git header still
// waiting for its ---/+++ names, else nil.
func (sc *scanner) pendingGit() *section {
	if n := len(sc.secs); n > 0 && sc.secs[n-1].git && sc.secs[n-1].oldName == "" && len(sc.secs[n-1].hunks) == 0 {
		return &sc.secs[n-1]
	}
	return nil
}

// isNameHeader reports whether lines i and i+1 are a "--- old" "+++ new"
// pair: in a git header always, elsewhere only when a hunk follows (as
// gitdiff).
func (sc *scanner) isNameHeader(i int) bool {
	l := sc.lines
	if i+1 >= l.len() || !strings.HasPrefix(l.get(i), "--- ") || !strings.HasPrefix(l.get(i+1), "+++ ") {
		return false
	}
	if sc.pendingGit() != nil {
		return true
	}
	return i+2 < l.len() && len(l.get(i+2)) >= len("@@ -1 +1 @@") && strings.HasPrefix(l.get(i+2), "@@ -")
}

// names records the ---/+++ names at line i, in a new section unless a git
// header is waiting for them.
func (sc *scanner) names(i int) {
	sec := sc.pendingGit()
	if sec == nil {
		sc.secs = append(sc.secs, section{line: i + 1})
		sec = &sc.secs[len(sc.secs)-1]
	}
	sec.oldName = strings.Clone(headerName(sc.lines.get(i)[4:]))
	sec.newName = strings.Clone(headerName(sc.lines.get(i + 1)[4:]))
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

// hunk records the hunk whose header is line i, when gitdiff would take
// it for one, and returns the index of the line after its body. A body
// shorter or longer than the header's counts is an error.
func (sc *scanner) hunk(i int) (int, *RejectError) {
	oldN, newN, ok := hunkCounts(sc.lines.get(i))
	if !ok {
		return i + 1, nil
	}
	j, oldN, newN := countBody(sc.lines, i+1, oldN, newN)
	if oldN != 0 || newN != 0 {
		return 0, &RejectError{Line: i + 1, Reason: miscount(oldN, newN)}
	}
	if sc.cut && j == sc.lines.len() && j > i+1 {
		return 0, &RejectError{Line: j, Reason: `the patch ends in the middle of a hunk's line (no newline, and no "\ No newline at end of file" after it)`}
	}
	for j < sc.lines.len() && strings.HasPrefix(sc.lines.get(j), `\ `) {
		j++
	}
	if k := extraBodyLine(sc.lines, j); k >= 0 {
		return 0, &RejectError{Line: k + 1, Reason: fmt.Sprintf("hunk at line %d has more lines than its header counts", i+1)}
	}
	if sec := &sc.secs[len(sc.secs)-1]; j > i+1 {
		sec.hunks = append(sec.hunks, i+1)
	}
	return j, nil
}

// countBody reads hunk lines from lines[j] while the old and new counts
// last, as gitdiff does (an empty line is context), and returns the index
// after them and what is left of the counts: not 0 when the body ends
// early, negative when a side has more lines than counted.
func countBody(lines rawLines, j int, oldN, newN int64) (int, int64, int64) {
	for ; j < lines.len() && (oldN > 0 || newN > 0); j++ {
		switch l := lines.get(j); {
		case l == "" || l[0] == ' ':
			oldN, newN = oldN-1, newN-1
		case l[0] == '-':
			oldN--
		case l[0] == '+':
			newN--
		case l[0] != '\\':
			return j, oldN, newN
		}
	}
	return j, oldN, newN
}

func miscount(oldN, newN int64) string {
	if oldN >= 0 && newN >= 0 {
		return fmt.Sprintf("hunk has fewer lines than its header counts (%d old and %d new missing)", oldN, newN)
	}
	return fmt.Sprintf("hunk's lines disagree with its header's counts (%+d old, %+d new)", -oldN, -newN)
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
func extraBodyLine(lines rawLines, j int) int {
	for j < lines.len() && lines.get(j) == "" {
		j++
	}
	if j >= lines.len() || !strings.ContainsRune(" +-\\", rune(lines.get(j)[0])) {
		return -1
	}
	if l := lines.get(j); l == "-- " || j+1 < lines.len() && strings.HasPrefix(l, "--- ") && strings.HasPrefix(lines.get(j+1), "+++ ") {
		return -1
	}
	return j
}

// checkFile refuses what a series may not do to a file and sets the file's
// names to the -p1 name.
func checkFile(f *gitdiff.File, sec section) *RejectError {
	reason := fileKindProblem(f)
	if reason == "" {
		reason = namesProblem(f, sec)
	}
	if reason != "" {
		return &RejectError{File: displayName(f, sec), Line: sec.line, Reason: reason}
	}
	f.OldName, f.NewName = stripPrefix(sec.newName), stripPrefix(sec.newName)
	return checkFragments(f, sec)
}

// displayName is the file name a refusal shows: the -p1 name, or the name
// as written when it is absolute or has no prefix to strip.
func displayName(f *gitdiff.File, sec section) string {
	for _, n := range []string{sec.newName, sec.oldName} {
		if n == "" || n == "/dev/null" {
			continue
		}
		if s := stripPrefix(n); s != "" && !strings.HasPrefix(n, "/") {
			return s
		}
		return n
	}
	return cmp.Or(f.NewName, f.OldName)
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
		return "creates a file: a series may only change the files it forks"
	case f.NewMode != 0 && f.OldMode != f.NewMode:
		return fmt.Sprintf("changes the file mode from %o to %o", f.OldMode, f.NewMode)
	case len(f.TextFragments) == 0:
		return "no hunks"
	}
	return ""
}

// namesProblem checks the names of a file's diff: both given, safe, -p1,
// and the same.
func namesProblem(f *gitdiff.File, sec section) string {
	if sec.oldName == "" || sec.newName == "" {
		return "no ---/+++ file names"
	}
	for _, n := range []string{sec.oldName, sec.newName, f.OldName, f.NewName} {
		if r := nameProblem(n); r != "" {
			return r
		}
	}
	oldName, newName := stripPrefix(sec.oldName), stripPrefix(sec.newName)
	switch {
	case oldName == "":
		return fmt.Sprintf("file name %q has no a/ prefix (patches are -p1)", sec.oldName)
	case newName == "":
		return fmt.Sprintf("file name %q has no b/ prefix (patches are -p1)", sec.newName)
	case oldName != newName:
		return fmt.Sprintf("renames %q to %q", oldName, newName)
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
func checkFragments(f *gitdiff.File, sec section) *RejectError {
	end := int64(0)
	for i, frag := range f.TextFragments {
		if r := fragmentProblem(frag, end); r != "" {
			pe := &RejectError{File: f.NewName, Hunk: i + 1, Reason: r}
			if i < len(sec.hunks) {
				pe.Line = sec.hunks[i]
			}
			return pe
		}
		end = statedStart(frag) + frag.OldLines
	}
	return nil
}

// fragmentProblem checks one hunk, given where the previous one ends.
func fragmentProblem(frag *gitdiff.TextFragment, prevEnd int64) string {
	switch {
	case frag.OldPosition > maxLine || frag.NewPosition > maxLine:
		return "line number out of range"
	case frag.OldLines > 0 && frag.OldPosition < 1:
		return fmt.Sprintf("old lines start at line %d", frag.OldPosition)
	case statedStart(frag) < prevEnd:
		return "hunks overlap or are out of order"
	case !newlinesOnlyLast(frag):
		return `"\ No newline at end of file" after a line that is not the last`
	case slices.ContainsFunc(frag.Lines, func(l gitdiff.Line) bool { return l.Line == "" }):
		return `"\ No newline at end of file" after an empty line: without its newline the line is not there`
	}
	return ""
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
