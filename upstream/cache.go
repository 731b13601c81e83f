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
	"github.com/bcfork/bcfork/internal/bucardo"
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
type cache struct {
	dir string
	api string // the API base URL entries are fetched from and checked against
	log io.Writer
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
	e, err := readEntry(dir, repo, ref, p)
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
	if err := os.RemoveAll(dir); err != nil {
		logf(c.log, "dropping cache entry: %v", err)
	}
	return nil
}

// readEntry reads and verifies an entry: each file against meta.json, and
// against the pins p when the version is pinned.
func readEntry(dir, repo, ref string, p pinned) (*entry, error) {
	e, err := readMeta(dir, repo, ref)
	if err != nil {
		return nil, err
	}
	if p.commit != "" && e.meta.Commit != p.commit {
		return nil, fmt.Errorf("commit %q, pinned %s", e.meta.Commit, p.commit)
	}
	for _, name := range bucardo.Names {
		b, err := readRegular(filepath.Join(dir, name))
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

func readMeta(dir, repo, ref string) (*entry, error) {
	data, err := os.ReadFile(filepath.Join(dir, "meta.json"))
	if err != nil {
		return nil, err
	}
	e := &entry{files: map[string][]byte{}, sums: map[string]string{}}
	if err := json.Unmarshal(data, &e.meta); err != nil {
		return nil, fmt.Errorf("meta.json: %w", err)
	}
	if e.meta.Format != metaFormat || e.meta.Repo != repo || e.meta.Ref != ref {
		return nil, fmt.Errorf("meta.json is for %s@%s (format %d)", e.meta.Repo, e.meta.Ref, e.meta.Format)
	}
	return e, nil
}

func (e *entry) verify(name string, b []byte, pins map[string]string) error {
	m := e.meta.Files[name]
	sum := sha256Hex(b)
	switch {
	case sum != m.SHA256 || int64(len(b)) != m.Size:
		return fmt.Errorf("%s: sha256 %s, meta.json says %s", name, sum, m.SHA256)
	case blobSHA(b) != m.Blob:
		return fmt.Errorf("%s: git blob %s, meta.json says %s", name, blobSHA(b), m.Blob)
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
	m := meta{Format: metaFormat, Repo: repo, Ref: ref, API: c.api, Commit: commit, Fetched: time.Now().UTC(), Files: map[string]fileMeta{}}
	err := atomicfile.WriteDir(final, true, func(tmp string) error { return writeEntry(tmp, m, files) })
	if errors.Is(err, fs.ErrExist) {
		if _, statErr := os.Stat(filepath.Join(final, "meta.json")); statErr == nil {
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
	dirs, _ := os.ReadDir(filepath.Join(c.repoDir(repo), "refs"))
	for _, d := range dirs {
		ref, err := url.PathUnescape(d.Name())
		if err != nil || strings.HasPrefix(d.Name(), ".") || validRef(ref) != nil {
			continue
		}
		p := pins(ref)
		e, err := readEntry(c.entryDir(repo, ref), repo, ref, p)
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

// tags returns the tags of all pages.
func (l *tagList) tags() []tag {
	var all []tag
	for _, p := range l.Pages {
		all = append(all, p.Tags...)
	}
	return all
}

func (c *cache) storeTags(repo string, pages []tagPage) error {
	data, err := json.MarshalIndent(tagList{Listed: time.Now().UTC(), API: c.api, Pages: pages}, "", "  ")
	if err != nil {
		return err
	}
	if err := os.MkdirAll(c.repoDir(repo), 0o755); err != nil {
		return err
	}
	return atomicfile.Write(filepath.Join(c.repoDir(repo), "tags.json"), append(data, '\n'), 0o644)
}

// loadTags reads the last tag listing; nil, and no error, when there is none.
func (c *cache) loadTags(repo string) (*tagList, error) {
	data, err := os.ReadFile(filepath.Join(c.repoDir(repo), "tags.json"))
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
