package instance

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"slices"
	"strings"

	"github.com/bcfork/bcfork/install"
)

// AddOptions say which instance to add and how it reaches PostgreSQL.
type AddOptions struct {
	Name     string
	Database Connection // Name defaults to bucardo_NAME, User to bucardo, Host and Port to libpq's
	Password string     // the database password; "" for the OS user bucardo's ~/.pgpass
	NoCreate bool       // the config database exists: do not create it
	Enable   bool       // enable and start the unit, when systemd runs the host
}

// Result says what Add or Remove did.
type Result struct {
	Instance *Instance
	Actions  []string // in order
	Notes    []string // what to know, or to do next
}

// Add makes instance a.Name: its rc file, run and log folders, tmpfiles.d
// and logrotate entries, the template unit if it is not there yet, and its
// config database (bucardo install, unless NoCreate), whose reason, warning
// and conflict files it makes absolute paths in the log folder. It refuses a
// name or a config database another instance has, and needs the fork
// installed and the OS user bucardo. A failed add undoes what it did.
// When it wrote the template unit over one an older bcfork wrote otherwise,
// its Notes name the other instances that run under the old unit, as
// Upgrade's do: it restarts none.
func Add(ctx context.Context, o Options, a AddOptions) (*Result, error) {
	o, err := o.withDefaults()
	if err != nil {
		return nil, err
	}
	cfg, err := a.config()
	if err != nil {
		return nil, err
	}
	if _, err := o.forkScript(); err != nil {
		return nil, err // before the lock, which would create the state folder
	}
	unlock, err := install.Lock(o.Root, o.StateDir)
	if err != nil {
		return nil, fmt.Errorf("adding instance %q: %w", a.Name, err)
	}
	defer unlock()
	ad, err := planAdd(ctx, o, a, cfg)
	if err != nil {
		return nil, err
	}
	defer ad.forgetPassword()
	if err := ad.run(ctx); err != nil {
		return nil, ad.undo(ctx, err)
	}
	if ad.unitWritten {
		ad.Notes = append(ad.Notes, restartNotes(o, ad.rec, a.Name)...)
	}
	return &ad.Result, ad.systemd(ctx)
}

// config checks a and returns the instance's rc file content.
func (a AddOptions) config() (Config, error) {
	if err := CheckName(a.Name); err != nil {
		return Config{}, err
	}
	db := a.Database
	if db.Name == "" {
		db.Name = Database(a.Name)
	}
	if db.User == "" {
		db.User = OSUser
	}
	cfg := configFor(a.Name, db, a.Password)
	return cfg, cfg.check()
}

// addition is an Add worked out, then done.
type addition struct {
	Result
	o      Options
	a      AddOptions
	cfg    Config
	rec    *Record
	in     *Instance
	acct   Account
	runner *runner
	bin    string
	unit   []byte // the template unit to write; nil when it is there already
	// prevUnit is the record's unit before this add, put back if the add
	// fails before it wrote the unit.
	prevUnit    *File
	unitWritten bool
	owned       map[string]bool
	// forgetPassword removes the temporary password file.
	forgetPassword func()
}

// planAdd checks everything that can be checked before writing anything:
// the name, the config database, the OS user, the unit file, PostgreSQL.
func planAdd(ctx context.Context, o Options, a AddOptions, cfg Config) (*addition, error) {
	ad := &addition{o: o, a: a, cfg: cfg, owned: map[string]bool{}, forgetPassword: func() {}}
	var err error
	if ad.bin, err = o.forkScript(); err != nil {
		return nil, err
	}
	if ad.rec, err = o.readRecord(); err != nil {
		return nil, err
	}
	ad.prevUnit = ad.rec.Unit
	if err := ad.checkFree(); err != nil {
		return nil, err
	}
	if ad.acct, err = lookupAccount(o.Root, OSUser); err != nil {
		return nil, err
	}
	if err := ad.planUnit(); err != nil {
		return nil, err
	}
	if err := ad.planInstance(); err != nil {
		return nil, err
	}
	ad.runner = &runner{acct: ad.acct, psql: o.PSQL}
	if ad.forgetPassword, err = ad.runner.withPassword(cfg.DBUser, cfg.DBPass); err != nil {
		return nil, err
	}
	if err := ad.checkDatabase(ctx); err != nil {
		ad.forgetPassword()
		return nil, err
	}
	return ad, nil
}

// checkFree refuses a name or a config database that is taken.
func (ad *addition) checkFree() error {
	name := ad.a.Name
	if in := ad.rec.find(name); in != nil {
		return &ExistsError{Name: name, State: in.State}
	}
	for _, p := range []string{RCPath(name), tmpfilesPath(name), logrotatePath(name)} {
		there, err := ad.o.present(ad.o.real(p))
		if err != nil {
			return fmt.Errorf("adding instance %q: %w", name, err)
		}
		if there {
			return &ExistsError{Name: name, Path: ad.o.real(p)}
		}
	}
	db := ad.cfg.Connection()
	for _, in := range ad.rec.Instances {
		if sameServer(in.Database, db) && in.Database.Name == db.Name {
			return &DatabaseInUseError{DB: db, By: in.Name}
		}
	}
	return nil
}

// planUnit decides whether to write the template unit: when it is
// missing, or bcfork wrote it and it differs (another script path).
func (ad *addition) planUnit() error {
	want, err := Unit(ad.bin)
	if err != nil {
		return err
	}
	path := ad.o.real(UnitPath)
	have, _, ok, err := ad.o.readFile(path, maxFile)
	switch {
	case err != nil:
		return err
	case ok && string(have) == string(want):
		if ad.rec.Unit == nil {
			f := newFile(UnitPath, want, 0o644, "")
			ad.rec.Unit = &f // the same unit, left by an earlier bcfork: it is bcfork's
		}
		return nil
	case ok && (ad.rec.Unit == nil || !ad.rec.Unit.knows(sum(have))):
		return &UnitError{Path: path}
	}
	ad.unit = want
	return nil
}

// planInstance lists the folders to create and the files to write.
func (ad *addition) planInstance() error {
	name := ad.a.Name
	ad.in = &Instance{Name: name, State: StateAdding, Time: ad.o.Now().UTC(), RC: RCPath(name),
		Database: ad.cfg.Connection(), Files: []File{}, Dirs: []string{}}
	ad.in.Database.User = ad.cfg.DBUser
	dirs := []string{RCDir, runDir(name), logDir(name), TmpfilesDir, LogrotateDir}
	if ad.unit != nil {
		dirs = append(dirs, filepath.Dir(UnitPath))
	}
	for _, d := range dirs {
		missing, err := ad.missing(d)
		if err != nil {
			return fmt.Errorf("adding instance %q: %w", name, err)
		}
		ad.in.Dirs = append(ad.in.Dirs, missing...)
	}
	for _, d := range []string{RunParent, runDir(name), LogParent, logDir(name)} {
		ad.owned[d] = true
	}
	rc := ad.cfg.Render(name)
	ad.in.Files = append(ad.in.Files,
		newFile(RCPath(name), rc, 0o640, ad.acct.Owner()),
		newFile(tmpfilesPath(name), Tmpfiles(name), 0o644, ""),
		newFile(logrotatePath(name), Logrotate(name), 0o644, ""))
	return nil
}

// missing lists the folders to create for host folder dir, parents
// first, skipping those planned already. The deepest that is there must
// be a folder, not a link to one, and no link may lead to it.
func (ad *addition) missing(dir string) ([]string, error) {
	var out []string
	for d := dir; d != "/"; d = filepath.Dir(d) {
		info, err := ad.o.fs().Lstat(ad.o.real(d))
		if errors.Is(err, fs.ErrNotExist) {
			out = append([]string{d}, out...)
			continue
		}
		if err == nil && !info.IsDir() {
			err = ad.o.noLink(ad.o.real(d))
			if err == nil {
				err = fmt.Errorf("%q is not a folder", ad.o.real(d))
			}
		}
		if err != nil {
			return nil, err
		}
		break
	}
	var fresh []string
	for _, d := range out {
		if !slices.Contains(ad.in.Dirs, d) {
			fresh = append(fresh, d)
		}
	}
	return fresh, nil
}

// checkDatabase connects to PostgreSQL as the instance will, and checks
// that its config database is missing (or there, with NoCreate).
func (ad *addition) checkDatabase(ctx context.Context) error {
	db := ad.cfg.Connection()
	out, err := ad.runner.query(ctx, db, "postgres", fmt.Sprintf("SELECT count(*) FROM pg_database WHERE datname = '%s'", db.Name))
	if err != nil {
		return err
	}
	if there := out == "1"; there != ad.a.NoCreate {
		return &DatabaseError{DB: db, Exists: there}
	}
	return nil
}

// run records the instance as being added, then makes it.
func (ad *addition) run(ctx context.Context) error {
	ad.rec.Instances = append(ad.rec.Instances, ad.in)
	if ad.unit != nil {
		f := newFile(UnitPath, ad.unit, 0o644, "")
		ad.rec.Unit = &f
	}
	if err := ad.save(fmt.Sprintf("record instance %s as being added in %q", ad.a.Name, ad.o.recordPath())); err != nil {
		return err
	}
	for _, step := range []func(context.Context) error{ad.mkdirs, ad.writeFiles, ad.createDatabase, ad.setFiles} {
		if err := step(ctx); err != nil {
			return err
		}
	}
	ad.in.State, ad.Instance = StateAdded, ad.in
	return ad.save(fmt.Sprintf("record instance %s as added", ad.a.Name))
}

func (ad *addition) save(action string) error {
	if err := ad.o.writeRecord(ad.rec); err != nil {
		return err
	}
	ad.Actions = append(ad.Actions, action)
	return nil
}

func (ad *addition) mkdirs(context.Context) error {
	for _, d := range ad.in.Dirs {
		var owner *Account
		if ad.owned[d] {
			owner = &ad.acct
		}
		if err := ad.o.mkdir(ad.o.real(d), owner); err != nil {
			return err
		}
		ad.Actions = append(ad.Actions, fmt.Sprintf("create folder %q", ad.o.real(d)))
	}
	return nil
}

func (ad *addition) writeFiles(context.Context) error {
	name := ad.a.Name
	data := map[string][]byte{RCPath(name): ad.cfg.Render(name), tmpfilesPath(name): Tmpfiles(name), logrotatePath(name): Logrotate(name)}
	for _, f := range ad.in.Files {
		var owner *Account
		mode := fs.FileMode(0o644)
		if f.Path == RCPath(name) {
			owner, mode = &ad.acct, 0o640
		}
		if err := ad.o.writeFile(ad.o.real(f.Path), data[f.Path], mode, owner); err != nil {
			return err
		}
		ad.Actions = append(ad.Actions, fmt.Sprintf("write %q", ad.o.real(f.Path)))
	}
	if ad.unit == nil {
		return nil
	}
	if err := ad.o.writeFile(ad.o.real(UnitPath), ad.unit, 0o644, nil); err != nil {
		return err
	}
	ad.unitWritten = true
	ad.Actions = append(ad.Actions, fmt.Sprintf("write the template unit %q", ad.o.real(UnitPath)))
	return nil
}

// createDatabase runs bucardo install for the instance, unless NoCreate.
func (ad *addition) createDatabase(ctx context.Context) error {
	if ad.a.NoCreate {
		ad.Notes = append(ad.Notes, fmt.Sprintf("config database %s: kept as it is (--no-create)", ad.cfg.DBName))
		return nil
	}
	ad.in.CreatedDatabase = true // recorded first: an interrupted add drops it
	if err := ad.save(fmt.Sprintf("record that the config database %s is being created", ad.cfg.DBName)); err != nil {
		return err
	}
	if _, err := ad.bucardo(ctx, "install", "--batch"); err != nil {
		return err
	}
	ad.Actions = append(ad.Actions, fmt.Sprintf("create the config database %s (bucardo install --batch)", ad.cfg.DBName))
	return nil
}

// setFiles stores the instance's pid folder and absolute reason, warning
// and conflict files in its config database.
func (ad *addition) setFiles(ctx context.Context) error {
	set := settings(ad.a.Name)
	if _, err := ad.bucardo(ctx, append([]string{"set"}, set...)...); err != nil {
		return err
	}
	ad.Actions = append(ad.Actions, "bucardo set "+strings.Join(set, " "))
	return nil
}

func (ad *addition) bucardo(ctx context.Context, args ...string) (string, error) {
	return ad.runner.bucardo(ctx, ad.o.real(ad.bin), ad.o.real(RCPath(ad.a.Name)), ad.o.real(logDir(ad.a.Name)), args...)
}

// undo takes back a failed add and returns the error to report.
func (ad *addition) undo(ctx context.Context, cause error) error {
	if !ad.unitWritten {
		ad.rec.Unit = ad.prevUnit // a unit that was there stays
	}
	rm := &removal{o: ad.o, rec: ad.rec, in: ad.in, acct: ad.acct, runner: ad.runner, bin: ad.bin}
	if err := rm.do(ctx); err != nil {
		return &IncompleteError{Name: ad.a.Name, Op: "add", Err: fmt.Errorf("%w; undoing it: %v", cause, err)}
	}
	return fmt.Errorf("adding instance %q (undone: nothing was left behind): %w", ad.a.Name, cause)
}

// EnableError is returned when an added instance could not be enabled.
type EnableError struct {
	Name string
	Err  error
}

func (e *EnableError) Error() string {
	return fmt.Sprintf("instance %s is added, but not enabled: %v", e.Name, e.Err)
}

func (e *EnableError) Unwrap() error { return e.Err }

// systemd reloads systemd after a new unit and enables the instance when
// asked, or says what to run.
func (ad *addition) systemd(ctx context.Context) error {
	svc := Service(ad.a.Name)
	if !ad.o.systemd() {
		what := "systemd does not run this host"
		if ad.o.Root != "" {
			what = "under --root systemd is not asked"
		}
		ad.Notes = append(ad.Notes, fmt.Sprintf("%s: where it does, systemctl enable --now %s starts it now and at boot", what, svc))
		return nil
	}
	if ad.unit != nil {
		if err := ad.systemctl(ctx, "daemon-reload"); err != nil {
			return &EnableError{Name: ad.a.Name, Err: err}
		}
	}
	if !ad.a.Enable {
		ad.Notes = append(ad.Notes, fmt.Sprintf("not started: systemctl enable --now %s starts it now and at boot", svc))
		return nil
	}
	if err := ad.systemctl(ctx, "enable", "--now", svc); err != nil {
		return &EnableError{Name: ad.a.Name, Err: err}
	}
	return nil
}

func (ad *addition) systemctl(ctx context.Context, args ...string) error {
	if err := systemctl(ctx, ad.o, args...); err != nil {
		return err
	}
	ad.Actions = append(ad.Actions, "systemctl "+strings.Join(args, " "))
	return nil
}
