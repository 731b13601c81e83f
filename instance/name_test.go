package instance

import (
	"errors"
	"strings"
	"testing"
)

func TestCheckName(t *testing.T) {
	for _, c := range []struct {
		name string
		why  string // "" when accepted
	}{
		{"a", ""},
		{"team_a", ""},
		{"_x9", ""},
		{strings.Repeat("a", MaxName), ""},
		{"", "empty"},
		{"TeamA", "lower case"},
		{"team-a", "lower case"},
		{"1a", "not starting with a digit"},
		{"a.b", "lower case"},
		{"a b", "lower case"},
		{"../x", "lower case"},
		{strings.Repeat("a", MaxName+1), "longer than 55"},
	} {
		err := CheckName(c.name)
		var ne *NameError
		switch {
		case c.why == "" && err != nil:
			t.Errorf("CheckName(%q) = %v, want nil", c.name, err)
		case c.why != "" && (!errors.As(err, &ne) || !strings.Contains(err.Error(), c.why)):
			t.Errorf("CheckName(%q) = %v, want a NameError saying %q", c.name, err, c.why)
		}
	}
	if err := CheckName("TeamA"); !strings.Contains(err.Error(), "Bucardo lowercases the pid folder") {
		t.Errorf("the error does not say why: %v", err)
	}
	if got := Database("a"); got != "bucardo_a" || CheckDatabase(Database(strings.Repeat("a", MaxName))) != nil {
		t.Errorf("Database(a) = %q, or the longest name makes a bad database name", got)
	}
}
