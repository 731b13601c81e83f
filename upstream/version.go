package upstream

import (
	"fmt"
	"strings"

	"github.com/bcfork/bcfork/internal/bucardo"
	"github.com/bcfork/bcfork/internal/lazyre"
)

var (
	releaseRE  = lazyre.New(`^[0-9]+(\.[0-9]+)+$`)
	refCharsRE = lazyre.New(`^[A-Za-z0-9._/+-]+$`)
	repoRE     = lazyre.New(`^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$`)
	flavorRE   = lazyre.New(`^[a-z0-9][a-z0-9_-]*$`)
)

// isRelease reports whether v looks like a release number, e.g. "5.6.0".
func isRelease(v string) bool { return releaseRE().MatchString(v) }

// validRef accepts tags, branches and commits that are safe as path parts:
// letters, digits and ._/+- without "..", "//" or a leading "-", "." or "/",
// at most 200 characters. A refused ref is quoted cut to 60 characters.
func validRef(ref string) error {
	switch {
	case ref == "" || len(ref) > 200 || !refCharsRE().MatchString(ref),
		strings.Contains(ref, ".."), strings.Contains(ref, "//"),
		strings.HasPrefix(ref, "-"), strings.HasPrefix(ref, "."), strings.HasPrefix(ref, "/"),
		strings.HasSuffix(ref, "/"), strings.HasSuffix(ref, "."), strings.Contains(ref, "/."):
		return fmt.Errorf("%w: version or ref %.60q%s", ErrInvalid, ref, longBy(ref, 60))
	}
	return nil
}

// ValidVersion refuses a version or ref that is not safe as a path part
// (see Options.Version), with an error matching ErrInvalid.
func ValidVersion(v string) error { return validRef(v) }

// longBy says how long s is when a message shows only its first n characters.
func longBy(s string, n int) string {
	if len([]rune(s)) <= n {
		return ""
	}
	return fmt.Sprintf(" (cut; %d characters)", len([]rune(s)))
}

// ValidFlavor accepts flavor names that are safe as a folder of the patches
// tree: lower case letters, digits, '_' and '-', not starting with '_' or '-'.
func ValidFlavor(flavor string) error {
	if len(flavor) > 64 || !flavorRE().MatchString(flavor) {
		return fmt.Errorf("%w: flavor %q", ErrInvalid, flavor)
	}
	return nil
}

func validRepo(repo string) error {
	owner, name, _ := strings.Cut(repo, "/")
	if !repoRE().MatchString(repo) || strings.Contains(repo, "..") || owner == "." || name == "." {
		return fmt.Errorf("%w: repository %q, want OWNER/NAME", ErrInvalid, repo)
	}
	return nil
}

// scriptVersion reads $VERSION from the bucardo script.
func scriptVersion(script []byte) (string, error) {
	v := bucardo.Version(script)
	if v == "" {
		return "", fmt.Errorf("no `our $VERSION = '...';` line in %q", bucardo.Script)
	}
	if err := validRef(v); err != nil {
		return "", fmt.Errorf("%s says $VERSION is %q: not a usable version", bucardo.Script, v)
	}
	return v, nil
}

// agreeVersion picks the version of local files of flavor: the one asked
// for, whose release must be the script's when it is a release number, else
// the script's. For the upstream flavor the release is the version itself;
// for another (a distribution's package) it is the upstream part before the
// first '-': 5.6.0-4 is release 5.6.0.
func agreeVersion(flavor, asked, found string) (string, error) {
	release := asked
	if flavor != DefaultFlavor {
		release, _, _ = strings.Cut(asked, "-")
	}
	switch {
	case asked == "":
		return found, nil
	case release == found:
		return asked, nil
	case isRelease(release):
		return "", fmt.Errorf("%w: asked for %s, but %s says $VERSION is %s", ErrVersionMismatch, asked, bucardo.Script, found)
	}
	return asked, nil // a ref such as "master" labels the files of a checkout
}
