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

// The fixture pins must be those of the fake server's 9.9.9 files.
func TestFixturePins(t *testing.T) {
	pins, err := os.ReadFile("testdata/patches/upstream/9.9.9/checksums")
	if err != nil {
		t.Fatal(err)
	}
	if got := ChecksumLines(fakegithub.Files("9.9.9")); got != string(pins) {
		t.Errorf("fixture pins are stale; want:\n%s", got)
	}
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
