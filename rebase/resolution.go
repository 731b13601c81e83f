package rebase

import (
	"fmt"
	"slices"
	"strings"

	"github.com/bcfork/bcfork/patch"
)

// ResolutionsName is the file of a series folder that keeps the conflicts
// resolved by hand when the series was carried there.
const ResolutionsName = "resolutions"

// Resolution is one conflict resolved by hand: the marked region as Merge
// wrote it and the text that replaced it. A rebase that meets the same
// region again (same patch, file, and ours, base and theirs lines) takes the
// same text instead of stopping, as git's rerere does.
type Resolution struct {
	Patch    string `json:"patch"`
	File     string `json:"file"`
	Conflict string `json:"conflict"` // markers included
	Resolved string `json:"resolved"`
}

const resolutionsComment = `# Conflicts resolved by hand when this series was carried onto its files, kept
# by bcfork rebase: carrying the same series onto the same files again meets
# the same conflicts and takes these resolutions. Each entry is "conflict PATCH
# FILE", the marked region as the merge wrote it (lines starting with a space),
# then the text that replaced it (lines starting with "+").
`

// FormatResolutions returns the text of a resolutions file.
func FormatResolutions(rs []Resolution) []byte {
	var b strings.Builder
	b.WriteString(resolutionsComment)
	for _, r := range rs {
		fmt.Fprintf(&b, "conflict %s %s\n", r.Patch, r.File)
		writePrefixed(&b, " ", r.Conflict)
		writePrefixed(&b, "+", r.Resolved)
	}
	return []byte(b.String())
}

// writePrefixed writes each line of text after prefix; a last line without
// a newline is followed by "\ No newline at end of file", as in a diff.
func writePrefixed(b *strings.Builder, prefix, text string) {
	for _, l := range strings.SplitAfter(text, "\n") {
		if l == "" {
			continue
		}
		b.WriteString(prefix + l)
		if !strings.HasSuffix(l, "\n") {
			b.WriteString("\n\\ No newline at end of file\n")
		}
	}
}

// ParseResolutions reads a resolutions file.
func ParseResolutions(data []byte) ([]Resolution, error) {
	var out []Resolution
	var cur *Resolution
	var last *string
	for i, l := range strings.SplitAfter(string(data), "\n") {
		body := strings.TrimSuffix(l, "\n")
		switch {
		case strings.HasPrefix(l, "conflict "):
			f := strings.Fields(body)
			if len(f) != 3 {
				return nil, fmt.Errorf("reading %s: line %d: want \"conflict PATCH FILE\"", ResolutionsName, i+1)
			}
			out = append(out, Resolution{Patch: f[1], File: f[2]})
			cur, last = &out[len(out)-1], nil
		case cur != nil && strings.HasPrefix(l, " "):
			cur.Conflict += l[1:]
			last = &cur.Conflict
		case cur != nil && strings.HasPrefix(l, "+"):
			cur.Resolved += l[1:]
			last = &cur.Resolved
		case last != nil && strings.HasPrefix(l, "\\"):
			*last = strings.TrimSuffix(*last, "\n")
		case strings.TrimSpace(l) == "" || strings.HasPrefix(l, "#"):
		default:
			return nil, fmt.Errorf("reading %s: line %d: unexpected %q", ResolutionsName, i+1, body)
		}
	}
	for _, r := range out {
		if !strings.HasPrefix(r.Conflict, patch.MarkerOurs+"\n") || !strings.HasSuffix(r.Conflict, patch.MarkerTheirs+"\n") {
			return nil, fmt.Errorf("reading %s: the conflict of %s %s is not a marked region", ResolutionsName, r.Patch, r.File)
		}
	}
	return out, nil
}

// marked is a merged file split around its conflicts: stable[0], region
// 0, stable[1], ..., region n-1, stable[n].
type marked struct {
	stable, regions []string
}

func splitMarked(merged []byte, cs []patch.Conflict) marked {
	lines := strings.SplitAfter(string(merged), "\n")
	var m marked
	pos := 0
	for _, c := range cs {
		start := c.MergedStart - 1
		end := start + 4 + c.OursLines + c.BaseLines + c.TheirsLines
		m.stable = append(m.stable, strings.Join(lines[pos:start], ""))
		m.regions = append(m.regions, strings.Join(lines[start:end], ""))
		pos = end
	}
	m.stable = append(m.stable, strings.Join(lines[pos:], ""))
	return m
}

// join puts the texts in place of the regions.
func (m marked) join(texts []string) []byte {
	var b strings.Builder
	for i, s := range m.stable {
		b.WriteString(s)
		if i < len(texts) {
			b.WriteString(texts[i])
		}
	}
	return []byte(b.String())
}

// resolutions finds what replaced each region in resolved: false when
// resolved does not keep the text around the regions as it is.
func (m marked) resolutions(resolved []byte) ([]string, bool) {
	r := string(resolved)
	if !strings.HasPrefix(r, m.stable[0]) {
		return nil, false
	}
	pos := len(m.stable[0])
	var out []string
	for i := 1; i < len(m.stable); i++ {
		s := m.stable[i]
		end := strings.Index(r[pos:], s) + pos
		if i == len(m.stable)-1 {
			end = len(r) - len(s)
			if end < pos || !strings.HasSuffix(r, s) {
				return nil, false
			}
		} else if end < pos {
			return nil, false
		}
		out = append(out, r[pos:end])
		pos = end + len(s)
	}
	return out, true
}

// recorded resolves every conflict of ce with r's recorded resolutions:
// the merged files with the regions replaced and the resolutions used,
// false when one region has none.
func (r *Rebase) recorded(ce *ConflictError, merged map[string][]byte) (map[string][]byte, []Resolution, bool) {
	files := map[string][]byte{}
	var used []Resolution
	for n, b := range merged {
		files[n] = b
	}
	for _, fc := range ce.Files {
		m := splitMarked(merged[fc.File], fc.Conflicts)
		var texts []string
		for _, region := range m.regions {
			i := slices.IndexFunc(r.Recorded, func(x Resolution) bool {
				return x.Patch == ce.Patch && x.File == fc.File && x.Conflict == region
			})
			if i < 0 {
				return nil, nil, false
			}
			texts = append(texts, r.Recorded[i].Resolved)
			used = append(used, r.Recorded[i])
		}
		files[fc.File] = m.join(texts)
	}
	return files, used, true
}

// record finds the resolutions of ce's regions in the files resolved by
// hand; false when a file was edited outside its marked regions.
func record(ce *ConflictError, merged, resolved map[string][]byte) ([]Resolution, bool) {
	var out []Resolution
	for _, fc := range ce.Files {
		m := splitMarked(merged[fc.File], fc.Conflicts)
		texts, ok := m.resolutions(resolved[fc.File])
		if !ok {
			return nil, false
		}
		for i, t := range texts {
			out = append(out, Resolution{Patch: ce.Patch, File: fc.File, Conflict: m.regions[i], Resolved: t})
		}
	}
	return out, true
}
