package instance

import (
	"context"
	"fmt"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/bcfork/bcfork/install"
)

// RemoveOptions say which instance to remove.
type RemoveOptions struct {
	Name         string
	DropDatabase bool // drop its config database too
}

// Remove stops instance r.Name (systemctl disable --now when systemd runs
// the host, else bucardo stop), removes its rc file, run folder,
// tmpfiles.d and logrotate entries, and the template unit with the last
// instance. It keeps the logs, and the config database unless
// DropDatabase. An instance whose add or removal was interrupted is
// removed the same way; what a half add made (its logs and the config
// database it created) goes too. Remove can stop anywhere and be run again.
func Remove(ctx context.Context, o Options, r RemoveOptions) (*Result, error) {
	o, rec, err := o.load()
	if err != nil {
		return nil, err
	}
	if rec.find(r.Name) == nil {
		return nil, &UnknownError{Name: r.Name, Known: rec.Names()}
	}
	unlock, err := install.Lock(o.Root, o.StateDir)
	if err != nil {
		return nil, fmt.Errorf("removing instance %q: %w", r.Name, err)
	}
	defer unlock()
	rm, err := planRemove(o, r)
	if err != nil {
		return nil, err
	}
	rm.Instance = rm.in
	defer rm.forgetPassword()
	if err := rm.start(); err != nil {
		return nil, err
	}
	if err := rm.do(ctx); err != nil {
		return nil, &IncompleteError{Name: r.Name, Op: "remove", Err: err}
	}
	return &rm.Result, nil
}

// removal takes an instance off the host; Add's undo is one too.
type removal struct {
	Result
	o              Options
	rec            *Record
	in             *Instance
	acct           Account
	runner         *runner
	bin            string
	drop           bool
	forgetPassword func()
}

// planRemove reads the record again under the lock, and the rc file for
// the password.
func planRemove(o Options, r RemoveOptions) (*removal, error) {
	rm := &removal{o: o, drop: r.DropDatabase, bin: install.DefaultBin, forgetPassword: func() {}}
	var err error
	if rm.rec, err = o.readRecord(); err != nil {
		return nil, err
	}
	if rm.in = rm.rec.find(r.Name); rm.in == nil {
		return nil, &UnknownError{Name: r.Name, Known: rm.rec.Names()}
	}
	if err := rm.checkLinks(); err != nil {
		return nil, fmt.Errorf("removing instance %q (nothing was changed): %w", r.Name, err)
	}
	if bin, err := o.forkScript(); err == nil {
		rm.bin = bin
	}
	if rm.acct, err = lookupAccount(o.Root, OSUser); err != nil {
		return nil, err
	}
	rm.runner = &runner{acct: rm.acct, psql: o.PSQL}
	cfg, err := rm.config()
	if err != nil {
		return nil, err
	}
	rm.forgetPassword, err = rm.runner.withPassword(cfg.DBUser, cfg.DBPass)
	return rm, err
}

// checkLinks refuses to remove an instance whose files or folders, or a
// folder above them, are links now: remove would stop the daemon and then
// fail half way. The link that enables the unit may be one, as systemctl
// makes it.
func (rm *removal) checkLinks() error {
	paths := []string{rm.in.RC, runDir(rm.in.Name), logDir(rm.in.Name), filepath.Dir(wantsLink(rm.in.Name))}
	for _, f := range rm.in.Files {
		paths = append(paths, f.Path)
	}
	paths = append(paths, rm.in.Dirs...)
	if rm.rec.Unit != nil {
		paths = append(paths, rm.rec.Unit.Path)
	}
	for _, p := range paths {
		if err := rm.o.noLink(rm.o.real(p)); err != nil {
			return err
		}
	}
	return nil
}

// config reads the instance's rc file; a missing one is the record's.
func (rm *removal) config() (Config, error) {
	data, _, ok, err := rm.o.readFile(rm.o.real(rm.in.RC), maxFile)
	if err != nil || !ok {
		db := rm.in.Database
		return Config{DBName: db.Name, DBHost: db.Host, DBPort: db.Port, DBUser: db.User}, err
	}
	cfg, err := ParseConfig(data)
	if err != nil {
		return cfg, fmt.Errorf("reading %q: %w", rm.o.real(rm.in.RC), err)
	}
	return cfg, nil
}

// start records the removal of an added instance before it changes anything.
func (rm *removal) start() error {
	if rm.in.State != StateAdded {
		return nil
	}
	rm.in.State, rm.in.Time = StateRemoving, rm.o.Now().UTC()
	return rm.save(fmt.Sprintf("record instance %s as being removed in %q", rm.in.Name, rm.o.recordPath()))
}

func (rm *removal) save(action string) error {
	if err := rm.o.writeRecord(rm.rec); err != nil {
		return err
	}
	rm.Actions = append(rm.Actions, action)
	return nil
}

// do removes the instance, each step skipping what is done already.
func (rm *removal) do(ctx context.Context) error {
	for _, step := range []func(context.Context) error{rm.stop, rm.dropDatabase, rm.removeFiles, rm.removeUnit, rm.removeDirs} {
		if err := step(ctx); err != nil {
			return err
		}
	}
	rm.rec.drop(rm.in.Name)
	if rm.in.State == StateAdding {
		return rm.o.writeRecord(rm.rec)
	}
	rm.Notes = append(rm.Notes, fmt.Sprintf("the databases instance %s replicated keep their bucardo schema (triggers, delta tables): "+
		"drop it by hand once no other Bucardo uses them", rm.in.Name))
	return rm.save(fmt.Sprintf("remove instance %s from %q", rm.in.Name, rm.o.recordPath()))
}

// stop disables the unit and stops the daemon, waiting until it is gone.
func (rm *removal) stop(ctx context.Context) error {
	svc := Service(rm.in.Name)
	if rm.o.systemd() {
		if err := systemctl(ctx, rm.o, "disable", "--now", svc); err != nil {
			rm.Notes = append(rm.Notes, err.Error())
		} else {
			rm.Actions = append(rm.Actions, "systemctl disable --now "+svc)
		}
	} else if link := rm.o.real(wantsLink(rm.in.Name)); rm.o.exists(link) {
		if err := rm.o.removeFile(link); err != nil {
			return err
		}
		rm.Actions = append(rm.Actions, fmt.Sprintf("remove the link %q that enables %s (systemd does not run here)", link, svc))
	}
	pid, running := daemon(rm.o, rm.in.Name)
	if !running {
		return nil
	}
	if _, err := rm.bucardo(ctx, "stop"); err != nil {
		return err
	}
	if err := rm.waitStopped(pid); err != nil {
		return err
	}
	rm.Actions = append(rm.Actions, fmt.Sprintf("stop the daemon (pid %d) with bucardo stop", pid))
	return nil
}

func (rm *removal) bucardo(ctx context.Context, args ...string) (string, error) {
	return rm.runner.bucardo(ctx, rm.o.real(rm.bin), rm.o.real(rm.in.RC), rm.workDir(), args...)
}

// workDir is the instance's log folder, where bucardo writes its relative
// files; the root folder if it is gone.
func (rm *removal) workDir() string {
	if dir := rm.o.real(logDir(rm.in.Name)); rm.o.exists(dir) {
		return dir
	}
	return "/"
}

// waitStopped waits for process pid to exit.
func (rm *removal) waitStopped(pid int) error {
	deadline := time.Now().Add(rm.o.StopTimeout)
	for alive(pid) {
		if time.Now().After(deadline) {
			return fmt.Errorf("the daemon of instance %s (pid %d) is still running %s after bucardo stop", rm.in.Name, pid, rm.o.StopTimeout)
		}
		time.Sleep(100 * time.Millisecond)
	}
	return nil
}

// dropDatabase drops the config database when asked, or when a half add
// created it.
func (rm *removal) dropDatabase(ctx context.Context) error {
	created := rm.in.State == StateAdding && rm.in.CreatedDatabase
	if !rm.drop && !created {
		if rm.in.State != StateAdding {
			rm.Notes = append(rm.Notes, fmt.Sprintf("kept the config database %s (--drop-database drops it)", rm.in.Database.Name))
		}
		return nil
	}
	db := rm.in.Database
	if _, err := rm.runner.query(ctx, db, "postgres", fmt.Sprintf(`DROP DATABASE IF EXISTS "%s"`, db.Name)); err != nil {
		return fmt.Errorf("dropping the config database %s: %w", db.Name, err)
	}
	rm.in.CreatedDatabase = false
	rm.Actions = append(rm.Actions, "drop the config "+db.describe())
	return nil
}

func (rm *removal) removeFiles(context.Context) error {
	for _, f := range rm.in.Files {
		path := rm.o.real(f.Path)
		if err := rm.o.removeStrays(path); err != nil {
			return err
		}
		if !rm.o.exists(path) {
			continue
		}
		if err := rm.o.removeFile(path); err != nil {
			return err
		}
		rm.Actions = append(rm.Actions, fmt.Sprintf("remove %q", path))
	}
	return nil
}

// removeDirs removes the run folder and the folders add created, deepest
// first, if empty; the log folder of an added instance stays. A folder
// other instances still use is handed to one of them, so that the last
// removal takes it.
func (rm *removal) removeDirs(context.Context) error {
	name := rm.in.Name
	logs := rm.o.real(logDir(name))
	for _, d := range []string{rm.o.real(runDir(name)), logs} {
		if d == logs && rm.in.State != StateAdding {
			if rm.o.exists(d) {
				rm.Notes = append(rm.Notes, fmt.Sprintf("kept the logs in %q", d))
			}
			continue
		}
		if !rm.o.exists(d) {
			continue
		}
		if err := rm.o.removeAll(d); err != nil {
			return err
		}
		rm.Actions = append(rm.Actions, fmt.Sprintf("remove folder %q", d))
	}
	dirs := slices.Clone(rm.in.Dirs)
	slices.Reverse(dirs)
	for _, d := range dirs {
		if d == logDir(name) && rm.in.State != StateAdding {
			continue
		}
		p := rm.o.real(d)
		switch {
		case !rm.o.exists(p):
		case rm.o.removeIfEmpty(p):
			rm.Actions = append(rm.Actions, fmt.Sprintf("remove folder %q (empty)", p))
		default:
			rm.handOver(d)
		}
	}
	return nil
}

// handOver gives host folder dir, which add created and which is not
// empty, to another instance to remove.
func (rm *removal) handOver(dir string) {
	for _, in := range rm.rec.Instances {
		if in != rm.in {
			if !slices.Contains(in.Dirs, dir) {
				in.Dirs = append([]string{dir}, in.Dirs...)
			}
			return
		}
	}
}

// removeUnit removes the template unit with the last instance, if it is
// still the one bcfork wrote.
func (rm *removal) removeUnit(ctx context.Context) error {
	if len(rm.rec.Instances) > 1 || rm.rec.Unit == nil {
		return nil
	}
	path := rm.o.real(UnitPath)
	if err := rm.o.removeStrays(path); err != nil {
		return err
	}
	data, _, ok, err := rm.o.readFile(path, maxFile)
	if err != nil {
		return err
	}
	switch {
	case ok && !rm.rec.Unit.knows(sum(data)):
		rm.Notes = append(rm.Notes, fmt.Sprintf("left %q: it changed since bcfork wrote it", path))
	case ok:
		if err := rm.o.removeFile(path); err != nil {
			return err
		}
		rm.Actions = append(rm.Actions, fmt.Sprintf("remove the template unit %q (last instance)", path))
		if rm.o.systemd() {
			if err := systemctl(ctx, rm.o, "daemon-reload"); err != nil {
				rm.Notes = append(rm.Notes, err.Error())
			}
		}
	}
	rm.rec.Unit = nil
	return nil
}

// systemctl runs systemctl with args.
func systemctl(ctx context.Context, o Options, args ...string) error {
	out, err := exec.CommandContext(ctx, o.Systemctl, args...).CombinedOutput()
	if err != nil {
		return fmt.Errorf("systemctl %s: %w: %s", strings.Join(args, " "), err, strings.TrimSpace(string(out)))
	}
	return nil
}
