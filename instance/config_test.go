package instance

import (
	"reflect"
	"strings"
	"testing"
)

func TestConfigRender(t *testing.T) {
	c := configFor("a", Connection{Name: "bucardo_a", Host: "/var/run/postgresql", Port: "5433", User: "bucardo"}, "s3:cr#t")
	got := string(c.Render("a"))
	want := `dbname = bucardo_a
dbhost = /var/run/postgresql
dbport = 5433
dbuser = bucardo
dbpass = s3:cr#t
piddir = /run/bucardo/a
logdest = /var/log/bucardo/a
extraname = a
`
	if !strings.HasSuffix(got, want) || !strings.HasPrefix(got, "# Bucardo instance a, written by bcfork") {
		t.Errorf("Render:\n%s\nwant it to end with:\n%s", got, want)
	}
	back, err := ParseConfig([]byte(got))
	if err != nil || !reflect.DeepEqual(back, c) {
		t.Errorf("ParseConfig(Render) = %+v, %v; want %+v", back, err, c)
	}
	if strings.Contains(string(configFor("b", Connection{Name: "bucardo_b", User: "bucardo"}, "").Render("b")), "dbhost") {
		t.Error("an empty host is written; want it left out (libpq's default)")
	}
}

// ParseConfig reads a file as bucardo's own rc parser does.
func TestParseConfig(t *testing.T) {
	c, err := ParseConfig([]byte("# comment\n  # indented comment\n\ndbname: x\ndbname = bucardo_y  \nlog-extension = .z\ndbport=6\n"))
	if err != nil {
		t.Fatal(err)
	}
	want := Config{DBName: "bucardo_y", DBPort: "6", Other: [][2]string{{"log-extension", ".z"}}}
	if !reflect.DeepEqual(c, want) {
		t.Errorf("got %+v, want %+v", c, want)
	}
	if _, err := ParseConfig([]byte("dbname\n")); err == nil || !strings.Contains(err.Error(), "line 1") {
		t.Errorf("a line without a value: %v, want an error naming line 1", err)
	}
}

func TestConfigCheck(t *testing.T) {
	good := Config{DBName: "bucardo_a", DBUser: "bucardo"}
	for _, c := range []struct {
		change func(*Config)
		want   string
	}{
		{func(c *Config) { c.DBPort = "0" }, "bad port"},
		{func(c *Config) { c.DBPort = "54x" }, "bad port"},
		{func(c *Config) { c.DBName = "Bucardo" }, "bad database name"},
		{func(c *Config) { c.DBHost = "db1\nevil = 1" }, "dbhost holds a line break"},
		{func(c *Config) { c.DBPass = " secret" }, "the password starts or ends with white space"},
		{func(c *Config) { c.DBUser = "bucardo " }, "dbuser starts or ends"},
	} {
		bad := good
		c.change(&bad)
		err := bad.check()
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%+v: %v, want %q", bad, err, c.want)
		}
		if err != nil && bad.DBPass != "" && strings.Contains(err.Error(), bad.DBPass) {
			t.Errorf("the error shows the password: %v", err)
		}
	}
	if err := good.check(); err != nil {
		t.Errorf("%+v: %v", good, err)
	}
}
