package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"slices"
	"strings"

	"github.com/bcfork/bcfork/internal/catalog"
	"github.com/bcfork/bcfork/internal/version"
	"github.com/bcfork/bcfork/patches"
	"github.com/bcfork/bcfork/upstream"
	"github.com/urfave/cli/v2"
)

const notPristineHint = "these are not the pristine files of that release: check the pins in the patches tree, or take the files from another source"

// upstreamHints gives the next step after each of upstream's sentinel
// errors that needs nothing of the command line.
var upstreamHints = []struct {
	err  error
	hint string
}{
	{upstream.ErrChecksum, notPristineHint},
	{upstream.ErrNotFound, "`bcfork versions` lists the releases; --repo names a fork of Bucardo"},
	{upstream.ErrVersionMismatch, "leave out --version to take the script's, or use the tarball of the version you want"},
	{upstream.ErrUnsafeArchive, "use a release tarball as published (Bucardo-V.tar.gz, GitHub's tag tarball or Debian's bucardo_V.orig.tar.gz), or unpack it yourself and pass --from DIR"},
	{upstream.ErrBadToken, "check GITHUB_TOKEN / BCFORK_GITHUB_TOKEN, or unset it"},
	{upstream.ErrCacheOwner, "as root, bcfork uses only a cache folder that root owns, as every folder above it, so no user can change it:\n" +
		"set BCFORK_CACHE_DIR to one (e.g. BCFORK_CACHE_DIR=/var/cache/bcfork), or add --no-cache"},
}

// side names the flags that pick the files a hint is about: for most
// commands --flavor, --version and --from; for rebase, OLD's
// (--old-flavor, --version, --from-old) or NEW's (--flavor, --onto,
// --from).
type side struct {
	flavor, version, from string
	name                  string // OLD or NEW for rebase, else ""
	files                 string // the version whose files were asked for (routeVersion), once known
	commit                string // the commit pinned for it, when its tag was moved
}

var (
	filesSide = side{flavor: "flavor", version: "version", from: "from"}
	oldSide   = side{flavor: "old-flavor", version: "version", from: "from-old", name: "OLD"}
	newSide   = side{flavor: "flavor", version: "onto", from: "from", name: "NEW"}
)

// sideOf is the side of the command line c that upstreamHint speaks of:
// for rebase NEW's, since rebaseHint answers the errors about OLD's files
// (with upstreamHintFor and oldSide).
func sideOf(c call) side {
	if c.name() == "rebase" {
		return newSide
	}
	return filesSide
}

// upstreamHint gives the next step after getting the pristine files failed.
func upstreamHint(err error, c call) string {
	return upstreamHintFor(err, c, sideOf(c))
}

// upstreamHintFor gives the next step after getting the files of side s
// of the command line c failed.
func upstreamHintFor(err error, c call, s side) string {
	s.files = routeVersion(err, c, s)
	var (
		rl *upstream.RateLimitError
		ce *upstream.ChecksumError
		me *upstream.CommitError
		fe *upstream.FlavorError
		se *snapshotError
		ie *inputError
	)
	switch {
	case errors.As(err, &se):
		return snapshotHint(se, c)
	case errors.As(err, &fe):
		return flavorHint(fe, c, s)
	case errors.As(err, &rl):
		return rateLimitHint(rl, c, s)
	case errors.As(err, &ie) && ie.known():
		return ie.hint(c)
	case errors.As(err, &ce):
		return checksumHint(ce, c, s)
	case errors.As(err, &me):
		return commitHint(me, c, s)
	}
	if h := sourceHint(err, c, s); h != "" {
		return h
	}
	for _, h := range upstreamHints {
		if errors.Is(err, h.err) {
			return h.hint
		}
	}
	return ""
}

// snapshotHint names the snapshot series whose files these are. It offers
// --version REF (master) only when that names the series in the patches
// tree and flavor c reads: with several snapshots of REF, --version REF is
// refused as ambiguous.
func snapshotHint(se *snapshotError, c call) string {
	h := fmt.Sprintf("these are the files of %s, %s at a commit, whose script still says $VERSION = '%s': add --version %s",
		se.snapshot, se.ref, se.version, se.snapshot)
	if resolvesTo(c, se.ref, se.snapshot) {
		h += fmt.Sprintf(" (--version %s names it too)", se.ref)
	}
	return h
}

// resolvesTo reports whether --version ref names version alone in the
// patches tree and flavor of the command line c, as the catalog resolves it.
func resolvesTo(c call, ref, version string) bool {
	tree, err := sourceOptions{Patches: c.value("patches")}.patchesTree()
	if err != nil {
		return false
	}
	flavor := c.value("flavor")
	if flavor == "" {
		flavor = upstream.DefaultFlavor
	}
	v, err := catalog.New(tree).Resolve(flavor, ref)
	return err == nil && v == version
}

// sourceHint gives the next step when the files could not be had as
// asked: the network, the cache, the routes that need no GitHub, or the
// opt-in for files without pins.
func sourceHint(err error, c call, s side) string {
	switch {
	case errors.Is(err, upstream.ErrUnreachable), errors.Is(err, upstream.ErrTimeout):
		return "check the network, or the API URL (--github-api, BCFORK_GITHUB_API)\n" + offlineRoutes(c, s)
	case errors.Is(err, upstream.ErrOffline):
		again := c.line([]string{"offline"})
		if os.Getenv("BCFORK_OFFLINE") != "" {
			again = "BCFORK_OFFLINE= " + again
		}
		return fmt.Sprintf("run `%s` once to fill the cache\n%s", again, offlineRoutes(c, s))
	case errors.Is(err, upstream.ErrTooLarge):
		return "GitHub's API serves files up to 1 MB only\n" + offlineRoutes(c, s)
	case errors.Is(err, upstream.ErrUnpinned) && c.has("allow-unpinned"):
		return fmt.Sprintf("`%s` uses the files unverified; bcfork then prints the checksums to pin them", c.line([]string{"allow-unpinned"}, "--allow-unpinned"))
	}
	return ""
}

// sourceFlagNames are the flags that pick the pristine files.
var sourceFlagNames = []string{"version", "flavor", "from", "repo", "github-api", "offline", "no-cache", "allow-unpinned", "patches"}

// offlineRoutes names the ways to the files of side s of the command c
// without GitHub's API, those of the version asked for (s.files): for a
// release Debian shipped, Debian's copy of its tarball and, if bcfork has
// a debian series of it, the files of Debian's installed package; for
// another release, its own tarball; for a branch, a snapshot or a
// commit, a checkout or GitHub's tarball of it. Never the files of
// another version. Commands are quoted to work as typed for the command
// c ran; rebase names each side's flag instead (rebaseRoute).
func offlineRoutes(c call, s side) string {
	switch c.name() {
	case "versions":
		return "`bcfork versions --offline` lists the versions known here: the patches tree, the cache and the last listing"
	case "watch":
		return "`--mirror GITDIR` reads a local clone or mirror of bucardo/bucardo instead of GitHub: git clone --mirror it where there is network, git fetch it to update"
	case "rebase":
		return rebaseRoute(c, s)
	}
	v := s.files
	if f := sideFlavor(c, s); f != catalog.Upstream {
		return flavorHint(&upstream.FlavorError{Flavor: f}, c, s)
	}
	if !debianReleased(v) {
		return "without GitHub's API, " + ownRoute(c, s, v)
	}
	tarball := "bucardo_" + v + ".orig.tar.gz"
	debian := fmt.Sprintf("Debian's copy of the release tarball: %s, then `%s`", aptSource(v), fromSource(c, s, v, "--from", tarball))
	deb := debianVersion(patchesOf(c), v)
	if deb == "" {
		return "without GitHub's API, " + debian
	}
	return fmt.Sprintf("without GitHub, either of two routes works:\n%s\n"+
		"on a Debian host with the bucardo package installed, its own files (flavor debian): `%s`",
		debian, fromSource(c, s, deb, "--flavor", catalog.Debian, "--version", deb, "--from", "/"))
}

// aptSource says how apt downloads Debian's orig tarball of upstream
// release v. Without a version apt-get source fetches the one the Debian
// release in the apt sources ships, which may be another, so it asks for
// a Debian version of v (pkg=version): the newest with a built-in debian
// series, else one apt-cache showsrc lists.
func aptSource(v string) string {
	tarball := "bucardo_" + v + ".orig.tar.gz"
	if deb := debianVersion(patches.FS, v); deb != "" {
		return fmt.Sprintf("`apt-get source --download-only bucardo=%s` (with a deb-src line in the apt sources; `apt-cache showsrc bucardo` lists the versions there) downloads %s", deb, tarball)
	}
	return fmt.Sprintf("`apt-get source --download-only bucardo=VERSION`, VERSION a Debian version of %s that `apt-cache showsrc bucardo` lists (with a deb-src line in the apt sources), downloads %s", v, tarball)
}

// debianVersion is the newest Debian version of upstream release v that
// has a debian series in the patches tree (5.6.0-4 for 5.6.0 in bcfork's
// own); "" when none has.
func debianVersion(tree fs.FS, v string) string {
	vs, _ := catalog.New(tree).Versions(catalog.Debian)
	for _, deb := range vs {
		if up, _, _ := strings.Cut(deb, "-"); up == v {
			return deb
		}
	}
	return ""
}

// rebaseRoute says where side s of the rebase c gets its files without
// GitHub's API, given to its flag (--from-old for OLD, --from for NEW):
// for a release Debian shipped, Debian's copy of its tarball; else as
// ownRoute says.
func rebaseRoute(c call, s side) string {
	if f := sideFlavor(c, s); f != catalog.Upstream {
		return flavorHint(&upstream.FlavorError{Flavor: f}, c, s)
	}
	if v := s.files; debianReleased(v) {
		return fmt.Sprintf("--%s reads %s's files from a release tarball or folder instead, e.g. Debian's copy of the release tarball: %s",
			s.from, s.name, aptSource(v))
	}
	return ownRoute(c, s, s.files)
}

// ownRoute says where side s of the command c gets the files of version
// v, of which Debian ships no tarball, given to its --from (for rebase,
// the side's flag): for a release, its own tarball (GitHub's of the tag,
// or of the pinned commit once the tag was moved: s.commit); for a
// branch, a snapshot or a commit, which no release tarball holds, a
// checkout or GitHub's tarball of it.
func ownRoute(c call, s side, v string) string {
	repo := c.value("repo")
	if repo == "" {
		repo = upstream.DefaultRepo
	}
	who := v
	if s.name != "" {
		who = fmt.Sprintf("%s (%s)", s.name, v)
	}
	tag, ref := "the tag", "refs/tags/"+v
	if s.commit != "" {
		tag, ref = "the pinned commit", s.commit
	}
	switch {
	case version.IsRelease(v) && s.name != "":
		return fmt.Sprintf("--%s reads %s's files from a release tarball or folder instead, e.g. the release's Bucardo-%s.tar.gz or GitHub's tarball of %s, https://github.com/%s/archive/%s.tar.gz",
			s.from, s.name, v, tag, repo, ref)
	case version.IsRelease(v):
		return fmt.Sprintf("a release tarball or folder of %s works, e.g. GitHub's tarball of %s: `curl -LO https://github.com/%s/archive/%s.tar.gz`, then `%s`",
			v, tag, repo, ref, fromSource(c, s, v, "--from", path.Base(ref)+".tar.gz"))
	}
	commit := v
	if _, short, ok := catalog.CutSnapshot(v); ok {
		commit = short
	}
	if commit != v || version.IsCommit(v) {
		return fmt.Sprintf("%s is no release, and no release tarball holds its files: give --%s a checkout of commit %s (`git clone https://github.com/%s && git -C %s checkout %s`, then --%s %s) or GitHub's tarball of it, https://github.com/%s/archive/%s.tar.gz",
			who, s.from, commit, repo, path.Base(repo), commit, s.from, path.Base(repo), repo, commit)
	}
	return fmt.Sprintf("%s is no release, and no release tarball holds its files: give --%s a checkout of that branch (`git clone --branch %s https://github.com/%s`, then --%s %s) or GitHub's tarball of it, https://github.com/%s/archive/refs/heads/%s.tar.gz",
		who, s.from, v, repo, s.from, path.Base(repo), repo, v)
}

// sideFlavor is the flavor of side s of the command line c: its flavor
// flag's, else (for rebase's OLD) --flavor's, else upstream.
func sideFlavor(c call, s side) string {
	for _, name := range []string{s.flavor, "flavor"} {
		if f := c.value(name); f != "" {
			return f
		}
	}
	return catalog.Upstream
}

// debianReleased reports whether Debian ships an orig tarball of the
// upstream version v: a release (not a branch, snapshot or commit) whose
// series is in bcfork's patches tree, all of which Debian packaged.
func debianReleased(v string) bool {
	if !version.IsRelease(v) || strings.Contains(v, "-") {
		return false
	}
	_, err := catalog.New(patches.FS).Series(catalog.Upstream, v)
	return err == nil
}

// fromSource is the command c ran, taking side s's files from the source
// flags src instead; for install, which takes a fork folder, generate and
// then install the fork of version v, both with c's --patches: generate
// applies its series, install derives the fork again from it.
func fromSource(c call, s side, v string, src ...string) string {
	drop := []string{s.version, s.flavor, s.from, "offline", "allow-unpinned"}
	if c.name() != "install" {
		return c.line(drop, src...)
	}
	keep := slices.DeleteFunc(slices.Clone(sourceFlagNames), func(n string) bool { return n == "patches" })
	return as(c, "generate").line(drop, src...) + " && " + c.line(keep, "--from", "bcfork-"+v)
}

// routeVersion is the version whose files side s of the command line c
// asked for, which the routes in the hints are to: the one the command
// resolved (a *filesError's; for install without --version, the host's
// release), else the one whose pins the files failed, else the side's
// version flag (a branch as its series in the patches tree, but for
// fetch and rebase's NEW), else the newest series in the patches tree.
func routeVersion(err error, c call, s side) string {
	var (
		fe *filesError
		ce *upstream.ChecksumError
	)
	switch {
	case errors.As(err, &fe) && fe.version != "":
		return fe.version
	case errors.As(err, &ce) && ce.Pin != "":
		return path.Base(path.Dir(ce.Pin))
	}
	cat := catalog.New(patchesOf(c))
	v := c.value(s.version)
	if v == "" {
		v, _ = cat.Newest(catalog.Upstream)
	} else if r, err := cat.Resolve(catalog.Upstream, v); err == nil && s.name != newSide.name && c.name() != "fetch" {
		v = r // fetch's --version master and NEW's --onto master are the branch, not a series
	}
	if v == "" {
		v = newest(catalog.Upstream, "5.6.0")
	}
	return v
}

// patchesOf is the patches tree of the command line c: its --patches, else
// (or when that is no folder) bcfork's own.
func patchesOf(c call) fs.FS {
	tree, err := sourceOptions{Patches: c.value("patches")}.patchesTree()
	if err != nil {
		return patches.FS
	}
	return tree
}

// newest is the newest version of flavor with a built-in series, else def.
func newest(flavor, def string) string {
	v, err := catalog.New(patches.FS).Newest(flavor)
	if err != nil || v == "" {
		return def
	}
	return v
}

func rateLimitHint(rl *upstream.RateLimitError, c call, s side) string {
	if !rl.Token && !rl.Secondary {
		return "set GITHUB_TOKEN (or BCFORK_GITHUB_TOKEN) to a GitHub token for 5000 requests an hour\n" + offlineRoutes(c, s)
	}
	return "wait until the limit resets\n" + offlineRoutes(c, s)
}

// flavorHint says where the files of a flavor other than upstream come
// from: for debian, the package's own files, found with --from / (for
// rebase, the flag of side s).
func flavorHint(fe *upstream.FlavorError, c call, s side) string {
	if fe.Flavor != catalog.Debian {
		return fmt.Sprintf("copy that package's bucardo and bucardo.schema into a folder DIR, then bcfork generate --flavor %s --version V --from DIR (bcfork install --from then takes the folder it writes)", fe.Flavor)
	}
	v := c.value(s.version)
	if v == "" {
		v = newest(catalog.Debian, "5.6.0-4")
	}
	return fmt.Sprintf("with Debian's bucardo package installed, `%s` reads its files where it put them: /usr/bin/bucardo (or /usr/bin/bucardo.distrib once bcfork has diverted it) and /usr/share/bucardo/bucardo.schema; a folder holding copies of both works too",
		fromSource(c, s, v, "--"+s.flavor, catalog.Debian, "--"+s.version, v, "--"+s.from, "/"))
}

func commitHint(me *upstream.CommitError, c call, s side) string {
	if me.Tag != "" {
		s.commit = me.Want // GitHub's tarball of the tag is of the new commit
		return "upstream re-tagged the release; once you have checked the new commit, update " + me.Pin + "\n" + offlineRoutes(c, s)
	}
	return "the files match the pinned checksums, but the tarball was made from another commit; use the tarball of the pinned commit, or check " + me.Pin
}

func checksumHint(ce *upstream.ChecksumError, c call, s side) string {
	switch {
	case ce.Pin == "":
		return "GitHub's answer does not match its own blob SHA (damaged by a proxy or in transit?); try again\n" + offlineRoutes(c, s)
	case !strings.HasPrefix(ce.Pin, upstream.DefaultFlavor+"/"):
		return "these are not the packaged files of that version: compare `dpkg -s bucardo` with --version, check for local edits with `dpkg --verify bucardo`, or take the package's own files (apt-get download bucardo; dpkg-deb -x)"
	case strings.HasPrefix(ce.Source, "dir ") && c.has("allow-unpinned") && c.name() != "rebase":
		return checkoutHint(c)
	}
	return notPristineHint + "\n" + offlineRoutes(c, s)
}

// checkoutHint follows files read from a folder that fail the pins of the
// release their script names and are of no series in the patches tree
// (snapshotHint names the one they are of): a checkout of another ref.
// fetch takes --version master as the label of such files, in any tree.
// The commands that need a series resolve --version master to one (whose
// pins these files fail too), find it ambiguous (several master-* series)
// or find none, so they are offered that fetch instead, which prints the
// checksums to pin.
func checkoutHint(c call) string {
	label := []string{"--version", "master", "--allow-unpinned"}
	if c.name() == "fetch" {
		return fmt.Sprintf("these are not the pristine files of that release; if the folder is a checkout of another ref (master still says 5.6.0), name it: `%s`",
			c.line([]string{"version", "allow-unpinned"}, label...))
	}
	return fmt.Sprintf("these are not the pristine files of that release, nor of any series in the patches tree; if the folder is a checkout of another ref (master still says 5.6.0), it needs a series of its own, which bcfork rebase carries onto it: `%s` reads it as master's and prints the checksums to pin",
		as(c, "fetch").line([]string{"version", "allow-unpinned"}, label...))
}

// as is the command line c as bcfork command name: with the flags of c
// that it has, and their values.
func as(c call, name string) call {
	f := call{app: c.app, cmd: c.app.Command(name), path: name}
	c.walk(func(fl cli.Flag, arg []string) {
		if fl != nil && f.has(fl.Names()[0]) {
			f.args = append(f.args, arg...)
		}
	})
	return f
}

// ambiguousHint says how to name one of the series --version REF could mean.
func ambiguousHint(amb *catalog.AmbiguousError, c call) string {
	h := "name the series: `" + c.line([]string{"version"}, "--version", amb.Snapshots[0]) + "`"
	for _, s := range amb.Snapshots[1:] {
		h += ", or --version " + s
	}
	return h
}
