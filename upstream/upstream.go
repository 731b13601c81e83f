package upstream

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/bcfork/bcfork/internal/bucardo"
	"github.com/bcfork/bcfork/internal/catalog"
	"github.com/bcfork/bcfork/internal/version"
	"github.com/bcfork/bcfork/patches"
)

// Defaults for Options.
const (
	DefaultRepo    = "bucardo/bucardo"
	DefaultAPIURL  = "https://api.github.com/"
	DefaultFlavor  = catalog.Upstream
	DefaultTimeout = 30 * time.Second
	DefaultRetries = 3
)

// Options says which release to get, from where, and how.
type Options struct {
	Version       string       // tag or ref: "5.6.0", "master", a commit; for From, "" means the script's $VERSION
	From          string       // "" = GitHub; a .tar.gz/.tgz file or a folder
	Repo          string       // "owner/name"; default DefaultRepo
	APIURL        string       // GitHub API base; default DefaultAPIURL
	Token         string       // GitHub token, sent as an Authorization header
	HTTPClient    *http.Client // nil: a client with Timeout
	CacheDir      string       // "" = no cache; see DefaultCacheDir
	Offline       bool         // use only the cache and local sources
	AllowUnpinned bool         // accept a version that has no pins
	Pins          fs.FS        // patches tree: reads <Flavor>/<Version>/checksums and commit; default patches.FS
	Flavor        string       // default DefaultFlavor; another flavor's files come only From a local source
	Log           io.Writer    // progress lines; nil = quiet
	// Early lets Fetch return a --from tarball's files once both are read
	// and verified, while the rest of the archive is read and checked in
	// the background: the caller must then call Release.Wait before it
	// puts anything made from them in place or reports it. The outcome is
	// a whole read's: files that fail their check wait for the rest, whose
	// last pax global header may name the pinned commit.
	Early bool

	Timeout time.Duration                   // per API request; default DefaultTimeout
	Retries int                             // extra attempts after a transient failure; 0 = DefaultRetries, <0 = none
	Backoff func(attempt int) time.Duration // wait before retry attempt+1; default 1s, 2s, 4s, ...
}

// Release is the pristine files of one version and where they came from.
type Release struct {
	Version   string            // version asked for, else the script's $VERSION
	Ref       string            // ref fetched from GitHub; "" for local sources
	Commit    string            // upstream commit, when known
	CommitPin string            // the commit pin in the patches tree, when Commit is the pinned commit
	Kind      string            // "github", "tarball" or "dir"
	Location  string            // repository, tarball path or folder
	Tarball   string            // hex sha256 of the tarball, for Kind "tarball"
	FromCache bool              // read from the cache (Kind is "github")
	Pinned    bool              // verified against pins
	Pin       string            // the pin file in the patches tree, when Pinned
	Files     map[string][]byte // exactly bucardo.Script and bucardo.Schema
	SHA256    map[string]string // hex sha256 of each of Files, computed once as they are verified
	Requests  int               // GitHub API requests spent

	rest *archiveRest // with Options.Early, the rest of a tarball, still being read
}

// String describes where the files came from, e.g. "github bucardo/bucardo@5.6.0 (cache)".
func (r *Release) String() string {
	s := r.Kind + " " + r.Location
	if r.Ref != "" {
		s += "@" + r.Ref
	}
	if r.FromCache {
		s += " (cache)"
	}
	return s
}

// Fetch gets the pristine files of opt.Version, verifies them and caches
// what it fetched from GitHub.
func Fetch(ctx context.Context, opt Options) (*Release, error) {
	if err := opt.defaults(); err != nil {
		return nil, err
	}
	switch {
	case opt.From != "":
		return fetchLocal(&opt)
	case opt.Flavor != DefaultFlavor:
		return nil, &FlavorError{Flavor: opt.Flavor}
	}
	return fetchGitHub(ctx, &opt)
}

// defaults fills in the zero fields of opt and checks it.
func (opt *Options) defaults() error {
	set := func(s *string, def string) {
		if *s == "" {
			*s = def
		}
	}
	set(&opt.Repo, DefaultRepo)
	set(&opt.APIURL, DefaultAPIURL)
	set(&opt.Flavor, DefaultFlavor)
	opt.APIURL = strings.TrimSuffix(opt.APIURL, "/") + "/"
	if opt.Pins == nil {
		opt.Pins = patches.FS
	}
	opt.retryDefaults()
	return opt.validate()
}

func (opt *Options) retryDefaults() {
	if opt.Timeout <= 0 {
		opt.Timeout = DefaultTimeout
	}
	switch {
	case opt.Retries == 0:
		opt.Retries = DefaultRetries
	case opt.Retries < 0:
		opt.Retries = 0
	}
	if opt.Backoff == nil {
		opt.Backoff = func(attempt int) time.Duration { return time.Second << min(attempt, 5) }
	}
}

func (opt *Options) validate() error {
	if err := validRepo(opt.Repo); err != nil {
		return err
	}
	if err := ValidFlavor(opt.Flavor); err != nil {
		return err
	}
	if opt.Version != "" {
		return validRef(opt.Version)
	}
	return nil
}

// cache returns the cache, nil when it is off.
func (opt *Options) cache() *cache {
	if opt.CacheDir == "" {
		return nil
	}
	return newCache(opt.CacheDir, opt.APIURL, opt.Log)
}

// pins returns the pins of version, or ErrUnpinned unless unpinned versions are allowed.
func (opt *Options) pins(version string) (pinned, error) {
	p, err := readPins(opt.Pins, opt.Flavor, version)
	if err != nil || p.sums != nil || opt.AllowUnpinned {
		return p, err
	}
	return p, fmt.Errorf("%w: %s has no checksums in the patches tree (%s)", ErrUnpinned, version, catalog.ChecksumsPath(opt.Flavor, version))
}

func fetchLocal(opt *Options) (_ *Release, err error) {
	fi, err := os.Stat(opt.From)
	if err != nil {
		return nil, &SourceError{Path: opt.From, Err: errors.Unwrap(err)}
	}
	r := &Release{Kind: "tarball", Location: opt.From}
	defer func() {
		// What the rest of an archive holds is reported first, as when
		// it is read before anything else is checked.
		if err == nil {
			return
		}
		if werr := r.Wait(); werr != nil {
			err = werr
		}
	}()
	if fi.IsDir() {
		var paths []string
		r.Kind = "dir"
		r.Files, paths, err = readDir(opt.From)
		if err == nil && paths[0] != filepath.Join(opt.From, bucardo.Script) {
			logf(opt.Log, "reading the packaged files %s and %s", paths[0], paths[1])
		}
	} else {
		err = readTarball(r, opt.From, opt.Early)
	}
	if err != nil {
		return nil, err
	}
	found, err := scriptVersion(r.Files[bucardo.Script])
	if err != nil {
		return nil, fmt.Errorf("reading %q: %w", opt.From, err)
	}
	if r.Version, err = agreeVersion(opt.Flavor, opt.Version, found); err != nil {
		return nil, fmt.Errorf("reading %q: %w", opt.From, err)
	}
	if r.rest != nil {
		return r, r.checkEarly(opt)
	}
	return r, r.check(opt)
}

// checkEarly is check while the rest of r's tarball is being read. A pax
// global header after the files may name another commit, which a whole
// read takes: Wait checks r again with it. A check that fails here waits
// for the whole archive, whose last commit decides, as in a whole read.
func (r *Release) checkEarly(opt *Options) error {
	r.rest.check = func(commit string) error {
		r.Commit, r.CommitPin, r.Pinned, r.Pin = commit, "", false, ""
		return r.check(opt)
	}
	if r.rest.early = r.check(opt); r.rest.early != nil {
		return r.Wait()
	}
	return nil
}

// check verifies r.Files against the pins of r.Version, and r.Commit
// against the pinned commit, which it becomes when r came without one.
func (r *Release) check(opt *Options) error {
	r.hash()
	p, err := opt.pins(r.Version)
	if err != nil || p.sums == nil {
		return err
	}
	pin := catalog.ChecksumsPath(opt.Flavor, r.Version)
	if err := verifyPins(r.SHA256, p.sums, r.String(), pin); err != nil {
		return err
	}
	if err := r.checkCommit(p.commit, opt); err != nil {
		return err
	}
	r.Pinned, r.Pin = true, pin
	return nil
}

// hash fills in r.SHA256 for the files not hashed yet.
func (r *Release) hash() {
	if r.SHA256 == nil {
		r.SHA256 = map[string]string{}
	}
	for name, b := range r.Files {
		if _, ok := r.SHA256[name]; !ok {
			r.SHA256[name] = sha256Hex(b)
		}
	}
}

// checkCommit takes the pinned commit (if any) as r's, refusing another.
func (r *Release) checkCommit(pinned string, opt *Options) error {
	switch {
	case pinned == "":
		return nil
	case r.Commit != "" && r.Commit != pinned:
		return r.commitError(pinned, opt)
	}
	r.Commit, r.CommitPin = pinned, catalog.CommitPath(opt.Flavor, r.Version)
	return nil
}

func (r *Release) commitError(pinned string, opt *Options) *CommitError {
	e := &CommitError{Want: pinned, Got: r.Commit, Source: r.String(), Pin: catalog.CommitPath(opt.Flavor, r.Version)}
	if r.Kind == "github" {
		e.Tag = r.Ref
	}
	return e
}

// fetchGitHub uses the cache when it can be trusted without asking: a
// pinned version, a commit, or offline. Else it asks GitHub.
func fetchGitHub(ctx context.Context, opt *Options) (*Release, error) {
	if opt.Version == "" {
		return nil, errors.New("fetching from GitHub: no version given")
	}
	p, err := opt.pins(opt.Version)
	if err != nil {
		return nil, err
	}
	r := &Release{Version: opt.Version, Ref: opt.Version, Kind: "github", Location: opt.Repo}
	switch _, short, ok := catalog.CutSnapshot(opt.Version); {
	case catalog.SnapshotCommit(opt.Version, p.commit):
		r.Ref = p.commit // master-d9919c8: master at its pinned commit
	case ok && p.commit == "" && !isRelease(opt.Version):
		r.Ref = short // not pinned yet: the commit GitHub knows by that abbreviation
	}
	c := opt.cache()
	if err := c.checkOwner(); err != nil {
		return nil, err
	}
	cached := c.load(opt.Repo, r.Ref, p)
	switch {
	case cached != nil && (p.sums != nil || version.IsCommit(r.Ref) || opt.Offline):
		logf(opt.Log, "using the cache %q", c.entryDir(opt.Repo, r.Ref))
		return r.fromCache(cached, opt)
	case opt.Offline:
		return nil, offlineError(opt, c)
	}
	return r, r.fetch(ctx, c, cached, p.commit, opt)
}

// fetch downloads (or revalidates cached) and caches what it downloaded.
// pinned is the pinned commit, "" when none.
func (r *Release) fetch(ctx context.Context, c *cache, cached *entry, pinned string, opt *Options) error {
	h, err := newHub(opt)
	if err != nil {
		return err
	}
	err = r.download(ctx, h, cached, pinned, opt)
	r.Requests = int(h.requests.Load())
	if err != nil {
		return err
	}
	r.keep(c, opt)
	return nil
}

func offlineError(opt *Options, c *cache) error {
	if c == nil {
		return fmt.Errorf("%w: %s@%s, and the cache is off", ErrOffline, opt.Repo, opt.Version)
	}
	return fmt.Errorf("%w: %s@%s is not in the cache %q", ErrOffline, opt.Repo, opt.Version, c.dir)
}

func (r *Release) fromCache(e *entry, opt *Options) (*Release, error) {
	r.Files, r.Commit, r.FromCache, r.SHA256 = e.files, e.meta.Commit, true, e.sums
	return r, r.check(opt)
}

// download resolves the ref and fetches both files at its commit, unless
// the cached entry is still at that commit. A commit other than the pinned
// one is refused before anything is downloaded.
func (r *Release) download(ctx context.Context, h *hub, cached *entry, pinned string, opt *Options) error {
	last := ""
	if cached != nil {
		last = cached.meta.Commit
	}
	logf(opt.Log, "fetching %s@%s from %s", opt.Repo, r.Ref, h.client.BaseURL)
	commit, same, err := h.resolve(ctx, r.Ref, last)
	if err != nil {
		return err
	}
	if pinned != "" && commit != pinned {
		r.Commit = commit
		return r.commitError(pinned, opt)
	}
	if same {
		logf(opt.Log, "%s is still at %s: using the cache", opt.Version, commit)
		_, err := r.fromCache(cached, opt)
		return err
	}
	r.Commit, r.Files, r.SHA256 = commit, map[string][]byte{}, nil
	for _, name := range bucardo.Names {
		b, err := h.file(ctx, name, commit, r.String())
		if err != nil {
			return err
		}
		r.Files[name] = b
	}
	return r.check(opt)
}

// keep stores freshly fetched, verified files in the cache. A cache that
// cannot be written is reported on the log, not as a failure.
func (r *Release) keep(c *cache, opt *Options) {
	if c == nil || r.FromCache {
		return
	}
	if err := c.store(opt.Repo, r.Ref, r.Commit, r.Files); err != nil {
		logf(opt.Log, "warning: %v", err)
	}
}
