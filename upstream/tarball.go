package upstream

import (
	"archive/tar"
	"bufio"
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"path"
	"strings"

	"github.com/bcfork/bcfork/internal/beneath"
	"github.com/bcfork/bcfork/internal/bucardo"
	"github.com/bcfork/bcfork/internal/version"
	"github.com/klauspost/compress/gzip"
)

// Names from an archive are quoted in messages cut to 100 characters
// (%.100q): a name may be a megabyte long.

// Limits on what a tarball may hold, some 10 to 50 times what Bucardo needs:
// its two files are under 400 KB, and the 5.6.0 release tarball has 61
// entries and 1.4 MB unpacked. maxHeaderSize bounds everything but the
// entries' data: their headers and padding, and the PAX records and GNU
// long names that archive/tar reads without showing them (each may be
// 1 MB). Variables so that tests can lower them.
var (
	maxFileSize    int64 = 4 << 20
	maxArchiveSize int64 = 64 << 20
	maxHeaderSize  int64 = 16 << 20
	maxEntries           = 10_000
)

// readTarball reads the two files from a gzip-compressed release tarball
// with a single top folder into r, with the tarball's sha256. The commit is
// known for GitHub's tag tarballs, which carry it in a pax global header.
func readTarball(r *Release, file string) error {
	f, _, err := beneath.OpenFile(file) // a FIFO or a device is refused, not waited on
	if err != nil {
		return fmt.Errorf("reading tarball: %w", err)
	}
	defer f.Close()
	h := sha256.New()
	zr, err := gzip.NewReader(bufio.NewReader(io.TeeReader(f, h)))
	if err != nil {
		return fmt.Errorf("reading tarball %q: not gzip-compressed (%w); for another format, unpack it and pass the folder", file, err)
	}
	if r.Files, r.Commit, err = readTar(zr); err != nil {
		return fmt.Errorf("reading tarball %q: %w", file, err)
	}
	// The sum is the whole file's: hash what the archive did not need too,
	// as much as an archive may hold.
	if n, err := io.Copy(h, io.LimitReader(f, maxArchiveSize+1)); err != nil || n > maxArchiveSize {
		return fmt.Errorf("reading tarball %q: %w", file, cmp.Or(err, fmt.Errorf("%w: more than %d bytes after the archive's end", ErrUnsafeArchive, maxArchiveSize)))
	}
	r.Tarball = hex.EncodeToString(h.Sum(nil))
	return nil
}

// tarScan holds what readTar has seen so far.
type tarScan struct {
	files   map[string][]byte
	commit  string
	top     string
	total   int64 // bytes of the entries' data
	entries int
}

// readTar reads the two files from the uncompressed tar stream r.
func readTar(r io.Reader) (map[string][]byte, string, error) {
	s := &tarScan{files: map[string][]byte{}}
	raw := &tarStream{r: r}
	tr := tar.NewReader(raw)
	for {
		hdr, err := raw.next(tr)
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, "", err
		}
		if err := s.entry(hdr, tr); err != nil {
			return nil, "", err
		}
	}
	if s.top == "" {
		return nil, "", errors.New("empty archive")
	}
	for _, name := range bucardo.Names {
		if s.files[name] == nil {
			return nil, "", fmt.Errorf("no %.100q in its top folder %.100q", name, s.top)
		}
	}
	return s.files, s.commit, nil
}

func (s *tarScan) entry(hdr *tar.Header, r io.Reader) error {
	if s.entries++; s.entries > maxEntries {
		return fmt.Errorf("%w: more than %d entries", ErrUnsafeArchive, maxEntries)
	}
	if hdr.Typeflag == tar.TypeXGlobalHeader {
		if c := hdr.PAXRecords["comment"]; version.IsCommit(c) {
			s.commit = c
		}
		return nil
	}
	if hdr.Size < 0 || hdr.Size > maxArchiveSize-s.total {
		return fmt.Errorf("%w: more than %d bytes unpacked", ErrUnsafeArchive, maxArchiveSize)
	}
	s.total += hdr.Size
	rel, err := s.place(hdr)
	if err != nil {
		return err
	}
	if hdr.Typeflag != tar.TypeReg || (rel != bucardo.Script && rel != bucardo.Schema) {
		return nil
	}
	return s.read(rel, hdr, r)
}

// place checks the entry's type and path and returns its path below the top folder.
func (s *tarScan) place(hdr *tar.Header) (string, error) {
	name := hdr.Name
	switch hdr.Typeflag {
	case tar.TypeReg, tar.TypeDir:
	case tar.TypeSymlink, tar.TypeLink:
		return "", fmt.Errorf("%w: %.100q is a link to %.100q", ErrUnsafeArchive, name, hdr.Linkname)
	default:
		return "", fmt.Errorf("%w: %.100q is not a file or folder (type %.100q)", ErrUnsafeArchive, name, hdr.Typeflag)
	}
	if strings.HasPrefix(name, "/") || strings.Contains(name, `\`) || hasDotDot(name) {
		return "", fmt.Errorf("%w: path %.100q is absolute or leaves the archive", ErrUnsafeArchive, name)
	}
	clean := path.Clean(name)
	if clean == "." && hdr.Typeflag == tar.TypeDir {
		return "", nil // "./", as `tar -C dir .` writes
	}
	top, rel, _ := strings.Cut(clean, "/")
	if top == "." || (rel == "" && hdr.Typeflag != tar.TypeDir) {
		return "", fmt.Errorf("%w: %.100q is outside a top folder", ErrUnsafeArchive, name)
	}
	if s.top != "" && top != s.top {
		return "", fmt.Errorf("%w: more than one top folder (%.100q, %.100q)", ErrUnsafeArchive, s.top, top)
	}
	s.top = top
	return rel, nil
}

func (s *tarScan) read(name string, hdr *tar.Header, r io.Reader) error {
	if s.files[name] != nil {
		return fmt.Errorf("%w: %.100q appears twice", ErrUnsafeArchive, hdr.Name)
	}
	if hdr.Size > maxFileSize {
		return fmt.Errorf("%w: %.100q is %d bytes, more than %d", ErrUnsafeArchive, hdr.Name, hdr.Size, maxFileSize)
	}
	b := make([]byte, hdr.Size) // at most maxFileSize: read into one buffer of its size
	if _, err := io.ReadFull(r, b); err != nil {
		return fmt.Errorf("reading %.100q: %w", hdr.Name, err)
	}
	s.files[name] = b
	return nil
}

func hasDotDot(name string) bool {
	for _, part := range strings.Split(name, "/") {
		if part == ".." {
			return true
		}
	}
	return false
}

// errHeaders is what tarStream answers when the headers exceed maxHeaderSize.
var errHeaders = errors.New("too many bytes of headers")

// tarStream counts the bytes the tar reader reads from the uncompressed
// stream. What it reads beyond the entries' data (headers, padding, PAX
// records, GNU long names) counts toward maxHeaderSize, and the read that
// would exceed it fails at once: archive/tar reads a run of hidden
// headers in one call to Next, and would otherwise read them all.
type tarStream struct {
	r       io.Reader
	n       int64 // bytes read
	limit   int64 // bytes it may read
	dataEnd int64 // where the data of the entry last returned ends
	headers int64 // bytes read that were not the entries' data
}

func (s *tarStream) Read(p []byte) (int, error) {
	if s.n >= s.limit {
		return 0, errHeaders
	}
	if int64(len(p)) > s.limit-s.n {
		p = p[:s.limit-s.n]
	}
	n, err := s.r.Read(p)
	s.n += int64(n)
	return n, err
}

// next is tr.Next, reading no more headers than maxHeaderSize allows, and
// then no more than the entry's data.
func (s *tarStream) next(tr *tar.Reader) (*tar.Header, error) {
	s.limit = s.dataEnd + (maxHeaderSize - s.headers)
	hdr, err := tr.Next()
	s.headers += s.n - s.dataEnd
	if errors.Is(err, errHeaders) || s.headers > maxHeaderSize {
		return nil, fmt.Errorf("%w: more than %d bytes of headers, PAX records and long names", ErrUnsafeArchive, maxHeaderSize)
	}
	if err != nil {
		return nil, err
	}
	s.dataEnd = s.n + min(max(hdr.Size, 0), maxArchiveSize)
	s.limit = s.dataEnd
	return hdr, nil
}
