// Package watch compares upstream's releases and branch heads with the
// series a patches tree ships, and tries the canonical series on what is
// new: a rebase that is run but not written.
package watch

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"slices"

	"github.com/bcfork/bcfork/generator"
	"github.com/bcfork/bcfork/internal/bucardo"
	"github.com/bcfork/bcfork/internal/catalog"
	"github.com/bcfork/bcfork/internal/version"
	"github.com/bcfork/bcfork/patch"
	"github.com/bcfork/bcfork/rebase"
	"github.com/bcfork/bcfork/upstream"
)

// Upstream is where watch reads upstream's refs and files: upstream.GitHub
// or upstream.Mirror.
type Upstream interface {
	Tags(ctx context.Context) ([]upstream.Tag, error)
	Head(ctx context.Context, branch string) (string, error)
	Files(ctx context.Context, ref string) (map[string][]byte, error)
	Commits(ctx context.Context, from, to string) (int, error) // -1 when not known
}

// Options says what to compare.
type Options struct {
	Pins     fs.FS    // the patches tree
	Branches []string // branches to watch besides those with a snapshot series (master-d9919c8)
}

// Report is what Check found.
type Report struct {
	Canonical string   // the series tried on what is new: the newest release with one
	Shipped   []string // the versions of flavor upstream with a series
	New       []*New   // new releases, then branches that moved
}

// Carries reports whether the canonical series carries onto everything new.
func (r *Report) Carries() bool {
	for _, n := range r.New {
		if !n.Carries() {
			return false
		}
	}
	return true
}

// New is a release without a series, newer than every release with one,
// or a branch whose head is not the commit of its snapshot series.
type New struct {
	Ref      string // a tag (5.7.0) or a branch (master)
	Branch   bool
	Commit   string // what Ref points at
	Since    string // a branch: the commit of its newest snapshot series; "" when it has none
	Snapshot string // a branch: that series (master-d9919c8)
	Commits  int    // a branch: commits from Since to Commit; -1 when not known

	Carried  []rebase.Carried      // how the canonical series carries, when it does
	Conflict *rebase.ConflictError // where it stops, when it does not
	Err      error                 // why it could not be tried
}

// Carries reports whether the canonical series carries onto n.
func (n *New) Carries() bool { return n.Conflict == nil && n.Err == nil }

// Check lists what upstream has that the patches tree has no series for,
// and carries the canonical series onto each, in memory.
func Check(ctx context.Context, up Upstream, opt Options) (*Report, error) {
	cat := catalog.New(opt.Pins)
	shipped, err := cat.Versions(catalog.Upstream)
	if err != nil {
		return nil, err
	}
	rep := &Report{Shipped: shipped}
	for _, v := range shipped {
		if version.IsRelease(v) {
			rep.Canonical = v
			break
		}
	}
	if rep.Canonical == "" {
		return nil, fmt.Errorf("watching: the patches tree has no series for a release of %s", catalog.Upstream)
	}
	if err := rep.releases(ctx, up); err != nil {
		return nil, err
	}
	if err := rep.branches(ctx, up, cat, opt.Branches); err != nil {
		return nil, err
	}
	return rep, rep.try(ctx, up, cat)
}

// releases adds the release tags newer than the newest release shipped.
func (rep *Report) releases(ctx context.Context, up Upstream) error {
	tags, err := up.Tags(ctx)
	if err != nil {
		return fmt.Errorf("watching: %w", err)
	}
	for _, t := range tags {
		if version.IsRelease(t.Name) && version.Newer(t.Name, rep.Canonical) && !slices.Contains(rep.Shipped, t.Name) {
			rep.New = append(rep.New, &New{Ref: t.Name, Commit: t.Commit, Commits: -1})
		}
	}
	slices.SortFunc(rep.New, func(a, b *New) int { return version.Compare(b.Ref, a.Ref) })
	return nil
}

// branches adds the branches whose head is not their snapshot's commit:
// those with a snapshot series, and those asked for.
func (rep *Report) branches(ctx context.Context, up Upstream, cat *catalog.Catalog, asked []string) error {
	snaps := map[string]string{} // branch → its snapshot series
	var names []string
	for _, v := range rep.Shipped {
		if ref, ok := catalog.SnapshotRef(v); ok && snaps[ref] == "" {
			snaps[ref] = v
			names = append(names, ref)
		}
	}
	for _, b := range asked {
		if !slices.Contains(names, b) {
			names = append(names, b)
		}
	}
	for _, b := range names {
		head, err := up.Head(ctx, b)
		if err != nil {
			return fmt.Errorf("watching: %w", err)
		}
		n := &New{Ref: b, Branch: true, Commit: head, Snapshot: snaps[b], Commits: -1}
		if n.Snapshot != "" {
			if n.Since, err = cat.Commit(catalog.Upstream, n.Snapshot); err != nil {
				return err
			}
		}
		if n.Since == head {
			continue
		}
		if n.Since != "" {
			if n.Commits, err = up.Commits(ctx, n.Since, head); err != nil {
				return fmt.Errorf("watching: %w", err)
			}
		}
		rep.New = append(rep.New, n)
	}
	return nil
}

// try carries the canonical series onto each new release or head.
func (rep *Report) try(ctx context.Context, up Upstream, cat *catalog.Catalog) error {
	if len(rep.New) == 0 {
		return nil
	}
	s, err := cat.Series(catalog.Upstream, rep.Canonical)
	if err != nil {
		return err
	}
	old, err := pinned(ctx, up, cat, rep.Canonical)
	if err != nil {
		return err
	}
	for _, n := range rep.New {
		n.try(ctx, up, s, old)
	}
	return nil
}

// pinned reads the files of a release and checks them against its pins.
func pinned(ctx context.Context, up Upstream, cat *catalog.Catalog, v string) (map[string][]byte, error) {
	files, err := up.Files(ctx, v)
	if err != nil {
		return nil, fmt.Errorf("watching: the files of %s: %w", v, err)
	}
	sums, err := cat.Pins(catalog.Upstream, v)
	if err != nil {
		return nil, err
	}
	for _, n := range bucardo.Names {
		if sums == nil || generator.SHA256(files[n]) != sums[n] {
			return nil, fmt.Errorf("watching: upstream's %s of %s is not the one pinned in %s", n, v, catalog.ChecksumsPath(catalog.Upstream, v))
		}
	}
	return files, nil
}

func (n *New) try(ctx context.Context, up Upstream, s *patch.Series, old map[string][]byte) {
	files, err := up.Files(ctx, n.Commit)
	if err != nil {
		n.Err = err
		return
	}
	r := &rebase.Rebase{Series: s, Old: old, New: files}
	err = r.Run()
	if err == nil {
		err = r.Verify()
	}
	var ce *rebase.ConflictError
	switch {
	case errors.As(err, &ce):
		n.Carried, n.Conflict = r.Done, ce
	case err != nil:
		n.Err = err
	default:
		n.Carried = r.Done
	}
}
