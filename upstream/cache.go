package upstream

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/bcfork/bcfork/internal/atomicfile"
	"github.com/bcfork/bcfork/internal/beneath"
	"github.com/bcfork/bcfork/internal/bucardo"
	"github.com/bcfork/bcfork/internal/version"
)

// DefaultCacheDir is BCFORK_CACHE_DIR, else $XDG_CACHE_HOME/bcfork, else
// the user's cache folder (os.UserCacheDir) with bcfork appended.
func DefaultCacheDir() (string, error) {
	if d := os.Getenv("BCFORK_CACHE_DIR"); d != "" {
		return d, nil
	}
	if d := os.Getenv("XDG_CACHE_HOME"); d != "" {
		return filepath.Join(d, "bcfork"), nil
	}
	d, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("finding the cache folder: %w", err)
	}
	return filepath.Join(d, "bcfork"), nil
}

// cache stores fetched files under dir/github/<owner>/<name>/refs/<ref>/.
// Everything in it is read through fs: no link below dir is followed, only
// regular files are read, and no more than the caps below.
type cache struct {
	dir string
	fs  beneath.Root
	api string // the API base URL entries are fetched from and checked against
	log io.Writer
}

// Caps on what is read from the cache: meta.json is some 500 bytes, a tag
// listing of Bucardo some 10 KB.
const (
	maxMeta int64 = 1 << 20
	maxTags int64 = 32 << 20
)

func newCache(dir, api string, log io.Writer) *cache {
	return &cache{dir: dir, fs: beneath.New(dir), api: api, log: log}
}

// ErrCacheOwner marks a cache folder that, as root, bcfork does not use:
// it, or a folder above it, belongs to another user or others may write it.
var ErrCacheOwner = errors.New("the cache folder is not root's")

// checkOwner refuses, when running as root, a cache folder that another
// user could change under root's feet: it and every folder above it must
// be root's, writable by no one else (a sticky folder such as /tmp aside),
// and every link on the way root's. Folders that do not exist yet are
// created by root later. Not running as root, it checks nothing.
func (c *cache) checkOwner() error {
	if c == nil || os.Geteuid() != 0 {
		return nil
	}
	dir, err := filepath.Abs(c.dir)
	if err != nil {
		return fmt.Errorf("cache folder %q: %w", c.dir, err)
	}
	for _, p := range fromTop(dir) {
		info, err := os.Lstat(p)
		if errors.Is(err, fs.ErrNotExist) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("cache folder %q: %w", c.dir, err)
		}
		if err := rootOwned(info); err != nil {
			return fmt.Errorf("%w: cache folder %q: %q is %v", ErrCacheOwner, c.dir, p, err)
		}
	}
	return nil
}

// fromTop lists "/" and each folder down to dir.
func fromTop(dir string) []string {
	var out []string
	for p := dir; ; p = filepath.Dir(p) {
		out = append([]string{p}, out...)
		if p == filepath.Dir(p) {
			return out
		}
	}
}

// rootOwned refuses what root should not trust: a link not root's, a
// folder or file others may write.
func rootOwned(info fs.FileInfo) error {
	if info.Mode()&fs.ModeSymlink == 0 {
		return beneath.Trusted(info)
	}
	if uid, _, ok := beneath.Owner(info); !ok || uid != 0 {
		return fmt.Errorf("%w: a link owned by uid %d, not by root", beneath.ErrUntrusted, uid)
	}
	return nil
}

// metaFormat is the version of meta.json's layout.
const metaFormat = 1

// meta is an entry's meta.json, written last: an entry without it is incomplete.
type meta struct {
	Format  int                 `json:"format"`
	Repo    string              `json:"repo"`
	Ref     string              `json:"ref"`
	API     string              `json:"api"` // base URL the files came from
	Commit  string              `json:"commit"`
	Fetched time.Time           `json:"fetched"`
	Files   map[string]fileMeta `json:"files"`
}

type fileMeta struct {
	Size   int64  `json:"size"`
	SHA256 string `json:"sha256"`
	Blob   string `json:"blob"` // git blob SHA
}

// entry is a cache entry read back and verified.
type entry struct {
	meta  meta
	files map[string][]byte
	sums  map[string]string // sha256 of files, as verified
}

func (c *cache) repoDir(repo string) string {
	return filepath.Join(c.dir, "github", filepath.FromSlash(repo))
}

func (c *cache) entryDir(repo, ref string) string {
	return filepath.Join(c.repoDir(repo), "refs", url.PathEscape(ref))
}

// load reads the entry for repo@ref, nil when there is none or c is nil.
// It drops an entry that is corrupted or does not match the pins p (its
// files, and its commit when one is pinned). An unpinned entry fetched from
// another API URL is not used: nothing but that server vouches for it.
func (c *cache) load(repo, ref string, p pinned) *entry {
	if c == nil {
		return nil
	}
	dir := c.entryDir(repo, ref)
	e, err := c.readEntry(dir, repo, ref, p)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil
	case err == nil && p.sums == nil && e.meta.API != c.api:
		logf(c.log, "cache entry %q came from %s, not %s: not using it", dir, e.meta.API, c.api)
		return nil
	case err == nil:
		return e
	}
	logf(c.log, "cache entry %q is not usable (%v); dropping it", dir, err)
	if err := c.fs.RemoveAll(dir); err != nil {
		logf(c.log, "dropping cache entry: %v", err)
	}
	return nil
}

// readEntry reads and verifies an entry: each file against meta.json, and
// against the pins p when the version is pinned.
func (c *cache) readEntry(dir, repo, ref string, p pinned) (*entry, error) {
	e, err := c.readMeta(dir, repo, ref)
	if err != nil {
		return nil, err
	}
	if p.commit != "" && e.meta.Commit != p.commit {
		return nil, fmt.Errorf("commit %q, pinned %s", e.meta.Commit, p.commit)
	}
	for _, name := range bucardo.Names {
		b, _, err := c.fs.ReadFile(filepath.Join(dir, name), maxFileSize)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, noNotExist(err))
		}
		if err := e.verify(name, b, p.sums); err != nil {
			return nil, err
		}
		e.files[name] = b
	}
	return e, nil
}

func (c *cache) readMeta(dir, repo, ref string) (*entry, error) {
	data, _, err := c.fs.ReadFile(filepath.Join(dir, "meta.json"), maxMeta)
	if err != nil {
		return nil, err
	}
	e := &entry{files: map[string][]byte{}, sums: map[string]string{}}
	if err := json.Unmarshal(data, &e.meta); err != nil {
		return nil, fmt.Errorf("meta.json: %w", err)
	}
	if e.meta.Format != metaFormat || e.meta.Repo != repo || e.meta.Ref != ref {
		return nil, fmt.Errorf("meta.json is for %.100s@%.100s (format %d)", e.meta.Repo, e.meta.Ref, e.meta.Format)
	}
	if !version.IsCommit(e.meta.Commit) {
		return nil, fmt.Errorf("meta.json: commit %.50q is not 40 hex digits", e.meta.Commit)
	}
	return e, nil
}

func (e *entry) verify(name string, b []byte, pins map[string]string) error {
	m := e.meta.Files[name]
	blob := make(chan string, 1)
	go func() { blob <- blobSHA(b) }() // both sums at once, on two cores
	sum := sha256Hex(b)
	switch blob := <-blob; {
	case sum != m.SHA256 || int64(len(b)) != m.Size:
		return fmt.Errorf("%s: sha256 %s, meta.json says %s", name, sum, m.SHA256)
	case blob != m.Blob:
		return fmt.Errorf("%s: git blob %s, meta.json says %s", name, blob, m.Blob)
	case pins != nil && sum != pins[name]:
		return fmt.Errorf("%s: sha256 %s, pinned %s", name, sum, pins[name])
	}
	e.sums[name] = sum
	return nil
}

// noNotExist keeps a missing file from reading as a missing entry.
func noNotExist(err error) error {
	if errors.Is(err, fs.ErrNotExist) {
		return errors.New("missing")
	}
	return err
}

// store writes the entry for repo@ref atomically (atomicfile.WriteDir):
// into a temporary folder beside it, meta.json last, then put in place, so
// that a reader sees the old entry or the new one, never half of one. When
// another process put an entry there first, that one is kept.
func (c *cache) store(repo, ref, commit string, files map[string][]byte) error {
	final := c.entryDir(repo, ref)
	if err := c.fs.MkdirAll(filepath.Dir(final), 0o755); err != nil {
		return fmt.Errorf("caching: %w", err) // a link on the way is refused here
	}
	m := meta{Format: metaFormat, Repo: repo, Ref: ref, API: c.api, Commit: commit, Fetched: time.Now().UTC(), Files: map[string]fileMeta{}}
	err := atomicfile.WriteDir(final, true, func(tmp string) error { return writeEntry(tmp, m, files) })
	if errors.Is(err, fs.ErrExist) {
		if _, statErr := c.fs.Lstat(filepath.Join(final, "meta.json")); statErr == nil {
			return nil
		}
	}
	if err != nil {
		return fmt.Errorf("caching: %w", err)
	}
	return nil
}

// writeEntry writes files and then their meta.json into dir.
func writeEntry(dir string, m meta, files map[string][]byte) error {
	for _, name := range bucardo.Names {
		b := files[name]
		m.Files[name] = fileMeta{Size: int64(len(b)), SHA256: sha256Hex(b), Blob: blobSHA(b)}
		if err := atomicfile.WriteNew(filepath.Join(dir, name), b, 0o644); err != nil {
			return err
		}
	}
	data, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return err
	}
	return atomicfile.WriteNew(filepath.Join(dir, "meta.json"), append(data, '\n'), 0o644)
}

// cachedRefs lists the refs of repo whose entry is usable, verified as
// load does (pins gives the pins of a ref), with their commits. Unusable
// entries are left for load to drop.
func (c *cache) cachedRefs(repo string, pins func(ref string) pinned) map[string]string {
	refs := map[string]string{}
	dirs, _ := c.fs.ReadDir(filepath.Join(c.repoDir(repo), "refs"))
	for _, d := range dirs {
		ref, err := url.PathUnescape(d.Name())
		if err != nil || strings.HasPrefix(d.Name(), ".") || validRef(ref) != nil {
			continue
		}
		p := pins(ref)
		e, err := c.readEntry(c.entryDir(repo, ref), repo, ref, p)
		if err == nil && (p.sums != nil || e.meta.API == c.api) {
			refs[ref] = e.meta.Commit
		}
	}
	return refs
}

// tagList is the last tag listing of a repository: shown offline, and its
// ETags make the next listing conditional.
type tagList struct {
	Listed time.Time `json:"listed"`
	API    string    `json:"api"` // base URL it was listed from
	Pages  []tagPage `json:"pages"`
}

type tag struct {
	Name   string `json:"name"`
	Commit string `json:"commit"`
}

// tags returns the tags of all pages. A commit that is not 40 hex digits
// (a broken answer, or an edited cache) is dropped: the tag's commit is
// then unknown.
func (l *tagList) tags() []tag {
	var all []tag
	for _, p := range l.Pages {
		for _, t := range p.Tags {
			if !version.IsCommit(t.Commit) {
				t.Commit = ""
			}
			all = append(all, t)
		}
	}
	return all
}

func (c *cache) storeTags(repo string, pages []tagPage) error {
	data, err := json.MarshalIndent(tagList{Listed: time.Now().UTC(), API: c.api, Pages: pages}, "", "  ")
	if err != nil {
		return err
	}
	if err := c.fs.MkdirAll(c.repoDir(repo), 0o755); err != nil {
		return err
	}
	return atomicfile.Write(filepath.Join(c.repoDir(repo), "tags.json"), append(data, '\n'), 0o644)
}

// loadTags reads the last tag listing; nil, and no error, when there is none.
func (c *cache) loadTags(repo string) (*tagList, error) {
	data, _, err := c.fs.ReadFile(filepath.Join(c.repoDir(repo), "tags.json"), maxTags)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading the cached tag list: %w", err)
	}
	var l tagList
	if err := json.Unmarshal(data, &l); err != nil {
		return nil, fmt.Errorf("reading the cached tag list %q: %w (delete it to list again)", filepath.Join(c.repoDir(repo), "tags.json"), err)
	}
	return &l, nil
}

func logf(w io.Writer, format string, args ...any) {
	if w != nil {
		fmt.Fprintf(w, format+"\n", args...)
	}
}
