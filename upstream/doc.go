// Package upstream fetches the pristine bucardo and bucardo.schema of a Bucardo
// release and verifies them against pinned checksums.
//
// # Sources
//
// Fetch takes the files from GitHub (the default: the GitHub REST API of
// Options.Repo at Options.APIURL), from a release tarball (Options.From
// names a .tar.gz or .tgz file with a single top folder) or from a folder
// (Options.From names a checkout or an unpacked release). For a tarball or a
// folder the version is read from the script's `our $VERSION = '...';` line
// and must agree with Options.Version when both are given and
// Options.Version looks like a release number; a ref such as "master" may
// label the files of a checkout.
//
// # Pins
//
// A version is pinned when the patches tree (Options.Pins) holds
// <flavor>/<version>/checksums in sha256sum format. Files of a pinned version
// that do not match are refused whatever their source, with a
// *ChecksumError wrapping ErrChecksum, and never reach the cache. Files
// fetched from GitHub are also checked against GitHub's git blob SHA. An
// unpinned version needs Options.AllowUnpinned; catalog.ChecksumLines gives
// the lines to pin it. The patches tree is read through internal/catalog.
//
// A pinned version may pin its upstream commit too: <flavor>/<version>/commit,
// one line holding the full SHA (`git rev-parse 5.6.0^{commit}`). A GitHub tag
// that resolves to another commit was moved: Fetch returns a *CommitError
// wrapping ErrChecksum after that one request, before downloading the files.
// Files from a tarball or folder that match the checksums get the pinned
// commit as Release.Commit; a tarball whose pax header names another commit
// is refused. Of several pax global headers, the last one names the commit,
// also with Options.Early.
//
// # Requests and cache
//
// A cold fetch from GitHub makes three API requests: one resolves the ref to
// a commit, one per file reads it at that commit. Entries are cached under
// Options.CacheDir as github/<owner>/<name>/refs/<ref>/ holding both files
// and meta.json (API URL, commit, sha256 and blob SHA of each file), written
// to a temporary folder and renamed into place, and verified again on every
// read, against the pins too when the version is pinned; a corrupted entry
// is dropped and fetched again. A warm fetch of a pinned version or of a
// full commit SHA makes no request. Other refs (a branch, an unpinned tag)
// may move, so a warm fetch revalidates them with one conditional request
// and uses the cache when the commit is unchanged. An unpinned entry is used
// only with the API URL it came from. Offline, only the cache and local
// sources are used.
//
// Versions lists tags with one request per 100 and keeps the listing, with
// each page's ETag, in the cache: the next listing asks with If-None-Match
// and GitHub answers an unchanged page with 304 Not Modified, which does not
// count against the rate limit of an authorized request.
//
// Every request has a timeout; 5xx answers and broken connections are
// retried a few times with backoff; a rate limit (403 or 429) ends with a
// *RateLimitError that says when it resets. A token is sent over https, or
// over http only to a loopback address (a test server).
package upstream
