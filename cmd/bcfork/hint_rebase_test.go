package main

import (
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/bcfork/bcfork/upstream"
)

// offlineErrors are the source errors whose hint names the routes to the
// files without GitHub's API.
var offlineErrors = []error{
	fmt.Errorf("x: %w", upstream.ErrUnreachable),
	fmt.Errorf("x: %w", upstream.ErrTimeout),
	fmt.Errorf("x: %w", upstream.ErrOffline),
	fmt.Errorf("x: %w", upstream.ErrTooLarge),
	&upstream.RateLimitError{Token: true},
}

var (
	bareFrom = regexp.MustCompile(`--from([^-]|$)`)
	origTar  = regexp.MustCompile(`bucardo_[^ ]*\.orig\.tar\.gz`)
)

// TestRebaseHintsNameEachSide: after failing to get OLD's files (an
// *oldFilesError) or NEW's, the rebase hints name that side's flag
// (--from-old, --from) and never the other's; name Debian's orig tarball
// of that side's version when it is a release Debian shipped, and none
// for a branch, a snapshot or a commit, saying where their files come
// from instead; and work as typed (checkHint).
func TestRebaseHintsNameEachSide(t *testing.T) {
	app := newApp(nil, nil)
	for _, tc := range []struct {
		old, onto string
		oldTar    string // Debian's orig tarball of OLD, "" for none
		newTar    string // of NEW
		oldRoute  string // what OLD's route says when there is no tarball
		newRoute  string
	}{
		{old: "5.6.0", onto: "master", oldTar: "bucardo_5.6.0.orig.tar.gz",
			newRoute: "https://github.com/bucardo/bucardo/archive/refs/heads/master.tar.gz"},
		{old: "5.5.0", onto: "5.6.0", oldTar: "bucardo_5.5.0.orig.tar.gz", newTar: "bucardo_5.6.0.orig.tar.gz"},
		{old: "9.9.9", onto: "5.6.0", newTar: "bucardo_5.6.0.orig.tar.gz",
			oldRoute: "https://github.com/bucardo/bucardo/archive/refs/tags/9.9.9.tar.gz"},
		{old: "master-d9919c8", onto: "5.7.0",
			oldRoute: "https://github.com/bucardo/bucardo/archive/d9919c8.tar.gz",
			newRoute: "https://github.com/bucardo/bucardo/archive/refs/tags/5.7.0.tar.gz"},
		{old: "master", onto: "d9919c804d2c84a25e9bd8895908e80932609160",
			oldRoute: "git -C bucardo checkout d9919c8",
			newRoute: "https://github.com/bucardo/bucardo/archive/d9919c804d2c84a25e9bd8895908e80932609160.tar.gz"},
	} {
		c := newCall(app, []string{"bcfork", "rebase", "--version", tc.old, "--onto", tc.onto})
		for _, side := range []struct {
			name, flag, other, tarball, route string
			wrap                              func(error) error
		}{
			{"OLD", "--from-old", "--from", tc.oldTar, tc.oldRoute, func(err error) error { return &oldFilesError{err} }},
			{"NEW", "--from", "--from-old", tc.newTar, tc.newRoute, func(err error) error { return fmt.Errorf("getting %s: %w", tc.onto, err) }},
		} {
			for _, err := range sourceErrors {
				err = side.wrap(err)
				h := hint(err, c)
				checkHint(t, app, c, err)
				other := strings.Contains(h, "--from-old")
				if side.name == "OLD" {
					other = bareFrom.MatchString(h)
				}
				if other {
					t.Errorf("rebase --version %s --onto %s, %s's files, after %v: the hint names %s:\n%s", tc.old, tc.onto, side.name, err, side.other, h)
				}
			}
			for _, err := range offlineErrors {
				err = side.wrap(err)
				h := hint(err, c)
				what := fmt.Sprintf("rebase --version %s --onto %s, %s's files, after %v", tc.old, tc.onto, side.name, err)
				if !strings.Contains(h, side.flag+" ") {
					t.Errorf("%s: the hint does not name %s:\n%s", what, side.flag, h)
				}
				if strings.Count(h, side.flag+" ") > 2 {
					t.Errorf("%s: the hint names %s more than twice:\n%s", what, side.flag, h)
				}
				tarballs := origTar.FindAllString(h, -1)
				switch {
				case side.tarball == "" && len(tarballs) > 0:
					t.Errorf("%s: the hint names %v, but Debian ships no orig tarball of that version:\n%s", what, tarballs, h)
				case side.tarball != "" && (len(tarballs) != 1 || tarballs[0] != side.tarball):
					t.Errorf("%s: the hint names %v, want %s:\n%s", what, tarballs, side.tarball, h)
				}
				if side.route != "" && !strings.Contains(h, side.route) {
					t.Errorf("%s: the hint does not say %q:\n%s", what, side.route, h)
				}
			}
		}
	}
}

// TestRebaseFlavorHintsNameEachSide: with Debian's package as OLD's or
// NEW's flavor, the hint takes that side's files from / with that side's
// flags.
func TestRebaseFlavorHintsNameEachSide(t *testing.T) {
	app := newApp(nil, nil)
	fe := &upstream.FlavorError{Flavor: "debian"}
	c := newCall(app, []string{"bcfork", "rebase", "--old-flavor", "debian", "--version", "5.6.0-4", "--onto", "5.6.0"})
	h := hint(&oldFilesError{fe}, c)
	checkHint(t, app, c, &oldFilesError{fe})
	want := "`bcfork rebase --onto 5.6.0 --old-flavor debian --version 5.6.0-4 --from-old /`"
	if !strings.Contains(h, want) {
		t.Errorf("OLD's files: the hint does not say %s:\n%s", want, h)
	}
	c = newCall(app, []string{"bcfork", "rebase", "--version", "5.6.0", "--flavor", "debian", "--onto", "5.6.0-4"})
	h = hint(fe, c)
	checkHint(t, app, c, fe)
	want = "`bcfork rebase --version 5.6.0 --flavor debian --onto 5.6.0-4 --from /`"
	if !strings.Contains(h, want) {
		t.Errorf("NEW's files: the hint does not say %s:\n%s", want, h)
	}
}
