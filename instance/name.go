package instance

import (
	"fmt"

	"github.com/bcfork/bcfork/internal/lazyre"
)

// MaxName is the longest instance name: its default config database
// bucardo_NAME must fit in PostgreSQL's 63 bytes.
const MaxName = 63 - len(dbPrefix)

// dbPrefix starts the default config database name of an instance.
const dbPrefix = "bucardo_"

// identifier is what Bucardo's fork accepts as a config database name, and
// what bcfork accepts as an instance name.
var identifier = lazyre.New(`^[a-z_][a-z0-9_]*$`)

// NameError is returned for an instance or database name bcfork refuses.
type NameError struct {
	What string // "instance name" or "database name"
	Name string
	Why  string
}

func (e *NameError) Error() string {
	return fmt.Sprintf("bad %s %q: %s", e.What, e.Name, e.Why)
}

// CheckName refuses an instance name that is not a lowercase identifier of
// at most MaxName characters. Bucardo lowercases the settings it stores, the
// piddir /run/bucardo/NAME included, so an instance named TeamA would look
// for its pid files in /run/bucardo/teama.
func CheckName(name string) error {
	return checkIdentifier("instance name", name, MaxName)
}

// CheckDatabase refuses a config database name the fork's bucardo install
// would refuse: it reaches psql's command line, SQL and file names.
func CheckDatabase(name string) error {
	return checkIdentifier("database name", name, 63)
}

func checkIdentifier(what, name string, max int) error {
	switch {
	case name == "":
		return &NameError{What: what, Name: name, Why: "it is empty"}
	case len(name) > max:
		return &NameError{What: what, Name: name, Why: fmt.Sprintf("it is longer than %d characters", max)}
	case !identifier().MatchString(name):
		return &NameError{What: what, Name: name, Why: "use lower case letters, digits and underscores, not starting with a digit " + whyIdentifier[what]}
	}
	return nil
}

var whyIdentifier = map[string]string{
	"instance name": "(Bucardo lowercases the pid folder it stores, and the name reaches file names, unit names and SQL)",
	"database name": "(the fork's bucardo install refuses others: the name reaches psql's command line, SQL and file names)",
}

// Database returns the default config database of instance name.
func Database(name string) string { return dbPrefix + name }
