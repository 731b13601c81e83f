package upstream

import (
	"os"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/bcfork/bcfork/internal/fakegithub"
	"github.com/bcfork/bcfork/patches"
)

const (
	sumA = "0e9b9a7ced1ad7a66c1e4ce545d024d542e5e25290ac827b688c47c27b9facb4"
	sumB = "1d2dbdb9a8709a0b95f7f14e352525ab25b4c9ed29aa47cf503f3e543895bf0e"
)

func TestReadChecksums(t *testing.T) {
	tests := []struct {
		name, in string
		want     map[string]string
		err      string
	}{
		{"text mode", sumA + "  bucardo\n", map[string]string{"bucardo": sumA}, ""},
		{"binary mode", sumA + " *bucardo\n", map[string]string{"bucardo": sumA}, ""},
		{"upper case and CRLF", strings.ToUpper(sumA) + "  bucardo\r\n\n", map[string]string{"bucardo": sumA}, ""},
		{"two", sumA + "  bucardo\n" + sumB + "  bucardo.schema\n", map[string]string{"bucardo": sumA, "bucardo.schema": sumB}, ""},
		{"one space", sumA + " bucardo\n", nil, "line 1: not in sha256sum format"},
		{"short", sumA[:60] + "  bucardo\n", nil, "not in sha256sum format"},
		{"not hex", strings.Repeat("z", 64) + "  bucardo\n", nil, "not a sha256 in hex"},
		{"twice", sumA + "  bucardo\n" + sumB + "  bucardo\n", nil, `line 2: "bucardo" listed twice`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ReadChecksums(strings.NewReader(tt.in))
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("error = %v, want %q", err, tt.err)
				}
				return
			}
			if err != nil || len(got) != len(tt.want) {
				t.Fatalf("got %v, %v", got, err)
			}
			for k, v := range tt.want {
				if got[k] != v {
					t.Errorf("%s: %q, want %q", k, got[k], v)
				}
			}
		})
	}
}

// The embedded pins are the sums checked by hand (DESIGN.md's table).
func TestEmbeddedPins(t *testing.T) {
	want := map[string][2]string{
		"5.4.1": {"0e9b9a7ced1ad7a66c1e4ce545d024d542e5e25290ac827b688c47c27b9facb4", "1d2dbdb9a8709a0b95f7f14e352525ab25b4c9ed29aa47cf503f3e543895bf0e"},
		"5.5.0": {"a93462b84bbee57ad61b45cac789e33dd011e37ddbc053563ec8d243dfc48ed8", "b2015cabb4baa3742a0b0016104728c365245aa9224b84a18cd6e9928462bed8"},
		"5.6.0": {"eb0bc0d569f567a099fbcc363a3f701adadba159729ecaae767d232adbf0bac2", "f82c9a766e42405238f513eb7c7ca88c9a782c411fc67fd42925febe1f05b1ac"},
	}
	for v, sums := range want {
		pins, err := PinnedChecksums(patches.FS, "upstream", v)
		if err != nil || len(pins) != 2 || pins[Script] != sums[0] || pins[Schema] != sums[1] {
			t.Errorf("embedded %s pins: %v, %v", v, pins, err)
		}
	}
}

func TestPinnedChecksums(t *testing.T) {
	if pins, err := PinnedChecksums(patches.FS, "upstream", "master"); pins != nil || err != nil {
		t.Errorf("master: %v, %v, want not pinned", pins, err)
	}
	half := fstest.MapFS{"upstream/1.0/checksums": {Data: []byte(sumA + "  bucardo\n")}}
	if _, err := PinnedChecksums(half, "upstream", "1.0"); err == nil || !strings.Contains(err.Error(), `no checksum for "bucardo.schema"`) {
		t.Errorf("pins without the schema: %v", err)
	}
	if _, err := PinnedChecksums(patches.FS, "upstream", "../x"); err == nil {
		t.Errorf("../x accepted")
	}
}

// The fixture pins must be those of the fake server's 9.9.9 files and tag.
func TestFixturePins(t *testing.T) {
	pins, err := os.ReadFile("testdata/patches/upstream/9.9.9/checksums")
	if err != nil {
		t.Fatal(err)
	}
	if got := ChecksumLines(fakegithub.Files("9.9.9")); got != string(pins) {
		t.Errorf("fixture pins are stale; want:\n%s", got)
	}
	commit, err := PinnedCommit(os.DirFS("testdata/patches"), "upstream", "9.9.9")
	if want := fakegithub.TagCommit("9.9.9", fakegithub.Files("9.9.9")); commit != want || err != nil {
		t.Errorf("fixture commit pin %q, %v; want %s", commit, err, want)
	}
}

// The embedded commit pins are those of the tags in bucardo/bucardo
// (git rev-parse V^{commit}).
func TestEmbeddedCommitPins(t *testing.T) {
	want := map[string]string{
		"5.4.1": "de24ef68ae719de49ab2b4864af8ce608b822044",
		"5.5.0": "c5208e7b05f613b7330140721ece1caa46458e2e",
		"5.6.0": "13f98c533f1160da412d82f66ca26c7c11fcb466",
	}
	for v, commit := range want {
		if got, err := PinnedCommit(patches.FS, "upstream", v); got != commit || err != nil {
			t.Errorf("embedded %s commit: %q, %v; want %s", v, got, err, commit)
		}
	}
}

func TestPinnedCommit(t *testing.T) {
	commit := strings.Repeat("ab", 20)
	sums := []byte(sumA + "  bucardo\n" + sumB + "  bucardo.schema\n")
	tests := []struct {
		name, file string
		want, err  string
	}{
		{"one line", commit + "\n", commit, ""},
		{"no newline", commit, commit, ""},
		{"upper case and CRLF", strings.ToUpper(commit) + "\r\n", commit, ""},
		{"short", commit[:12] + "\n", "", `reading pins "upstream/1.0/commit": want one line with a 40-hex commit SHA`},
		{"two lines", commit + "\n" + commit + "\n", "", `"upstream/1.0/commit"`},
		{"empty", "", "", `"upstream/1.0/commit"`},
		{"not hex", strings.Repeat("g", 40), "", `"upstream/1.0/commit"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fsys := fstest.MapFS{"upstream/1.0/checksums": {Data: sums}, "upstream/1.0/commit": {Data: []byte(tt.file)}}
			got, err := PinnedCommit(fsys, "upstream", "1.0")
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("error = %v, want %q", err, tt.err)
				}
				return
			}
			if got != tt.want || err != nil {
				t.Errorf("got %q, %v; want %q", got, err, tt.want)
			}
		})
	}
	if got, err := PinnedCommit(fstest.MapFS{"upstream/1.0/checksums": {Data: sums}}, "upstream", "1.0"); got != "" || err != nil {
		t.Errorf("no commit pinned: %q, %v", got, err)
	}
}

// A bad commit pin stops Fetch whatever the source; a commit pinned
// without checksums is an error too.
func TestFetchBadCommitPin(t *testing.T) {
	w := newWorld(t)
	bad := fstest.MapFS{
		"upstream/9.9.9/checksums": {Data: []byte(ChecksumLines(fakegithub.Files("9.9.9")))},
		"upstream/9.9.9/commit":    {Data: []byte("13f98c5\n")},
	}
	dir := writeDir(t, fakegithub.Files("9.9.9"))
	for _, from := range []string{"", dir} {
		_, err := w.fetch(t, func(o *Options) { o.Pins = bad; o.From = from })
		if err == nil || !strings.Contains(err.Error(), `"upstream/9.9.9/commit"`) {
			t.Errorf("from %q: error = %v", from, err)
		}
	}
	alone := fstest.MapFS{"upstream/9.9.9/commit": {Data: []byte(w.commit + "\n")}}
	_, err := w.fetch(t, func(o *Options) { o.Pins = alone; o.AllowUnpinned = true })
	if err == nil || !strings.Contains(err.Error(), "a commit is pinned but no checksums") {
		t.Errorf("commit without checksums: error = %v", err)
	}
	wantRequests(t, w.srv, 0)
}

func TestChecksumLines(t *testing.T) {
	got := ChecksumLines(map[string][]byte{"bucardo.schema": []byte("b"), "bucardo": []byte("a")})
	want := "ca978112ca1bbdcafac231b39a23dc4da786eff8147c4e72b9807785afee48bb  bucardo\n" +
		"3e23e8160039594a33894f6564e1b1348bbd7a0088d42c4acb73eeaed59c009d  bucardo.schema\n"
	if got != want {
		t.Errorf("got\n%s", got)
	}
	sums, err := ReadChecksums(strings.NewReader(got))
	if err != nil || len(sums) != 2 {
		t.Errorf("ChecksumLines output does not read back: %v", err)
	}
}

func TestBlobSHA(t *testing.T) {
	// `printf 'hello\n' | git hash-object --stdin`
	if got := blobSHA([]byte("hello\n")); got != "ce013625030ba8dba906f756967f9e9ca394464a" {
		t.Errorf("blobSHA = %s", got)
	}
}
