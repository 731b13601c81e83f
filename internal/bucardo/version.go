package bucardo

import "github.com/bcfork/bcfork/internal/lazyre"

// versionRE is the line where the bucardo script and Bucardo.pm declare
// their version: `our $VERSION = '5.6.0';`.
var versionRE = lazyre.New(`(?m)^[ \t]*our[ \t]+\$VERSION[ \t]*=[ \t]*['"]([^'"\s]+)['"][ \t]*;`)

// Version returns the $VERSION that the bucardo script or Bucardo.pm src
// declares, or "" when it declares none. The value is as written: callers
// that use it as a version or a path check it first.
func Version(src []byte) string {
	m := versionRE().FindSubmatch(src)
	if m == nil {
		return ""
	}
	return string(m[1])
}
