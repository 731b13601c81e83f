package main

import (
	"errors"

	"github.com/bcfork/bcfork/upstream"
)

func init() {
	exitMappers = append(exitMappers, upstreamExit)
	hinters = append(hinters, upstreamHint)
}

// upstreamExit maps upstream's errors to exit codes: 4 for a checksum that
// does not match, 2 for malformed options.
func upstreamExit(err error) int {
	switch {
	case errors.Is(err, upstream.ErrChecksum):
		return ExitChecksum
	case errors.Is(err, upstream.ErrInvalid):
		return ExitUsage
	}
	return 0
}

func upstreamHint(err error) string {
	var rl *upstream.RateLimitError
	switch {
	case errors.As(err, &rl) && !rl.Token && !rl.Secondary:
		return "set GITHUB_TOKEN (or BCFORK_GITHUB_TOKEN) to a GitHub token for 5000 requests an hour, or use --from with a release tarball"
	case errors.As(err, &rl):
		return "wait until the limit resets, or use --from with a release tarball"
	case errors.Is(err, upstream.ErrChecksum):
		return "these are not the pristine files of that release; get them from another source (e.g. --from the release tarball) or check the pins in the patches tree"
	case errors.Is(err, upstream.ErrUnpinned):
		return "add --allow-unpinned to use the files unverified; bcfork then prints the checksums to pin them"
	case errors.Is(err, upstream.ErrOffline):
		return "run `bcfork fetch --version V` once while online to fill the cache, or pass --from FILE.tar.gz|DIR"
	case errors.Is(err, upstream.ErrNotFound):
		return "`bcfork versions` lists the releases; --repo names a fork of Bucardo"
	case errors.Is(err, upstream.ErrVersionMismatch):
		return "leave out --version to take the script's, or use the tarball of the version you want"
	case errors.Is(err, upstream.ErrUnreachable):
		return "check the network or --github-api (BCFORK_GITHUB_API); --offline uses the cache, --from a release tarball"
	case errors.Is(err, upstream.ErrTimeout):
		return "check the network, or the API URL (--github-api, BCFORK_GITHUB_API); --offline uses the cache"
	case errors.Is(err, upstream.ErrBadToken):
		return "check GITHUB_TOKEN / BCFORK_GITHUB_TOKEN, or unset it"
	}
	return ""
}
