// Package lint checks the series of a patches tree: every patch has a
// DEP-3 header that says what, who, where it was sent and when; the series
// file and the folder's patches agree; and, given the pinned files, every
// hunk applies at its stated line, and no patch is already upstream.
package lint

import (
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"path"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/bcfork/bcfork/internal/bucardo"
	"github.com/bcfork/bcfork/internal/catalog"
	"github.com/bcfork/bcfork/internal/lazyre"
	"github.com/bcfork/bcfork/internal/version"
	"github.com/bcfork/bcfork/patch"
)

// The rules, as findings name them.
const (
	RuleHeader   = "header"   // a DEP-3 field missing or a placeholder
	RuleSeries   = "series"   // the series file and the patches in the folder disagree
	RuleParse    = "parse"    // a patch that is not a patch a series may hold
	RuleOffset   = "offset"   // a hunk that applies, but not at its stated line
	RuleApply    = "apply"    // a patch that does not apply to the pinned files
	RuleUpstream = "upstream" // a patch the pinned files already have
	RulePins     = "pins"     // a series without checksums
)

// Finding is one problem in a patches tree.
type Finding struct {
	Path    string // slash-separated, in the tree: upstream/5.6.0/0001-x.patch
	Rule    string
	Message string
}

func (f Finding) String() string { return f.Path + ": " + f.Rule + ": " + f.Message }

// Options says how to check a tree.
type Options struct {
	// Files returns the pristine files a series folder's checksums pin,
	// verified; nil when they are not available, and the series is then
	// checked without them.
	Files func(flavor, version string) (map[string][]byte, error)
}

// Report is what Tree found.
type Report struct {
	Findings []Finding
	Applied  []string // the series checked against their pinned files: upstream/5.6.0
	Unpinned []string // the series whose pinned files were not available
}

// Tree checks every version folder of the patches tree fsys (a folder of
// a flavor folder), flavor by flavor, newest version first.
func Tree(fsys fs.FS, opt Options) (*Report, error) {
	rep := &Report{}
	flavors, err := subdirs(fsys, ".")
	if err != nil {
		return nil, err
	}
	for _, flavor := range flavors {
		versions, err := subdirs(fsys, flavor)
		if err != nil {
			return nil, err
		}
		version.Sort(versions)
		for _, v := range versions {
			if err := rep.folder(fsys, flavor, v, opt); err != nil {
				return nil, err
			}
		}
	}
	return rep, nil
}

// subdirs lists the folders in dir, by name, but for hidden ones.
func subdirs(fsys fs.FS, dir string) ([]string, error) {
	entries, err := fs.ReadDir(fsys, dir)
	if err != nil {
		return nil, fmt.Errorf("linting: %w", err)
	}
	var out []string
	for _, e := range entries {
		if fi, err := fs.Stat(fsys, path.Join(dir, e.Name())); err == nil && fi.IsDir() && !strings.HasPrefix(e.Name(), ".") {
			out = append(out, e.Name())
		}
	}
	return out, nil
}

// Folder checks the one series folder flavor/version of fsys.
func Folder(fsys fs.FS, flavor, v string, opt Options) (*Report, error) {
	rep := &Report{}
	return rep, rep.folder(fsys, flavor, v, opt)
}

func (rep *Report) add(p, rule, format string, args ...any) {
	rep.Findings = append(rep.Findings, Finding{Path: p, Rule: rule, Message: fmt.Sprintf(format, args...)})
}

// folder checks one version folder: its series file, each patch's header,
// its pins, and the series on the pinned files.
func (rep *Report) folder(fsys fs.FS, flavor, v string, opt Options) error {
	dir := path.Join(flavor, v)
	names, complete, err := rep.series(fsys, dir)
	if err != nil {
		return err
	}
	s := &patch.Series{}
	for _, name := range names {
		if p, ok := rep.patch(fsys, dir, name); ok {
			s.Patches = append(s.Patches, p)
		}
	}
	if !complete || len(s.Patches) < len(names) {
		return nil // a series with a patch missing or unreadable cannot be applied
	}
	pins, err := catalog.New(fsys).Pins(flavor, v)
	if err != nil {
		rep.add(dir, RulePins, "%v", err)
		return nil
	}
	if pins == nil {
		rep.add(dir, RulePins, "no %s: the series is not pinned to the files it applies to", catalog.ChecksumsFile)
		return nil
	}
	return rep.apply(dir, flavor, v, s, opt)
}

// series checks that the series file and the folder's patches agree and
// returns the names it lists that exist, and whether all do; false when dir
// has no series file.
func (rep *Report) series(fsys fs.FS, dir string) ([]string, bool, error) {
	entries, err := fs.ReadDir(fsys, dir)
	if err != nil {
		return nil, false, fmt.Errorf("linting %q: %w", dir, err)
	}
	have := map[string]bool{}
	for _, e := range entries {
		have[e.Name()] = e.Type().IsRegular()
	}
	raw, err := fs.ReadFile(fsys, path.Join(dir, patch.SeriesName))
	if errors.Is(err, fs.ErrNotExist) {
		rep.unlisted(dir, have, nil)
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("linting %q: %w", dir, err)
	}
	listed := rep.listed(dir, raw)
	var out []string
	for _, n := range listed {
		if have[n] {
			out = append(out, n)
			continue
		}
		rep.add(path.Join(dir, patch.SeriesName), RuleSeries, "lists %q, which is not in the folder", n)
	}
	rep.unlisted(dir, have, listed)
	return out, len(out) == len(listed), nil
}

// listed returns the names the series file lists, reporting lines that a
// quilt series may not have.
func (rep *Report) listed(dir string, raw []byte) []string {
	var out []string
	for i, line := range strings.Split(string(raw), "\n") {
		name := patch.ListedName(line)
		if name == "" {
			continue
		}
		where := path.Join(dir, patch.SeriesName)
		switch fields := strings.Fields(line); {
		case slices.Contains(out, name):
			rep.add(where, RuleSeries, "line %d lists %q a second time", i+1, name)
			continue
		case strings.ContainsAny(name, `/\`):
			rep.add(where, RuleSeries, "line %d: %q is not a file of the folder", i+1, name)
			continue
		case len(fields) > 1 && strings.Join(fields[1:], " ") != "-p1" && !strings.HasPrefix(fields[1], "#"):
			rep.add(where, RuleSeries, "line %d: options %q: patches are -p1", i+1, strings.Join(fields[1:], " "))
		}
		out = append(out, name)
	}
	return out
}

// unlisted reports patch files of the folder that the series does not list.
func (rep *Report) unlisted(dir string, have map[string]bool, listed []string) {
	for _, n := range slices.Sorted(maps.Keys(have)) {
		if (strings.HasSuffix(n, ".patch") || strings.HasSuffix(n, ".diff")) && !slices.Contains(listed, n) {
			rep.add(path.Join(dir, n), RuleSeries, "not listed in %s: quilt, patch and bcfork leave it out", patch.SeriesName)
		}
	}
}

// patch parses one patch and checks its header; false when it does not
// parse.
func (rep *Report) patch(fsys fs.FS, dir, name string) (*patch.Patch, bool) {
	where := path.Join(dir, name)
	raw, err := fs.ReadFile(fsys, where)
	if err != nil {
		rep.add(where, RuleParse, "%v", err)
		return nil, false
	}
	p, err := patch.Parse(name, raw)
	if err != nil {
		rep.add(where, RuleParse, "%v", err)
		return nil, false
	}
	rep.header(where, p.Header)
	return p, true
}

// header checks the DEP-3 fields a patch of the series must have.
func (rep *Report) header(where string, h patch.Header) {
	if strings.TrimSpace(h.Description) == "" {
		rep.add(where, RuleHeader, "no DEP-3 Description (or Subject): say what the patch does and why")
	}
	switch a := strings.TrimSpace(h.Author); {
	case a == "":
		rep.add(where, RuleHeader, "no DEP-3 Author (or From): name who wrote it")
	case placeholder(a):
		rep.add(where, RuleHeader, "Author %q is a placeholder: give a name or an address", a)
	}
	if strings.TrimSpace(h.Forwarded) == "" && strings.TrimSpace(h.Bug) == "" {
		rep.add(where, RuleHeader, "no DEP-3 Forwarded (or Bug): say whether and where it was sent upstream (\"no\" is an answer)")
	}
	switch d := strings.TrimSpace(h.LastUpdate); {
	case d == "":
		rep.add(where, RuleHeader, "no DEP-3 Last-Update: the date (YYYY-MM-DD) the patch last changed")
	case !isDate(d):
		rep.add(where, RuleHeader, "Last-Update %q is not a date (YYYY-MM-DD)", d)
	}
}

// placeholders are authors that stand for nobody: the words templates
// leave, and example addresses.
var placeholderRE = lazyre.New(`(?i)^(todo|fixme|xxx+|tbd|unknown|n/?a|none|nobody|anonymous|someone|me|author|name|your name|first last|john doe|jane doe|\?+|-+)$|@example\.(com|org|net)\b|<(you|your|email|user)@|^your name\b`)

func placeholder(author string) bool {
	return placeholderRE().MatchString(strings.Trim(author, " <>\"'"))
}

func isDate(s string) bool {
	_, err := time.Parse(time.DateOnly, s)
	return err == nil
}

// apply applies the series to the pinned files, when they are available.
func (rep *Report) apply(dir, flavor, v string, s *patch.Series, opt Options) error {
	var files map[string][]byte
	if opt.Files != nil {
		var err error
		if files, err = opt.Files(flavor, v); err != nil {
			return err
		}
	}
	if files == nil {
		rep.Unpinned = append(rep.Unpinned, dir)
		return nil
	}
	rep.Applied = append(rep.Applied, dir)
	forked := patch.ApplyOptions{Allowed: bucardo.Names}
	for i, p := range s.Patches {
		where := path.Join(dir, p.Name)
		next, res, err := patch.ApplyOne(files, p, forked)
		switch {
		case err == nil:
			rep.offsets(where, res)
			files = next
		case patch.Applied(files, p, forked):
			rep.add(where, RuleUpstream, "already upstream: the pinned files already have its changes (it applies in reverse); take it out of the series")
		default:
			rep.add(where, RuleApply, "%s", firstLine(err))
			if rest := len(s.Patches) - i - 1; rest > 0 {
				rep.add(where, RuleApply, "the %s after it not checked", plural(rest, "patch", "patches"))
			}
			return nil
		}
	}
	return nil
}

// offsets reports the hunks that did not go at their stated line.
func (rep *Report) offsets(where string, res patch.Result) {
	n := map[string]int{}
	for _, h := range res.Hunks {
		n[h.File]++
		if h.Offset != 0 {
			rep.add(where, RuleOffset, "%s hunk #%d (%s) applies at offset %+d, not at its stated line", h.File, n[h.File], h.Header, h.Offset)
		}
	}
}

func firstLine(err error) string {
	s, _, _ := strings.Cut(err.Error(), "\n")
	return s
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.Itoa(n) + " " + many
}
