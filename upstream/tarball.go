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
	"maps"
	"path"
	"strings"
	"sync"

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
// With early, it returns once both files are read, and reads and checks
// the rest of the archive meanwhile: Release.Wait reports that.
func readTarball(r *Release, file string, early bool) error {
	f, _, err := beneath.OpenFile(file) // a FIFO or a device is refused, not waited on
	if err != nil {
		return fmt.Errorf("reading tarball: %w", err)
	}
	h := sha256.New()
	zr, err := gzip.NewReader(bufio.NewReader(io.TeeReader(f, h)))
	if err != nil {
		f.Close()
		return fmt.Errorf("reading tarball %q: not gzip-compressed (%w); for another format, unpack it and pass the folder", file, err)
	}
	s := newTarScan(zr)
	// finish reads the archive to its end and hashes the whole file.
	finish := func() (rest archiveEnd) {
		defer f.Close()
		if _, err := s.scan(nil); err != nil {
			return archiveEnd{err: fmt.Errorf("reading tarball %q: %w", file, err)}
		}
		files, commit, err := s.result()
		if err != nil {
			return archiveEnd{err: fmt.Errorf("reading tarball %q: %w", file, err)}
		}
		// The sum is the whole file's: hash what the archive did not need too,
		// as much as an archive may hold.
		if n, err := io.Copy(h, io.LimitReader(f, maxArchiveSize+1)); err != nil || n > maxArchiveSize {
			return archiveEnd{err: fmt.Errorf("reading tarball %q: %w", file, cmp.Or(err, fmt.Errorf("%w: more than %d bytes after the archive's end", ErrUnsafeArchive, maxArchiveSize)))}
		}
		return archiveEnd{files: files, commit: commit, sum: hex.EncodeToString(h.Sum(nil))}
	}
	if early {
		if _, err := s.scan(s.both); err != nil {
			f.Close()
			return fmt.Errorf("reading tarball %q: %w", file, err)
		}
	}
	if !early || !s.both() {
		end := finish()
		r.Files, r.Commit, r.Tarball = end.files, end.commit, end.sum
		return end.err
	}
	r.Files, r.Commit = maps.Clone(s.files), s.commit
	r.rest = &archiveRest{done: make(chan archiveEnd, 1), commit: s.commit}
	go func() {
		defer func() {
			if p := recover(); p != nil {
				r.rest.done <- archiveEnd{panicked: p} // raised again by Wait
			}
		}()
		r.rest.done <- finish()
	}()
	return nil
}

// archiveEnd is what reading a tarball to its end found.
type archiveEnd struct {
	files  map[string][]byte
	commit string
	sum    string // hex sha256 of the tarball
	err    error

	panicked any // what reading it panicked with
}

// archiveRest is the rest of a tarball, read and checked in the background
// (Options.Early) while the caller uses the two files read first.
type archiveRest struct {
	done   chan archiveEnd
	commit string             // the commit known when the two files were read
	check  func(string) error // checks r again with the commit the whole archive gives
	early  error              // what checking r with commit found
	once   sync.Once
	err    error
}

// Wait returns once the whole source has been read and checked, with what
// that found. Only Options.Early leaves anything to read after Fetch: the
// entries of a tarball that follow the two files, and its sha256
// (Tarball), which Wait fills in. Until Wait returns nil the release must
// not be trusted: nothing made from it may be put in place or reported as
// done. A panic while reading the rest is raised again by Wait.
func (r *Release) Wait() error {
	rest := r.rest
	if rest == nil {
		return nil
	}
	rest.once.Do(func() {
		end := <-rest.done
		if end.panicked != nil {
			panic(end.panicked)
		}
		if rest.err = end.err; end.err != nil {
			return
		}
		r.Tarball = end.sum
		rest.err = rest.early
		if end.commit != rest.commit && rest.check != nil {
			rest.err = rest.check(end.commit) // a pax global header after the files
		}
	})
	return rest.err
}

// tarScan holds what readTar has seen so far.
type tarScan struct {
	raw     *tarStream
	tr      *tar.Reader
	files   map[string][]byte
	commit  string
	top     string
	total   int64 // bytes of the entries' data
	entries int
	ended   bool // the archive's end was read
}

func newTarScan(r io.Reader) *tarScan {
	raw := &tarStream{r: r}
	return &tarScan{raw: raw, tr: tar.NewReader(raw), files: map[string][]byte{}}
}

// readTar reads the two files from the uncompressed tar stream r.
func readTar(r io.Reader) (map[string][]byte, string, error) {
	s := newTarScan(r)
	if _, err := s.scan(nil); err != nil {
		return nil, "", err
	}
	return s.result()
}

// scan reads and checks entries until the archive ends (true), or until
// stop, when not nil, holds after an entry (false).
func (s *tarScan) scan(stop func() bool) (bool, error) {
	for !s.ended {
		hdr, err := s.raw.next(s.tr)
		if err == io.EOF {
			s.ended = true
			break
		}
		if err != nil {
			return false, err
		}
		if err := s.entry(hdr, s.tr); err != nil {
			return false, err
		}
		if stop != nil && stop() {
			return false, nil
		}
	}
	return true, nil
}

// both reports whether both files have been read.
func (s *tarScan) both() bool {
	return len(s.files) == len(bucardo.Names)
}

// result is what a scan to the archive's end found.
func (s *tarScan) result() (map[string][]byte, string, error) {
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
