package instance

import (
	"bufio"
	"bytes"
	"fmt"
	"strconv"
	"strings"

	"github.com/bcfork/bcfork/internal/lazyre"
)

// Config is what an instance's rc file holds: the bucardo options the
// instance needs on every command. bucardo --bucardorc FILE reads it; options
// given on the command line win over it.
type Config struct {
	DBName    string // config database
	DBHost    string // "" is libpq's default (the local socket)
	DBPort    string // "" is libpq's default (5432)
	DBUser    string // PostgreSQL role bucardo connects as
	DBPass    string // only when given in a file; "" otherwise (.pgpass)
	PidDir    string
	LogDest   string
	ExtraName string // shown in the process titles, so ps tells instances apart
	// Other holds any other option an operator added to the file, in order.
	Other [][2]string
}

// configFor returns the rc file content of a new instance.
func configFor(name string, db Connection, password string) Config {
	return Config{
		DBName: db.Name, DBHost: db.Host, DBPort: db.Port, DBUser: db.User, DBPass: password,
		PidDir: runDir(name), LogDest: logDir(name), ExtraName: name,
	}
}

// Connection returns how the instance reaches its config database.
func (c Config) Connection() Connection {
	return Connection{Name: c.DBName, Host: c.DBHost, Port: c.DBPort, User: c.DBUser}
}

// keys are the rc keys Config knows, in the order Render writes them:
// bucardo's own option names (bucardo reads "extra-name" in an rc file as
// an unknown key, so the canonical names are used).
var keys = []string{"dbname", "dbhost", "dbport", "dbuser", "dbpass", "piddir", "logdest", "extraname"}

func (c *Config) field(key string) *string {
	switch key {
	case "dbname":
		return &c.DBName
	case "dbhost":
		return &c.DBHost
	case "dbport":
		return &c.DBPort
	case "dbuser":
		return &c.DBUser
	case "dbpass":
		return &c.DBPass
	case "piddir":
		return &c.PidDir
	case "logdest":
		return &c.LogDest
	case "extraname":
		return &c.ExtraName
	}
	return nil
}

// Render returns the rc file, "key = value" lines. Empty values are left out.
func (c Config) Render(name string) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "# Bucardo instance %s, written by bcfork instance add.\n", name)
	fmt.Fprintf(&b, "# Every bucardo command of the instance reads it: bcfork instance exec %s -- ARGS,\n", name)
	fmt.Fprintf(&b, "# or bucardo --bucardorc THIS-FILE ARGS as the OS user bucardo. Any long option of\n")
	fmt.Fprintf(&b, "# bucardo may be added as \"option = value\".\n")
	for _, k := range keys {
		if v := *c.field(k); v != "" {
			fmt.Fprintf(&b, "%s = %s\n", k, v)
		}
	}
	for _, kv := range c.Other {
		fmt.Fprintf(&b, "%s = %s\n", kv[0], kv[1])
	}
	return b.Bytes()
}

// rcLine is how bucardo reads an rc line ("foo = bar" or "foo: bar").
var rcLine = lazyre.New(`^\s*(\w[\w-]+)\s*[:=]\s*(.+?)\s*$`)

// ParseConfig reads an rc file as bucardo does: "key = value" or
// "key: value" lines, "#" comments; the last value of a key wins.
func ParseConfig(data []byte) (Config, error) {
	var c Config
	sc := bufio.NewScanner(bytes.NewReader(data))
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		if t := strings.TrimSpace(line); t == "" || strings.HasPrefix(t, "#") {
			continue
		}
		m := rcLine().FindStringSubmatch(line)
		if m == nil {
			return c, fmt.Errorf("line %d: want \"key = value\", got %q", n, line)
		}
		if p := c.field(m[1]); p != nil {
			*p = m[2]
		} else {
			c.Other = append(c.Other, [2]string{m[1], m[2]})
		}
	}
	return c, sc.Err()
}

// check refuses values an rc file cannot hold or bucardo would misread.
func (c Config) check() error {
	if err := CheckDatabase(c.DBName); err != nil {
		return err
	}
	if c.DBPort != "" {
		if p, err := strconv.Atoi(c.DBPort); err != nil || p < 1 || p > 65535 {
			return fmt.Errorf("bad port %q: want a number from 1 to 65535", c.DBPort)
		}
	}
	for _, k := range keys {
		if err := checkValue(k, *c.field(k)); err != nil {
			return err
		}
	}
	return nil
}

// checkValue refuses what an rc line cannot carry: bucardo trims the
// value and reads one line.
func checkValue(key, v string) error {
	what := key
	if key == "dbpass" {
		what = "the password"
	}
	switch {
	case strings.ContainsAny(v, "\n\r\x00"):
		return fmt.Errorf("%s holds a line break or NUL, which an rc file cannot carry", what)
	case v != strings.TrimSpace(v):
		return fmt.Errorf("%s starts or ends with white space, which bucardo would drop from an rc file", what)
	}
	return nil
}
