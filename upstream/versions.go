package upstream

import (
	"context"
	"io/fs"
	"sort"

	"github.com/bcfork/bcfork/internal/catalog"
	"github.com/bcfork/bcfork/internal/version"
)

// VersionInfo describes one upstream tag or locally known version.
type VersionInfo struct {
	Version      string // tag or ref, e.g. "5.6.0"
	Commit       string // commit, when known (from the tag listing, the cache or the pins)
	Upstream     bool   // a tag in the repository (offline: in its last cached listing)
	HasSeries    bool   // the patches tree has <flavor>/<version>/series
	Pinned       bool   // the patches tree has <flavor>/<version>/checksums
	PinnedCommit string // the commit in <flavor>/<version>/commit; not Commit when the tag was moved
	Cached       bool   // the files are in the cache, and verify
}

// Versions lists the tags of opt.Repo together with the versions known
// locally (patches tree and cache), newest first: releases by number, then
// other tags and refs by name. It costs one API request per 100 tags; with a
// cached listing these requests are conditional. With opt.Offline it lists
// what is known locally, including the last tag listing kept in the cache.
func Versions(ctx context.Context, opt Options) ([]VersionInfo, error) {
	if err := opt.defaults(); err != nil {
		return nil, err
	}
	if err := opt.cache().checkOwner(); err != nil {
		return nil, err
	}
	tags, err := listTags(ctx, &opt)
	if err != nil {
		return nil, err
	}
	k := known{}
	for _, t := range tags {
		vi := k.add(t.Name)
		vi.Upstream, vi.Commit = true, t.Commit
	}
	if err := addSeries(opt.Pins, opt.Flavor, k.add); err != nil {
		return nil, err
	}
	k.addCached(&opt)
	return k.sorted(), nil
}

// known collects VersionInfos by version.
type known map[string]*VersionInfo

func (k known) add(v string) *VersionInfo {
	if k[v] == nil {
		k[v] = &VersionInfo{Version: v}
	}
	return k[v]
}

// addCached marks the versions whose cache entry is usable.
func (k known) addCached(opt *Options) {
	c := opt.cache()
	if c == nil {
		return
	}
	pins := func(ref string) pinned {
		p, _ := readPins(opt.Pins, opt.Flavor, ref)
		return p
	}
	for ref, commit := range c.cachedRefs(opt.Repo, pins) {
		vi := k.add(ref)
		vi.Cached = true
		if vi.Commit == "" {
			vi.Commit = commit
		}
	}
}

func (k known) sorted() []VersionInfo {
	list := make([]VersionInfo, 0, len(k))
	for _, vi := range k {
		if vi.Commit == "" {
			vi.Commit = vi.PinnedCommit
		}
		list = append(list, *vi)
	}
	sort.Slice(list, func(i, j int) bool { return version.Newer(list[i].Version, list[j].Version) })
	return list
}

// listTags asks GitHub, or offline reads the last listing from the cache.
func listTags(ctx context.Context, opt *Options) ([]tag, error) {
	c := opt.cache()
	last := lastListing(c, opt)
	if opt.Offline {
		if last == nil {
			return nil, nil
		}
		logf(opt.Log, "offline: tags of %s as listed on %s", opt.Repo, last.Listed.Format("2006-01-02 15:04 MST"))
		return last.tags(), nil
	}
	pages, err := fetchTags(ctx, opt, last)
	if err != nil {
		return nil, err
	}
	if c != nil {
		if err := c.storeTags(opt.Repo, pages); err != nil {
			logf(opt.Log, "warning: caching the tag list: %v", err)
		}
	}
	return (&tagList{Pages: pages}).tags(), nil
}

// lastListing is the cached tag listing from opt's API, or nil.
func lastListing(c *cache, opt *Options) *tagList {
	if c == nil {
		return nil
	}
	l, err := c.loadTags(opt.Repo)
	if err != nil {
		logf(opt.Log, "warning: %v", err)
	}
	if l == nil || l.API != c.api {
		return nil
	}
	return l
}

// fetchTags lists the tags on GitHub, conditionally for the pages of last.
func fetchTags(ctx context.Context, opt *Options, last *tagList) ([]tagPage, error) {
	h, err := newHub(opt)
	if err != nil {
		return nil, err
	}
	var prev []tagPage
	if last != nil {
		prev = last.Pages
	}
	pages, err := h.tags(ctx, prev)
	if err != nil {
		return nil, err
	}
	logf(opt.Log, "listed %d tags of %s: %s", len((&tagList{Pages: pages}).tags()), opt.Repo, h.spent())
	return pages, nil
}

// addSeries marks the versions of flavor that have a series or pins, with
// their pinned commit. Folders whose name is not a valid ref are left out.
func addSeries(fsys fs.FS, flavor string, add func(string) *VersionInfo) error {
	c := catalog.New(fsys)
	entries, err := c.Entries(flavor)
	if err != nil {
		return err
	}
	for _, e := range entries {
		if validRef(e.Version) != nil {
			continue
		}
		commit, err := c.Commit(flavor, e.Version)
		if err != nil {
			return err
		}
		vi := add(e.Version)
		vi.HasSeries, vi.Pinned, vi.PinnedCommit = e.Series, e.Pinned, commit
	}
	return nil
}
