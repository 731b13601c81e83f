package instance

import (
	"reflect"
	"testing"
)

func TestDuplicates(t *testing.T) {
	src := func(name, host, port, db string) DB {
		return DB{Name: name, Type: "postgres", Host: host, Port: port, DBName: db}
	}
	for _, c := range []struct {
		what string
		dbs  map[string][]DB
		want []Shared
	}{
		{"nothing", map[string][]DB{}, []Shared{}},
		{"different databases", map[string][]DB{
			"a": {src("s", "", "", "src_a"), src("d", "", "", "dst_a")},
			"b": {src("s", "", "", "src_b"), src("d", "", "", "dst_b")},
		}, []Shared{}},
		{"one instance, the same database twice", map[string][]DB{
			"a": {src("s1", "", "", "shop"), src("s2", "localhost", "5432", "shop")},
		}, []Shared{}},
		{"socket, localhost and 127.0.0.1 on the default port are one server", map[string][]DB{
			"a": {src("x", "/var/run/postgresql", "", "shop")},
			"b": {src("y", "localhost", "5432", "shop")},
			"c": {src("z", "127.0.0.1", "", "shop")},
		}, []Shared{{Database: `postgres database "shop" on this host, port 5432`,
			Uses: []Use{{"a", "x"}, {"b", "y"}, {"c", "z"}}}}},
		{"other port, other server", map[string][]DB{
			"a": {src("x", "", "5432", "shop")},
			"b": {src("y", "", "5433", "shop")},
		}, []Shared{}},
		{"other host", map[string][]DB{
			"a": {src("x", "db1", "", "shop")},
			"b": {src("y", "DB1", "", "shop"), src("z", "db2", "", "shop")},
		}, []Shared{{Database: `postgres database "shop" on db1, port 5432`, Uses: []Use{{"a", "x"}, {"b", "y"}}}}},
		{"same service", map[string][]DB{
			"a": {{Name: "x", Service: "shop"}},
			"b": {{Name: "y", Service: "shop"}},
		}, []Shared{{Database: `postgres database "" of service "shop"`, Uses: []Use{{"a", "x"}, {"b", "y"}}}}},
	} {
		t.Run(c.what, func(t *testing.T) {
			if got := Duplicates(c.dbs); !reflect.DeepEqual(got, c.want) {
				t.Errorf("got %+v\nwant %+v", got, c.want)
			}
		})
	}
}

func TestSameServer(t *testing.T) {
	if !sameServer(Connection{}, Connection{Host: "localhost", Port: "5432"}) {
		t.Error("the default server and localhost:5432 differ")
	}
	if sameServer(Connection{Host: "db1"}, Connection{Host: "db2"}) {
		t.Error("db1 and db2 are the same")
	}
}
