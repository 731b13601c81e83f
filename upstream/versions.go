package upstream

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"sort"
)

// VersionInfo describes one upstream tag or locally known version.
type VersionInfo struct {
	Version   string // tag or ref, e.g. "5.6.0"
	Commit    string // commit, when known (from the tag listing or the cache)
	Upstream  bool   // a tag in the repository (offline: in its last cached listing)
	HasSeries bool   // the patches tree has <flavor>/<version>/series
	Pinned    bool   // the patches tree has <flavor>/<version>/checksums
	Cached    bool   // the files are in the cache
}

// Versions lists the tags of opt.Repo together with the versions known
// locally (patches tree and cache), newest first: releases by number, then
// other tags and refs by name. Offline, or with opt.Offline, it lists what is
// known locally, including the last tag listing kept in the cache.
func Versions(ctx context.Context, opt Options) ([]VersionInfo, error) {
	if err := opt.defaults(); err != nil {
		return nil, err
	}
	known := map[string]*VersionInfo{}
	add := func(v string) *VersionInfo {
		if known[v] == nil {
			known[v] = &VersionInfo{Version: v}
		}
		return known[v]
	}
	tags, err := listTags(ctx, &opt)
	if err != nil {
		return nil, err
	}
	for _, t := range tags {
		vi := add(t.Name)
		vi.Upstream, vi.Commit = true, t.Commit
	}
	if err := addSeries(opt.Pins, opt.Flavor, add); err != nil {
		return nil, err
	}
	if c := opt.cache(); c != nil {
		for ref, commit := range c.cachedRefs(opt.Repo) {
			vi := add(ref)
			vi.Cached = true
			if vi.Commit == "" {
				vi.Commit = commit
			}
		}
	}
	return sorted(known), nil
}

// listTags asks GitHub, or offline reads the last listing from the cache.
func listTags(ctx context.Context, opt *Options) ([]tag, error) {
	c := opt.cache()
	if opt.Offline {
		if c == nil {
			return nil, nil
		}
		l, err := c.loadTags(opt.Repo)
		if errors.Is(err, fs.ErrNotExist) {
			return nil, nil
		}
		if err != nil {
			return nil, err
		}
		logf(opt.Log, "offline: tags of %s as listed on %s", opt.Repo, l.Listed.Format("2006-01-02 15:04 MST"))
		return l.Tags, nil
	}
	h, err := newHub(opt)
	if err != nil {
		return nil, err
	}
	tags, err := h.tags(ctx)
	if err != nil {
		return nil, err
	}
	logf(opt.Log, "listed %d tags of %s with %d API requests", len(tags), opt.Repo, h.requests.Load())
	if c != nil {
		if err := c.storeTags(opt.Repo, tags); err != nil {
			logf(opt.Log, "warning: caching the tag list: %v", err)
		}
	}
	return tags, nil
}

// addSeries marks the versions of flavor that have a series or pins.
func addSeries(fsys fs.FS, flavor string, add func(string) *VersionInfo) error {
	dirs, err := fs.ReadDir(fsys, flavor)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("reading the patches tree: %w", err)
	}
	for _, d := range dirs {
		if !d.IsDir() || validRef(d.Name()) != nil {
			continue
		}
		series := exists(fsys, flavor+"/"+d.Name()+"/series")
		pinned := exists(fsys, PinPath(flavor, d.Name()))
		if series || pinned {
			vi := add(d.Name())
			vi.HasSeries, vi.Pinned = series, pinned
		}
	}
	return nil
}

func exists(fsys fs.FS, name string) bool {
	_, err := fs.Stat(fsys, name)
	return err == nil
}

func sorted(known map[string]*VersionInfo) []VersionInfo {
	list := make([]VersionInfo, 0, len(known))
	for _, vi := range known {
		list = append(list, *vi)
	}
	sort.Slice(list, func(i, j int) bool { return newer(list[i].Version, list[j].Version) })
	return list
}
