package rebase

import (
	"bytes"
	"fmt"
	"path"
	"strings"

	"github.com/bcfork/bcfork/internal/catalog"
	"github.com/bcfork/bcfork/patch"
)

// ReadmeName is the README of a series folder, which Files writes anew for
// a carried series.
const ReadmeName = "README.md"

// carriedPrefix starts the line of a carried series file that says where
// it was carried from.
const carriedPrefix = "# carried from "

// Label names a series folder of a patches tree: flavor and version.
type Label struct {
	Flavor  string `json:"flavor"`
	Version string `json:"version"`
}

func (l Label) String() string { return l.Flavor + "/" + l.Version }

// Release names the release a label's files are, for people: "Bucardo
// 5.5.0", "Debian's bucardo package 5.6.0-4".
func (l Label) Release() string {
	switch l.Flavor {
	case catalog.Upstream:
		return "Bucardo " + l.Version
	case catalog.Debian:
		return "Debian's bucardo package " + l.Version
	}
	return l.Flavor + " " + l.Version
}

func (r *Rebase) labelled() bool {
	return r.From.Version != "" && r.Onto.Version != ""
}

// keepDate returns prev when raw differs from it only in Last-Update:
// carrying the same series again does not change its dates.
func keepDate(raw, prev []byte) []byte {
	if prev != nil && bytes.Equal(patch.SetLastUpdate(raw, ""), patch.SetLastUpdate(prev, "")) {
		return prev
	}
	return raw
}

// nameSeries rewrites the series file's leading comment for the new
// folder: From's version becomes Onto's, and a line says where the series
// was carried from (replacing such a line of the old series).
func (r *Rebase) nameSeries(text []byte) []byte {
	lines := strings.SplitAfter(string(text), "\n")
	var head, rest []string
	for i, l := range lines {
		if !strings.HasPrefix(l, "#") {
			rest = lines[i:]
			break
		}
		if !strings.HasPrefix(l, carriedPrefix) {
			head = append(head, replaceVersion(l, r.From.Version, r.Onto.Version))
		}
	}
	carried := fmt.Sprintf("%s%s onto %s by bcfork rebase: do not edit, carry that series again\n", carriedPrefix, r.From, r.Onto)
	return []byte(strings.Join(head, "") + carried + strings.Join(rest, ""))
}

// replaceVersion replaces old by new in s where old stands as a word: not
// inside a longer version, name or path.
func replaceVersion(s, old, new string) string {
	var b strings.Builder
	for {
		i := strings.Index(s, old)
		if i < 0 {
			b.WriteString(s)
			return b.String()
		}
		end := i + len(old)
		if standsAlone(s, i, end) {
			b.WriteString(s[:i] + new)
		} else {
			b.WriteString(s[:end])
		}
		s = s[end:]
	}
}

func standsAlone(s string, i, end int) bool {
	if i > 0 && (isWordByte(s[i-1]) || strings.ContainsRune(".-/", rune(s[i-1]))) {
		return false
	}
	if end == len(s) {
		return true
	}
	if isWordByte(s[end]) {
		return false
	}
	return !strings.ContainsRune(".-/", rune(s[end])) || end+1 == len(s) || !isWordByte(s[end+1])
}

func isWordByte(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_'
}

// readme is the README of the carried series folder.
func (r *Rebase) readme() []byte {
	var b strings.Builder
	from := path.Join("..", "..", r.From.Flavor, r.From.Version)
	fmt.Fprintf(&b, "# %s: the patch series of %s, carried\n\n", r.Onto.Release(), r.From)
	fmt.Fprintf(&b, "This folder is the series of [`%s`](%s/), carried by `bcfork rebase`\n", r.From, from)
	fmt.Fprintf(&b, "onto the files of %s, which [`checksums`](checksums) pins.\n", r.Onto.Release())
	fmt.Fprintf(&b, "What each patch does and how to run the fork:\n[`%s/README.md`](%s/README.md).\n\n", r.From, from)
	b.WriteString("Do not edit this folder: change the series it was carried from, then carry it\n")
	b.WriteString("again. A patch whose text does not change keeps its `Last-Update`.\n\n")
	b.WriteString("| patch | carried |\n|---|---|\n")
	for _, rp := range r.Done {
		fmt.Fprintf(&b, "| `%s` | %s |\n", rp.Name, carriedText(rp))
	}
	if len(r.Resolutions) > 0 {
		fmt.Fprintf(&b, "\nConflicts resolved by hand are kept in [`%s`](%s) and taken again when the\nsame conflict comes back.\n", ResolutionsName, ResolutionsName)
	}
	return []byte(b.String())
}

// carriedText says how a patch was carried, for the README.
func carriedText(rp Carried) string {
	switch rp.Status {
	case Clean:
		return "unchanged"
	case Moved:
		return "offset: the same changes at other lines"
	case Merged:
		return "merged with the changes of the new files"
	case Resolved:
		return "a conflict resolved by hand (see `" + ResolutionsName + "`)"
	case Dropped:
		return "dropped: the new files already have its changes"
	}
	return string(rp.Status)
}
