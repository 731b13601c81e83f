package main

import (
	"errors"
	"fmt"
	"strings"

	"github.com/bcfork/bcfork/upstream"
)

const notPristineHint = "these are not the pristine files of that release; get them from another source (e.g. --from the release tarball) or check the pins in the patches tree"

// upstreamHints gives the next step after each of upstream's sentinel errors.
var upstreamHints = []struct {
	err  error
	hint string
}{
	{upstream.ErrChecksum, notPristineHint},
	{upstream.ErrUnpinned, "add --allow-unpinned to use the files unverified; bcfork then prints the checksums to pin them"},
	{upstream.ErrOffline, "run the same command once without --offline to fill the cache, or pass --from with a release tarball or folder"},
	{upstream.ErrNotFound, "`bcfork versions` lists the releases; --repo names a fork of Bucardo"},
	{upstream.ErrVersionMismatch, "leave out --version to take the script's, or use the tarball of the version you want"},
	{upstream.ErrUnsafeArchive, "use a release tarball as published (Bucardo-V.tar.gz, GitHub's tag tarball or Debian's bucardo_V.orig.tar.gz), or unpack it yourself and pass --from DIR"},
	{upstream.ErrUnreachable, "check the network or --github-api (BCFORK_GITHUB_API); --offline uses the cache, --from a release tarball"},
	{upstream.ErrTimeout, "check the network, or the API URL (--github-api, BCFORK_GITHUB_API); --offline uses the cache"},
	{upstream.ErrBadToken, "check GITHUB_TOKEN / BCFORK_GITHUB_TOKEN, or unset it"},
	{upstream.ErrTooLarge, "use --from with a release tarball"},
	{upstream.ErrCacheOwner, "as root, bcfork uses only a cache folder that root owns, as every folder above it, so no user can change it:\n" +
		"set BCFORK_CACHE_DIR to one (e.g. BCFORK_CACHE_DIR=/var/cache/bcfork), or add --no-cache"},
}

// upstreamHint gives the next step after getting the pristine files failed.
func upstreamHint(err error) string {
	var rl *upstream.RateLimitError
	var ce *upstream.ChecksumError
	var me *upstream.CommitError
	var fe *upstream.FlavorError
	var se *snapshotError
	switch {
	case errors.As(err, &se):
		return fmt.Sprintf("these are the files of %s, %s at a commit, whose script still says $VERSION = '%s': add --version %s (--version %s names it too)",
			se.snapshot, se.ref, se.version, se.snapshot, se.ref)
	case errors.As(err, &fe):
		return flavorHint(fe)
	case errors.As(err, &rl):
		return rateLimitHint(rl)
	case errors.As(err, &ce):
		return checksumHint(ce)
	case errors.As(err, &me):
		return commitHint(me)
	}
	for _, h := range upstreamHints {
		if errors.Is(err, h.err) {
			return h.hint
		}
	}
	return ""
}

func rateLimitHint(rl *upstream.RateLimitError) string {
	if !rl.Token && !rl.Secondary {
		return "set GITHUB_TOKEN (or BCFORK_GITHUB_TOKEN) to a GitHub token for 5000 requests an hour, or use --from with a release tarball"
	}
	return "wait until the limit resets, or use --from with a release tarball"
}

func flavorHint(fe *upstream.FlavorError) string {
	gen := "bcfork generate --flavor " + fe.Flavor + " --version V --from DIR (bcfork install --from then takes the folder it writes)"
	if fe.Flavor == "debian" {
		return "mkdir deb && cp /usr/bin/bucardo /usr/share/bucardo/bucardo.schema deb/ (/usr/bin/bucardo.distrib instead of /usr/bin/bucardo once bcfork has diverted it), then " + strings.Replace(gen, "DIR", "deb", 1)
	}
	return "copy that package's bucardo and bucardo.schema into a folder DIR, then " + gen
}

func commitHint(me *upstream.CommitError) string {
	if me.Tag != "" {
		return "upstream re-tagged the release; use --from with the release tarball, or, once you have checked the new commit, update " + me.Pin
	}
	return "the files match the pinned checksums, but the tarball was made from another commit; use the tarball of the pinned commit, or check " + me.Pin
}

func checksumHint(ce *upstream.ChecksumError) string {
	switch {
	case ce.Pin == "":
		return "GitHub's answer does not match its own blob SHA (damaged by a proxy or in transit?); try again, or use --from with a release tarball"
	case !strings.HasPrefix(ce.Pin, upstream.DefaultFlavor+"/"):
		return "these are not the packaged files of that version: compare `dpkg -s bucardo` with --version, check for local edits with `dpkg --verify bucardo`, or take the package's own files (apt-get download bucardo; dpkg-deb -x)"
	case strings.HasPrefix(ce.Source, "dir "):
		return "these are not the pristine files of that release; if the folder is a checkout of another ref (master still says 5.6.0), name it: --version master --allow-unpinned"
	}
	return notPristineHint
}
