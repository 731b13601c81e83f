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
	log io.Writer
}

// metaFormat is the version of meta.json's layout.
const metaFormat = 1

// meta is an entry's meta.json, written last: an entry without it is incomplete.
type meta struct {
	Format  int                 `json:"format"`
	Repo    string              `json:"repo"`
	Ref     string              `json:"ref"`
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
}

func (c *cache) repoDir(repo string) string {
	return filepath.Join(c.dir, "github", filepath.FromSlash(repo))
}

func (c *cache) entryDir(repo, ref string) string {
	return filepath.Join(c.repoDir(repo), "refs", url.PathEscape(ref))
}

// load reads the entry for repo@ref. It returns nil when there is none, and
// drops an entry that is corrupted or does not match pins (when not nil).
func (c *cache) load(repo, ref string, pins map[string]string) *entry {
	dir := c.entryDir(repo, ref)
	e, err := readEntry(dir, repo, ref, pins)
	if err == nil || errors.Is(err, fs.ErrNotExist) {
		return e
	}
	logf(c.log, "cache entry %q is not usable (%v); dropping it", dir, err)
	if err := os.RemoveAll(dir); err != nil {
		logf(c.log, "dropping cache entry: %v", err)
	}
	return nil
}

func readEntry(dir, repo, ref string, pins map[string]string) (*entry, error) {
	data, err := os.ReadFile(filepath.Join(dir, "meta.json"))
	if err != nil {
		return nil, err
	}
	e := &entry{files: map[string][]byte{}}
	if err := json.Unmarshal(data, &e.meta); err != nil {
		return nil, fmt.Errorf("meta.json: %w", err)
	}
	if e.meta.Format != metaFormat || e.meta.Repo != repo || e.meta.Ref != ref {
		return nil, fmt.Errorf("meta.json is for %s@%s (format %d)", e.meta.Repo, e.meta.Ref, e.meta.Format)
	}
	for _, name := range Names {
		b, err := readRegular(filepath.Join(dir, name))
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, noNotExist(err))
		}
		if err := e.verify(name, b, pins); err != nil {
			return nil, err
		}
		e.files[name] = b
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
	return nil
}

// noNotExist keeps a missing file from reading as a missing entry.
func noNotExist(err error) error {
	if errors.Is(err, fs.ErrNotExist) {
		return errors.New("missing")
	}
	return err
}

// store writes the entry for repo@ref atomically: into a temporary folder
// beside it, meta.json last, then renamed into place.
func (c *cache) store(repo, ref, commit string, files map[string][]byte) error {
	final := c.entryDir(repo, ref)
	if err := os.MkdirAll(filepath.Dir(final), 0o755); err != nil {
		return fmt.Errorf("caching: %w", err)
	}
	tmp, err := os.MkdirTemp(filepath.Dir(final), ".tmp-")
	if err != nil {
		return fmt.Errorf("caching: %w", err)
	}
	defer os.RemoveAll(tmp) // no-op once renamed
	m := meta{Format: metaFormat, Repo: repo, Ref: ref, Commit: commit, Fetched: time.Now().UTC(), Files: map[string]fileMeta{}}
	for _, name := range Names {
		b := files[name]
		m.Files[name] = fileMeta{Size: int64(len(b)), SHA256: sha256Hex(b), Blob: blobSHA(b)}
		if err := writeSynced(filepath.Join(tmp, name), b); err != nil {
			return fmt.Errorf("caching: %w", err)
		}
	}
	data, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return fmt.Errorf("caching: %w", err)
	}
	if err := writeSynced(filepath.Join(tmp, "meta.json"), append(data, '\n')); err != nil {
		return fmt.Errorf("caching: %w", err)
	}
	return replaceDir(tmp, final)
}

// replaceDir renames tmp to final, replacing an older final. When another
// process put an entry there first, that entry is kept.
func replaceDir(tmp, final string) error {
	if err := os.Chmod(tmp, 0o755); err != nil {
		return fmt.Errorf("caching: %w", err)
	}
	if err := os.RemoveAll(final); err != nil {
		return fmt.Errorf("caching: %w", err)
	}
	if err := os.Rename(tmp, final); err != nil {
		if _, statErr := os.Stat(filepath.Join(final, "meta.json")); statErr == nil {
			return nil
		}
		return fmt.Errorf("caching: %w", err)
	}
	return nil
}

// writeSynced writes a new file and flushes it to disk.
func writeSynced(file string, data []byte) error {
	f, err := os.OpenFile(file, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// writeFileAtomic replaces file with data through a temporary file beside it.
func writeFileAtomic(file string, data []byte) error {
	if err := os.MkdirAll(filepath.Dir(file), 0o755); err != nil {
		return err
	}
	f, err := os.CreateTemp(filepath.Dir(file), ".tmp-")
	if err != nil {
		return err
	}
	defer os.Remove(f.Name()) // no-op once renamed
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	if err := os.Chmod(f.Name(), 0o644); err != nil {
		return err
	}
	return os.Rename(f.Name(), file)
}

// cachedRefs lists the refs of repo that have an entry (with meta.json;
// entries are verified when read, not here) and their commits.
func (c *cache) cachedRefs(repo string) map[string]string {
	refs := map[string]string{}
	dirs, _ := os.ReadDir(filepath.Join(c.repoDir(repo), "refs"))
	for _, d := range dirs {
		if strings.HasPrefix(d.Name(), ".") {
			continue
		}
		data, err := os.ReadFile(filepath.Join(c.repoDir(repo), "refs", d.Name(), "meta.json"))
		var m meta
		if err == nil && json.Unmarshal(data, &m) == nil && m.Repo == repo && validRef(m.Ref) == nil {
			refs[m.Ref] = m.Commit
		}
	}
	return refs
}

// tagList is the last tag listing of a repository, kept for offline use.
type tagList struct {
	Listed time.Time `json:"listed"`
	Tags   []tag     `json:"tags"`
}

type tag struct {
	Name   string `json:"name"`
	Commit string `json:"commit"`
}

func (c *cache) storeTags(repo string, tags []tag) error {
	data, err := json.MarshalIndent(tagList{Listed: time.Now().UTC(), Tags: tags}, "", "  ")
	if err != nil {
		return err
	}
	return writeFileAtomic(filepath.Join(c.repoDir(repo), "tags.json"), append(data, '\n'))
}

func (c *cache) loadTags(repo string) (*tagList, error) {
	data, err := os.ReadFile(filepath.Join(c.repoDir(repo), "tags.json"))
	if err != nil {
		return nil, err
	}
	var l tagList
	if err := json.Unmarshal(data, &l); err != nil {
		return nil, fmt.Errorf("reading the cached tag list: %w", err)
	}
	return &l, nil
}

func logf(w io.Writer, format string, args ...any) {
	if w != nil {
		fmt.Fprintf(w, format+"\n", args...)
	}
}
