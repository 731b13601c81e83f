package main

import (
	"fmt"
	"io"
	"strings"
	"unicode"
	"unicode/utf8"
)

// printable escapes what a terminal would act on instead of showing: control
// characters (ESC starts a terminal escape sequence, CR overwrites a line),
// Unicode format characters (U+202E turns the text after it around) and
// bytes that are not UTF-8, as \x1b, \u202e. Newlines are kept: bcfork's
// own messages have several lines. Text from the network or from files
// (tag names, GitHub's answers, names in an archive) reaches the terminal
// only through it.
func printable(s string) string {
	if !strings.ContainsFunc(s, needsEscape) && utf8.ValidString(s) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case needsEscape(r) && r < 0x100:
			fmt.Fprintf(&b, `\x%02x`, r)
		case needsEscape(r):
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteRune(r)
		}
		i += size
	}
	return b.String()
}

// field is printable for one line, a cell of a table: newlines escaped too.
func field(s string) string {
	return printable(strings.ReplaceAll(s, "\n", `\n`))
}

func needsEscape(r rune) bool {
	return r != '\n' && r != '\t' && (unicode.IsControl(r) || unicode.Is(unicode.Cf, r))
}

// printableWriter passes what is written through printable: the library
// packages' progress lines (upstream's Options.Log) quote GitHub's answers.
type printableWriter struct{ w io.Writer }

func (p printableWriter) Write(b []byte) (int, error) {
	if _, err := io.WriteString(p.w, printable(string(b))); err != nil {
		return 0, err
	}
	return len(b), nil
}

// printableLog is log through printable; nil stays nil (no progress lines).
func printableLog(log io.Writer) io.Writer {
	if log == nil {
		return nil
	}
	return printableWriter{log}
}
