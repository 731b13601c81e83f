package patch

import (
	"mime"
	"strings"
)

// Header is a patch's DEP-3 header.
type Header struct {
	// Description is the Description field, else the Subject, with its
	// continuation lines and then any free-form text of the header (the
	// long description), joined with "\n".
	Description string
	Author      string // Author, else From
	Forwarded   string
	Bug         string // Bug, else the first Bug-<vendor> field
	LastUpdate  string // Last-Update
	Raw         string // the text before the first diff, as written
}

// ParseHeader reads a patch's DEP-3 header: "Field: value" lines, with
// field names in any case, continued by lines that start with a space
// (" ." is an empty line). Subject and From, as git format-patch writes
// them, stand for Description and Author: a "[PATCH ...]" prefix is
// dropped, MIME encoded-words are decoded and folded lines are joined with
// a space. Other lines are free-form text, added to the description.
// Reading stops at a "---" line.
func ParseHeader(text string) Header {
	p := headerParser{h: Header{Raw: text}}
	for _, line := range strings.Split(text, "\n") {
		if line == "---" {
			break
		}
		p.line(line)
	}
	return p.header()
}

// headerParser holds what ParseHeader has read so far.
type headerParser struct {
	h       Header
	subject string   // Subject, the description when there is no Description
	from    string   // From, the author when there is no Author
	field   *string  // the field a continuation line extends, nil if none
	folded  bool     // field is a mail header: folded lines join with a space
	free    []string // free-form lines, "" between paragraphs
}

func (p *headerParser) line(line string) {
	switch {
	case strings.TrimSpace(line) == "":
		p.field = nil
		if n := len(p.free); n > 0 && p.free[n-1] != "" {
			p.free = append(p.free, "")
		}
	case line[0] == ' ' || line[0] == '\t':
		if p.field != nil {
			p.continueField(strings.TrimSpace(line))
		} else {
			p.freeText(line)
		}
	case !p.setField(line):
		p.field = nil
		p.freeText(line)
	}
}

// setField reads a "Field: value" line; false when line is not one.
func (p *headerParser) setField(line string) bool {
	key, value, ok := strings.Cut(line, ":")
	if !ok || key == "" || strings.ContainsAny(key, " \t") {
		return false
	}
	key = strings.ToLower(key)
	p.field, p.folded = p.target(key), key == "subject" || key == "from"
	if p.field == nil {
		return true
	}
	value = strings.TrimSpace(value)
	if p.folded {
		value = decodeWords(value)
	}
	*p.field = value
	return true
}

// target returns where a lower-case field's value goes, nil for a field
// that is not kept (or a Bug-<vendor> field when one is already set).
func (p *headerParser) target(key string) *string {
	switch {
	case key == "description":
		return &p.h.Description
	case key == "subject":
		return &p.subject
	case key == "author":
		return &p.h.Author
	case key == "from":
		return &p.from
	case key == "forwarded":
		return &p.h.Forwarded
	case key == "last-update":
		return &p.h.LastUpdate
	case key == "bug" || strings.HasPrefix(key, "bug-") && p.h.Bug == "":
		return &p.h.Bug
	}
	return nil
}

func (p *headerParser) continueField(line string) {
	switch {
	case p.folded:
		*p.field = strings.TrimSpace(*p.field + " " + decodeWords(line))
	case line == ".":
		*p.field += "\n"
	case *p.field == "":
		*p.field = line
	default:
		*p.field += "\n" + line
	}
}

// freeText keeps a free-form line, unless it is what quilt, diff or git
// format-patch write before a diff.
func (p *headerParser) freeText(line string) {
	t := strings.TrimSpace(line)
	if strings.Trim(t, "=") == "" || strings.HasPrefix(t, "diff ") || isMboxFrom(t) {
		return
	}
	p.free = append(p.free, t)
}

// isMboxFrom reports git format-patch's first line, "From <sha> <date>".
func isMboxFrom(line string) bool {
	sha, _, ok := strings.Cut(strings.TrimPrefix(line, "From "), " ")
	return ok && strings.HasPrefix(line, "From ") && len(sha) == 40 && strings.Trim(sha, "0123456789abcdef") == ""
}

func (p *headerParser) header() Header {
	h := p.h
	if h.Description == "" {
		h.Description = stripPatchTag(p.subject)
	}
	if h.Author == "" {
		h.Author = p.from
	}
	long := strings.TrimSpace(strings.Join(p.free, "\n"))
	if h.Description != "" && long != "" {
		long = "\n" + long
	}
	h.Description += long
	return h
}

// stripPatchTag drops a "[PATCH]" or "[PATCH v2 1/3]" prefix from a subject.
func stripPatchTag(s string) string {
	tag, rest, ok := strings.Cut(s, "]")
	if !ok || !strings.HasPrefix(tag, "[") || !strings.Contains(strings.ToUpper(tag), "PATCH") {
		return s
	}
	return strings.TrimSpace(rest)
}

// decodeWords decodes MIME encoded-words (=?UTF-8?q?...?=) in a mail
// header's value; a value that does not decode is kept as it is.
func decodeWords(s string) string {
	d, err := new(mime.WordDecoder).DecodeHeader(s)
	if err != nil {
		return s
	}
	return d
}

// SetLastUpdate returns a patch's text with the value of its DEP-3
// Last-Update field set to date (YYYY-MM-DD); the diff and the other
// fields are kept byte for byte. A header without the field gets it as
// its last field, before the blank line or "---" that ends it.
func SetLastUpdate(raw []byte, date string) []byte {
	text := string(raw)
	end := headerEnd(text)
	lines := strings.SplitAfter(text[:end], "\n")
	for i, l := range lines {
		key, _, ok := strings.Cut(l, ":")
		if ok && strings.EqualFold(key, "last-update") {
			lines[i] = key + ": " + date + lineEnd(l)
			return []byte(strings.Join(lines, "") + text[end:])
		}
	}
	at := fieldsEnd(lines)
	field := "Last-Update: " + date + "\n"
	if at > 0 && !strings.HasSuffix(lines[at-1], "\n") {
		field = "\n" + field
	}
	lines = append(lines[:at], append([]string{field}, lines[at:]...)...)
	return []byte(strings.Join(lines, "") + text[end:])
}

// headerEnd is the offset where a patch's diff starts: its first "--- "
// or "diff " line, or "---" alone; len(text) when there is none.
func headerEnd(text string) int {
	off := 0
	for _, l := range strings.SplitAfter(text, "\n") {
		t := strings.TrimRight(l, "\n")
		if t == "---" || strings.HasPrefix(t, "--- ") || strings.HasPrefix(t, "diff ") || strings.HasPrefix(t, "Index: ") {
			return off
		}
		off += len(l)
	}
	return len(text)
}

// fieldsEnd is the index of the first line after the header's fields:
// its first blank line, else the end.
func fieldsEnd(lines []string) int {
	for i, l := range lines {
		if strings.TrimSpace(l) == "" {
			return i
		}
	}
	return len(lines)
}

func lineEnd(l string) string {
	if strings.HasSuffix(l, "\n") {
		return "\n"
	}
	return ""
}
