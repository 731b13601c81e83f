package catalog

import (
	"bytes"
	"fmt"
	"strings"
	"sync"

	"github.com/bluekeyes/go-gitdiff/gitdiff"
)

// MarkWord is the word by which a series marks what it adds: each patch
// comments its change with a line naming bcfork ("## bcfork: ..." in the
// script, "-- bcfork: ..." in the schema), which no release of Bucardo
// and no package of it holds.
const MarkWord = "bcfork"

// Marks are, for each file the tree's series change, the lines they add
// that name MarkWord, without the space around them. A file holding one
// of them is a bcfork fork of one of the series, whichever, even one
// edited since or made by an older series: the receipt of its install
// may be lost, or it was copied by hand.
type Marks map[string]map[string]bool

// Fork reports whether data, the file name, holds a line of m. It reads
// only the lines that name MarkWord.
func (m Marks) Fork(name string, data []byte) bool {
	lines := m[name]
	word := []byte(MarkWord)
	for len(lines) > 0 {
		i := bytes.Index(data, word)
		if i < 0 {
			return false
		}
		start := bytes.LastIndexByte(data[:i], '\n') + 1
		end := len(data)
		if j := bytes.IndexByte(data[i:], '\n'); j >= 0 {
			end = i + j
		}
		if lines[string(bytes.TrimSpace(data[start:end]))] {
			return true
		}
		data = data[end:]
	}
	return false
}

// marks caches what Marks reads, once per catalog.
type marks struct {
	once sync.Once
	m    Marks
	err  error
}

// Marks returns the marks of every series of the tree, of every flavor
// and version. A series that cannot be read is an error.
func (c *Catalog) Marks() (Marks, error) {
	c.marks.once.Do(func() { c.marks.m, c.marks.err = c.readMarks() })
	return c.marks.m, c.marks.err
}

func (c *Catalog) readMarks() (Marks, error) {
	flavors, err := c.Flavors()
	if err != nil {
		return nil, err
	}
	m := Marks{}
	for _, flavor := range flavors {
		versions, err := c.Versions(flavor)
		if err != nil {
			return nil, err
		}
		for _, v := range versions {
			s, err := c.Series(flavor, v)
			if err != nil {
				return nil, fmt.Errorf("reading the marks of the series %s/%s: %w", flavor, v, err)
			}
			for _, p := range s.Patches {
				for _, f := range p.Files {
					m.add(f)
				}
			}
		}
	}
	return m, nil
}

// add adds the lines f adds that name MarkWord.
func (m Marks) add(f *gitdiff.File) {
	for _, frag := range f.TextFragments {
		for _, l := range frag.Lines {
			line := strings.TrimSpace(l.Line)
			if l.Op != gitdiff.OpAdd || !strings.Contains(line, MarkWord) {
				continue
			}
			if m[f.NewName] == nil {
				m[f.NewName] = map[string]bool{}
			}
			m[f.NewName][line] = true
		}
	}
}
