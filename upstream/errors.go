package upstream

import (
	"errors"
	"fmt"
	"time"
)

// Sentinel errors for outcomes the caller may act on; match them with errors.Is.
var (
	// ErrChecksum means a file does not match its pin or its git blob SHA,
	// or the commit does not match its pin: it is not the pristine release.
	// *ChecksumError and *CommitError wrap it.
	ErrChecksum = errors.New("checksum mismatch")
	// ErrUnpinned means the version has no checksums in the patches tree and
	// Options.AllowUnpinned is not set.
	ErrUnpinned = errors.New("version is not pinned")
	// ErrOffline means something needed is neither cached nor local.
	ErrOffline = errors.New("not available offline")
	// ErrNotFound means the repository has no such tag, branch, commit or file.
	ErrNotFound = errors.New("not found upstream")
	// ErrVersionMismatch means the version asked for is not the version the
	// script says it is.
	ErrVersionMismatch = errors.New("version does not match the files")
	// ErrUnsafeArchive means a tarball holds links, absolute or ".." paths,
	// absurd sizes or other entries bcfork refuses to read.
	ErrUnsafeArchive = errors.New("unsafe archive")
	// ErrTimeout means the GitHub API did not answer within Options.Timeout.
	ErrTimeout = errors.New("no answer in time")
	// ErrUnreachable means the GitHub API could not be reached (DNS, refused connection).
	ErrUnreachable = errors.New("cannot reach the GitHub API")
	// ErrBadToken means GitHub refused the token (401).
	ErrBadToken = errors.New("GitHub refused the token")
	// ErrTooLarge means a file is too large for GitHub's contents API
	// (1 MB): it can be read only from a release tarball or a folder.
	ErrTooLarge = errors.New("too large for GitHub's contents API (1 MB)")
	// ErrInvalid means an option is malformed (version, repository, API URL,
	// flavor), or asks GitHub for the files of a flavor it has not (*FlavorError).
	ErrInvalid = errors.New("invalid option")
)

// FlavorError reports a flavor other than upstream asked of GitHub: its
// files (a distribution's package) come only from a local source.
type FlavorError struct {
	Flavor string // e.g. "debian"
}

// packagers names the distribution of a flavor, for FlavorError.
var packagers = map[string]string{"debian": "Debian"}

func (e *FlavorError) Error() string {
	return fmt.Sprintf("flavor %s: the files come from the %s package, not from GitHub", e.Flavor, e.Packager())
}

// Packager names who packages the flavor's files, e.g. "Debian".
func (e *FlavorError) Packager() string {
	if who := packagers[e.Flavor]; who != "" {
		return who
	}
	return e.Flavor
}

func (e *FlavorError) Unwrap() error { return ErrInvalid }

// SourceError reports a local source (Options.From) that cannot be read.
type SourceError struct {
	Path string // Options.From
	Err  error  // why, e.g. syscall.ENOENT
}

func (e *SourceError) Error() string { return fmt.Sprintf("reading %q: %v", e.Path, e.Err) }

func (e *SourceError) Unwrap() error { return e.Err }

// ReleaseFolderError reports a source folder that holds no bucardo script
// but holds one release folder that does: the parent of an unpacked
// release tarball.
type ReleaseFolderError struct {
	Dir     string // the folder given
	Release string // the release folder in it, e.g. "src/Bucardo-5.6.0"
}

func (e *ReleaseFolderError) Error() string {
	return fmt.Sprintf("folder %q holds no bucardo script, but its release folder %s does", e.Dir, e.Release)
}

// ChecksumError reports a file whose checksum is not the expected one.
type ChecksumError struct {
	File   string // "bucardo" or "bucardo.schema"
	Algo   string // "sha256" or "git blob"
	Want   string // expected, hex
	Got    string // actual, hex
	Source string // where the file came from, e.g. "github bucardo/bucardo@5.6.0"
	Pin    string // the pin file in the patches tree; "" when Want is GitHub's blob SHA
}

func (e *ChecksumError) Error() string {
	from := "GitHub's blob SHA"
	if e.Pin != "" {
		from = "pinned in " + e.Pin
	}
	return fmt.Sprintf("%v: %q from %s: expected %s %s (%s), actual %s",
		ErrChecksum, e.File, e.Source, e.Algo, e.Want, from, e.Got)
}

func (e *ChecksumError) Unwrap() error { return ErrChecksum }

// CommitError reports a release whose upstream commit is not the pinned
// one: a GitHub tag that was moved, or a tarball naming another commit.
type CommitError struct {
	Want   string // pinned commit
	Got    string // commit of the source
	Source string // e.g. "github bucardo/bucardo@5.6.0" or "tarball Bucardo-5.6.0.tar.gz"
	Pin    string // the commit pin in the patches tree
	Tag    string // the tag resolved on GitHub; "" for a tarball
}

func (e *CommitError) Error() string {
	what := "its pax header names another commit"
	if e.Tag != "" {
		what = fmt.Sprintf("tag %s was moved", e.Tag)
	}
	return fmt.Sprintf("%v: %s: %s: expected commit %s (pinned in %s), actual %s",
		ErrChecksum, e.Source, what, e.Want, e.Pin, e.Got)
}

func (e *CommitError) Unwrap() error { return ErrChecksum }

// RateLimitError reports that GitHub's API rate limit was hit.
type RateLimitError struct {
	Reset     time.Time // when requests are allowed again; zero when unknown
	Limit     int       // requests an hour; 0 when unknown
	Secondary bool      // GitHub's secondary (abuse) limit rather than the hourly one
	Token     bool      // whether a token was sent
}

func (e *RateLimitError) Error() string {
	kind := "rate limit"
	if e.Secondary {
		kind = "secondary rate limit"
	}
	msg := "GitHub API " + kind + " exceeded"
	if e.Limit > 0 {
		msg += fmt.Sprintf(" (%d requests an hour)", e.Limit)
	}
	switch {
	case e.Reset.IsZero():
		msg += "; it resets later"
	case time.Until(e.Reset) > 24*time.Hour: // GitHub's limits reset within the hour: a far reset is a broken answer
		msg += fmt.Sprintf("; GitHub says it resets at %s", e.Reset.UTC().Format(time.RFC3339))
	default:
		msg += fmt.Sprintf("; it resets at %s (%s)", e.Reset.Local().Format("2006-01-02 15:04:05 MST"), until(e.Reset))
	}
	if !e.Token && !e.Secondary {
		msg += "; a GitHub token raises the limit"
	}
	return msg
}

// until says briefly how long until t: "in 42m", "in 1h05m", "in 30s".
func until(t time.Time) string {
	d := time.Until(t)
	switch {
	case d <= 0:
		return "now"
	case d < time.Minute:
		return fmt.Sprintf("in %ds", int(d.Round(time.Second).Seconds()))
	case d < time.Hour:
		return fmt.Sprintf("in %dm", int(d.Round(time.Minute).Minutes()))
	}
	d = d.Round(time.Minute)
	return fmt.Sprintf("in %dh%02dm", int(d.Hours()), int(d.Minutes())%60)
}
