package upstream

import (
	"archive/tar"
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/bcfork/bcfork/internal/bucardo"
	"github.com/bcfork/bcfork/internal/version"
)

// rawHeader is a tar header block of type typ announcing size bytes of
// data, as archive/tar's writer would not write it (it writes PAX and GNU
// long-name headers only for its own needs, one at a time).
func rawHeader(t testing.TB, typ byte, size int) []byte {
	t.Helper()
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	if err := tw.WriteHeader(&tar.Header{Name: "x", Typeflag: tar.TypeReg, Mode: 0o644, Size: int64(size), Format: tar.FormatUSTAR}); err != nil {
		t.Fatal(err)
	}
	blk := buf.Bytes()[:512]
	blk[156] = typ
	copy(blk[148:156], "        ")
	sum := 0
	for _, b := range blk {
		sum += int(b)
	}
	copy(blk[148:156], fmt.Sprintf("%06o\x00 ", sum))
	return blk
}

// paxRecord is one PAX record "LEN key=value\n", LEN counting itself.
func paxRecord(key, value string) string {
	body := " " + key + "=" + value + "\n"
	n := len(body) + 1
	for len(fmt.Sprint(n))+len(body) != n {
		n++
	}
	return fmt.Sprint(n) + body
}

// padded appends zeros to b up to a multiple of 512 bytes.
func padded(b []byte) []byte {
	return append(b, make([]byte, (512-len(b)%512)%512)...)
}

// hiddenHeaders is a tar stream of n headers of kind typ ('x' PAX or 'L'
// GNU long name) of about 1 MB each in a row, which archive/tar reads in
// one call to Next, then a release. It is built lazily: 3,000 of them are
// 3 GB.
func hiddenHeaders(t testing.TB, typ byte, n int) io.Reader {
	var data []byte
	switch typ {
	case 'x':
		data = []byte(paxRecord("comment", strings.Repeat("c", 1<<20-64)))
	default:
		data = append(bytes.Repeat([]byte("n"), 1<<20-1), 0)
	}
	one := append(rawHeader(t, typ, len(data)), padded(data)...)
	var rs []io.Reader
	for i := 0; i < n; i++ {
		rs = append(rs, bytes.NewReader(one))
	}
	var tail bytes.Buffer
	tw := tar.NewWriter(&tail)
	for _, e := range release("B", "9.9.9") {
		h := e.hdr
		if err := tw.WriteHeader(&h); err != nil {
			t.Fatal(err)
		}
		tw.Write(e.body)
	}
	tw.Close()
	return io.MultiReader(append(rs, &tail)...)
}

// countingReader counts what was read from r.
type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// 3,000 PAX headers (or GNU long names) of 1 MB each, in a stream that
// gzip would squeeze into 3 MB, are refused after maxHeaderSize bytes,
// at once, instead of being read whole.
func TestHiddenHeadersCountTowardTheLimits(t *testing.T) {
	for _, typ := range []byte{'x', 'L'} {
		t.Run(string(typ), func(t *testing.T) {
			in := &countingReader{r: hiddenHeaders(t, typ, 3000)}
			start := time.Now()
			_, _, err := readTar(in)
			took := time.Since(start)
			if !errors.Is(err, ErrUnsafeArchive) || !strings.Contains(err.Error(), "bytes of headers") {
				t.Fatalf("error = %v, want ErrUnsafeArchive about headers", err)
			}
			if in.n > maxHeaderSize+64<<10 || took > 2*time.Second {
				t.Errorf("read %d bytes in %v before refusing; the limit is %d", in.n, took, maxHeaderSize)
			}
		})
	}
}

// A few hidden headers, as real archives have, are fine.
func TestHiddenHeadersWithinTheLimits(t *testing.T) {
	files, _, err := readTar(hiddenHeaders(t, 'x', 3))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != 2 {
		t.Errorf("%d files", len(files))
	}
}

// FuzzReadTar reads arbitrary tar streams. Property: it never panics, and
// what it accepts is exactly the two files, within the size limit, with a
// commit that is none or 40 hex digits: nothing else, and no path, leaves it.
func FuzzReadTar(f *testing.F) {
	for _, entries := range [][]tarEntry{
		release("B", "9.9.9"),
		append(release("B", "9.9.9"), tarEntry{hdr: tar.Header{Name: "B/evil", Typeflag: tar.TypeSymlink, Linkname: "/etc/passwd"}}),
		append(release("B", "9.9.9"), file("B/../../x", []byte("x"))),
		{{hdr: tar.Header{Typeflag: tar.TypeXGlobalHeader, Name: "pax_global_header", PAXRecords: map[string]string{"comment": strings.Repeat("a", 40)}}}, file("B/bucardo", []byte("x"))},
	} {
		var buf bytes.Buffer
		tw := tar.NewWriter(&buf)
		for _, e := range entries {
			h := e.hdr
			tw.WriteHeader(&h)
			tw.Write(e.body)
		}
		tw.Close()
		f.Add(buf.Bytes())
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		files, commit, err := readTar(bytes.NewReader(data))
		if err != nil {
			return
		}
		if len(files) != len(bucardo.Names) {
			t.Fatalf("%d files", len(files))
		}
		for _, n := range bucardo.Names {
			if b, ok := files[n]; !ok || int64(len(b)) > maxFileSize {
				t.Fatalf("%s: present %v, %d bytes", n, ok, len(b))
			}
		}
		if commit != "" && !version.IsCommit(commit) {
			t.Fatalf("commit %q", commit)
		}
	})
}
