package instance

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"slices"
	"strings"

	"github.com/bcfork/bcfork/install"
)

// DB is a database an instance replicates, as its bucardo.db table has it.
type DB struct {
	Name    string `json:"name"` // Bucardo's name for it
	Type    string `json:"type"` // postgres, mysql, ...
	Host    string `json:"host"`
	Port    string `json:"port"`
	DBName  string `json:"dbname"`
	Service string `json:"service"`
	DSN     string `json:"dsn"`
}

// Use is one instance's entry for a database.
type Use struct {
	Instance string `json:"instance"`
	Name     string `json:"name"` // the instance's name for the database
}

// Shared is a database that more than one instance replicates: they share
// its bucardo schema (delta and track tables, triggers) and its NOTIFY
// channels, and undo each other's work.
type Shared struct {
	Database string `json:"database"` // for people, e.g. `database "shop" on local socket, port 5432`
	Uses     []Use  `json:"uses"`
}

// Duplicates returns the databases that more than one instance replicates,
// given what each instance's bucardo.db holds. A database is known by its
// type, server and name: an empty host, a socket folder, localhost,
// 127.0.0.1 and ::1 all count as this host, an empty port as 5432; a DSN
// or a service is compared as written.
func Duplicates(dbs map[string][]DB) []Shared {
	byKey := map[string]*Shared{}
	var keys []string
	for _, inst := range sortedKeys(dbs) {
		for _, db := range dbs[inst] {
			k, label := db.key()
			s := byKey[k]
			if s == nil {
				s = &Shared{Database: label}
				byKey[k] = s
				keys = append(keys, k)
			}
			s.Uses = append(s.Uses, Use{Instance: inst, Name: db.Name})
		}
	}
	out := []Shared{}
	for _, k := range keys {
		if s := byKey[k]; countInstances(s.Uses) > 1 {
			out = append(out, *s)
		}
	}
	return out
}

// key names the database db points at, for comparison and for people.
func (db DB) key() (key, label string) {
	typ := db.Type
	if typ == "" {
		typ = "postgres"
	}
	switch {
	case db.DSN != "":
		return typ + "|dsn|" + db.DSN, fmt.Sprintf("%s database with DSN %q", typ, db.DSN)
	case db.Service != "":
		return typ + "|service|" + db.Service + "|" + db.DBName, fmt.Sprintf("%s database %q of service %q", typ, db.DBName, db.Service)
	}
	host, port := serverOf(db.Host, db.Port)
	where := "this host"
	if host != "" {
		where = host
	}
	return typ + "|" + host + "|" + port + "|" + db.DBName, fmt.Sprintf("%s database %q on %s, port %s", typ, db.DBName, where, port)
}

// serverOf normalizes a host and port: "" for this host, 5432 by default.
func serverOf(host, port string) (string, string) {
	host = strings.ToLower(strings.TrimSpace(host))
	if host == "localhost" || host == "127.0.0.1" || host == "::1" || strings.HasPrefix(host, "/") {
		host = ""
	}
	if port = strings.TrimSpace(port); port == "" {
		port = "5432"
	}
	return host, port
}

// sameServer reports whether two connections go to the same server.
func sameServer(a, b Connection) bool {
	ah, ap := serverOf(a.Host, a.Port)
	bh, bp := serverOf(b.Host, b.Port)
	return ah == bh && ap == bp
}

func countInstances(uses []Use) int {
	seen := map[string]bool{}
	for _, u := range uses {
		seen[u.Instance] = true
	}
	return len(seen)
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// Report is what Check found.
type Report struct {
	Instances []string          `json:"instances"`
	Shared    []Shared          `json:"shared"`           // databases more than one instance replicates
	Unread    map[string]string `json:"unread,omitempty"` // instance: why its bucardo.db could not be read
	// Script and Module are the versions of the installed fork's script
	// and of the host's Bucardo.pm; bucardo start refuses to run when
	// they differ (after a package upgrade, say).
	Script   string `json:"script_version"`
	Module   string `json:"module_version"`
	Mismatch bool   `json:"version_mismatch"`
}

// Problems reports whether the check found anything to fix.
func (r *Report) Problems() bool { return len(r.Shared) > 0 || r.Mismatch }

// bucardoDBs is the query that lists an instance's databases as JSON.
const bucardoDBs = `SELECT coalesce(json_agg(json_build_object('name', name, 'type', dbtype, 'host', coalesce(dbhost, ''), ` +
	`'port', coalesce(dbport, ''), 'dbname', coalesce(dbname, ''), 'service', coalesce(dbservice, ''), 'dsn', dbdsn) ORDER BY name), '[]') FROM bucardo.db`

// Check reads every instance's bucardo.db and reports the databases more
// than one instance replicates, and whether the installed fork's script is
// the release of module (the host's Bucardo.pm; nil: not checked).
func Check(ctx context.Context, o Options, module *install.Module) (*Report, error) {
	o, rec, err := o.load()
	if err != nil {
		return nil, err
	}
	r := &Report{Instances: rec.Names(), Shared: []Shared{}}
	if err := r.versions(o, module); err != nil {
		return nil, err
	}
	if len(rec.Instances) == 0 {
		return r, nil
	}
	acct, err := lookupAccount(o.Root, OSUser)
	if err != nil {
		return nil, err
	}
	dbs := map[string][]DB{}
	for _, in := range rec.Instances {
		list, err := readDBs(ctx, o, acct, in)
		if err != nil {
			if r.Unread == nil {
				r.Unread = map[string]string{}
			}
			r.Unread[in.Name] = err.Error()
			continue
		}
		dbs[in.Name] = list
	}
	r.Shared = Duplicates(dbs)
	return r, nil
}

// versions compares the installed script's version with module's.
func (r *Report) versions(o Options, module *install.Module) error {
	bin, err := o.forkScript()
	if err != nil {
		return err
	}
	if r.Script, err = install.HostFileVersion(o.Root, bin); err != nil {
		return err
	}
	if module != nil {
		r.Module = module.Version
		r.Mismatch = r.Module != r.Script
	}
	return nil
}

// readDBs lists what instance in's bucardo.db holds, with psql as the
// OS user bucardo.
func readDBs(ctx context.Context, o Options, acct Account, in *Instance) ([]DB, error) {
	cfg, err := readConfig(o, in)
	if err != nil {
		return nil, wrap("reading", filepath.Clean(o.real(in.RC)), err)
	}
	run := &runner{acct: acct, psql: o.PSQL}
	forget, err := run.withPassword(cfg.DBUser, cfg.DBPass)
	if err != nil {
		return nil, err
	}
	defer forget()
	out, err := run.query(ctx, cfg.Connection(), cfg.DBName, bucardoDBs)
	if err != nil {
		return nil, err
	}
	var dbs []DB
	if err := json.Unmarshal([]byte(out), &dbs); err != nil {
		return nil, fmt.Errorf("reading bucardo.db of instance %s: %w", in.Name, err)
	}
	return dbs, nil
}
