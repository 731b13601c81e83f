// Package version orders Bucardo versions and Debian package versions by
// dpkg's rules, and lists releases apart from refs such as master.
package version

import (
	"slices"
	"strings"

	"github.com/bcfork/bcfork/internal/lazyre"
)

// releaseRE is a release: an optional epoch, an upstream version that starts
// with a digit and has a dot, and optional Debian revisions, in the
// characters dpkg allows. Branches (master) and commit ids (no dot) are not.
var releaseRE = lazyre.New(`^([0-9]+:)?[0-9][0-9A-Za-z+~]*(\.[0-9A-Za-z+~]+)+(-[0-9A-Za-z.+~]+)*$`)

// IsRelease reports whether v is a release number, e.g. 5.6.0, 5.6.0-4,
// 1:5.6.0~rc1, rather than a ref such as master or a commit id.
func IsRelease(v string) bool { return releaseRE().MatchString(v) }

// Compare returns -1, 0 or +1 as a is older than, the same as or newer than
// b, as `dpkg --compare-versions` orders them: the epoch (N: before the
// version, 0 if none) numerically, then the upstream version, then the
// revision (after the last '-', "" if none, which equals "0"). Versions that
// dpkg counts as equal (1.0 and 1.00, 5.6.0 and 0:5.6.0-0) compare 0.
func Compare(a, b string) int {
	ea, ua, ra := split(a)
	eb, ub, rb := split(b)
	if c := compareRun(ea, eb); c != 0 {
		return c
	}
	if c := compareRun(ua, ub); c != 0 {
		return c
	}
	return compareRun(ra, rb)
}

// Less reports whether a is older than b.
func Less(a, b string) bool { return Compare(a, b) < 0 }

// Newer reports whether a comes before b in a newest-first listing:
// releases newest first, then other refs by name. Releases that Compare
// counts as equal are listed by name, so the order is total.
func Newer(a, b string) bool {
	ra, rb := IsRelease(a), IsRelease(b)
	switch {
	case ra != rb:
		return ra
	case !ra:
		return a < b
	}
	if c := Compare(a, b); c != 0 {
		return c > 0
	}
	return a < b
}

// Sort sorts vs newest first, as Newer orders them.
func Sort(vs []string) {
	slices.SortFunc(vs, func(a, b string) int {
		switch {
		case Newer(a, b):
			return -1
		case Newer(b, a):
			return 1
		}
		return 0
	})
}

// split cuts v into epoch, upstream version and revision, as dpkg does: the
// epoch is the digits before the first ':', the revision what follows the
// last '-'.
func split(v string) (epoch, upstream, revision string) {
	if e, rest, ok := strings.Cut(v, ":"); ok && e != "" && strings.Trim(e, "0123456789") == "" {
		epoch, v = e, rest
	}
	if i := strings.LastIndexByte(v, '-'); i >= 0 {
		return epoch, v[:i], v[i+1:]
	}
	return epoch, v, ""
}

// compareRun compares one part of two versions by dpkg's verrevcmp: runs of
// non-digits compare character by character (see order), runs of digits
// numerically, in turn.
func compareRun(a, b string) int {
	for a != "" || b != "" {
		var c int
		if a, b, c = compareText(a, b); c != 0 {
			return c
		}
		if a, b, c = compareDigits(a, b); c != 0 {
			return c
		}
	}
	return 0
}

// compareText compares the leading non-digit runs of a and b and returns
// what follows them.
func compareText(a, b string) (string, string, int) {
	for (a != "" && !isDigit(a[0])) || (b != "" && !isDigit(b[0])) {
		oa, ob := order(a), order(b)
		if oa != ob {
			return a, b, sign(oa - ob)
		}
		a, b = a[1:], b[1:]
	}
	return a, b, 0
}

// compareDigits compares the leading digit runs of a and b as numbers of
// any length and returns what follows them.
func compareDigits(a, b string) (string, string, int) {
	a, b = strings.TrimLeft(a, "0"), strings.TrimLeft(b, "0")
	na, nb := digits(a), digits(b)
	c := sign(na - nb)
	if c == 0 {
		c = strings.Compare(a[:na], b[:nb])
	}
	return a[na:], b[nb:], c
}

// order is the weight of the first character of s in a non-digit run: '~'
// sorts before everything, even the end of the run; the end and digits
// next; then letters; then every other character.
func order(s string) int {
	switch {
	case s == "" || isDigit(s[0]):
		return 0
	case s[0] == '~':
		return -1
	case isLetter(s[0]):
		return int(s[0])
	}
	return int(s[0]) + 256
}

func digits(s string) int {
	n := 0
	for n < len(s) && isDigit(s[n]) {
		n++
	}
	return n
}

func isDigit(c byte) bool  { return '0' <= c && c <= '9' }
func isLetter(c byte) bool { return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' }

func sign(n int) int {
	switch {
	case n < 0:
		return -1
	case n > 0:
		return 1
	}
	return 0
}

var commitRE = lazyre.New(`^[0-9a-f]{40}$`)

// IsCommit reports whether ref is a full commit SHA (lower-case hex), which
// cannot move.
func IsCommit(ref string) bool { return commitRE().MatchString(ref) }
