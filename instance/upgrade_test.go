package instance

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/bcfork/bcfork/instance/instancetest"
	"github.com/bcfork/bcfork/internal/beneath"
)

// oldHost is a fake host with instances a and b added, as a bcfork before
// commit 6d4c6ef left it: the template unit without its ExecStartPost
// line, recorded as bcfork's.
func oldHost(t *testing.T) (work string, h *instancetest.Host, o Options) {
	t.Helper()
	work, h = fakeHost(t)
	o, err := Options{Root: h.Root}.withDefaults() // for o.readRecord
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"a", "b"} {
		if _, err := Add(context.Background(), o, AddOptions{Name: name}); err != nil {
			t.Fatal(err)
		}
	}
	if err := instancetest.WriteOldUnit(h.Root); err != nil {
		t.Fatal(err)
	}
	return work, h, o
}

// readUnit returns the template unit on the host.
func readUnit(t *testing.T, o Options) string {
	t.Helper()
	data, err := os.ReadFile(o.real(UnitPath))
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

// newUnit is the template unit this bcfork writes on a fake host.
func newUnit(t *testing.T) string {
	t.Helper()
	data, err := Unit("/usr/bin/bucardo")
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

// clean fails the test unless status finds no drift and nothing to
// upgrade.
func clean(t *testing.T, what string, o Options) {
	t.Helper()
	drift, err := Drift(o)
	if err != nil || len(drift) > 0 {
		t.Errorf("%s: drift %q, %v; want none", what, drift, err)
	}
	notices, err := Notices(o)
	if err != nil || len(notices) > 0 {
		t.Errorf("%s: notices %q, %v; want none", what, notices, err)
	}
}

// oldHostRunningA is oldHost with the fake systemctl (log is what it ran)
// and the daemon of instance a started (pid), stopped at the test's end.
func oldHostRunningA(t *testing.T) (o Options, log string, pid int) {
	t.Helper()
	work, _, o := oldHost(t)
	o.Systemctl, log = withSystemd(t, work)
	ctx := context.Background()
	if err := Exec(ctx, o, "a", []string{"start"}, nil, nil, nil); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { Exec(ctx, o, "a", []string{"stop"}, nil, nil, nil) })
	pid, running := daemon(o, "a")
	if !running {
		t.Fatal("the fake daemon of a does not run")
	}
	return o, log, pid
}

// TestUpgradeOldUnit: a unit an older bcfork wrote, untouched since, is no
// drift but a notice naming bcfork instance upgrade, and list shows it for
// every instance. Upgrade rewrites it, records it, runs systemctl
// daemon-reload and names the running instance to restart, restarting
// nothing; a second upgrade has nothing to do.
func TestUpgradeOldUnit(t *testing.T) {
	o, log, pid := oldHostRunningA(t)
	ctx := context.Background()

	unit := o.real(UnitPath)
	drift, err := Drift(o)
	if err != nil || len(drift) > 0 {
		t.Errorf("drift of an old unit: %q, %v; want none", drift, err)
	}
	notices, err := Notices(o)
	want := `"` + unit + `" is as an older bcfork wrote it; this bcfork writes it otherwise: bcfork instance upgrade rewrites it`
	if err != nil || len(notices) != 1 || notices[0] != want {
		t.Errorf("notices: %q, %v; want %q", notices, err, want)
	}
	list, err := List(o)
	if err != nil || len(list) != 2 {
		t.Fatalf("list: %+v, %v", list, err)
	}
	for _, s := range list {
		if !slices.Equal(s.Outdated, []string{unit}) {
			t.Errorf("list: instance %s: outdated %q, want the unit", s.Name, s.Outdated)
		}
	}

	res, err := Upgrade(ctx, o, UpgradeOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if got := readUnit(t, o); got != newUnit(t) {
		t.Errorf("the unit after upgrade:\n%s\nwant:\n%s", got, newUnit(t))
	}
	rec, err := o.readRecord()
	if err != nil || rec.Unit.SHA256 != sum([]byte(newUnit(t))) || rec.Unit.Replacing != nil {
		t.Errorf("the record's unit after upgrade: %+v, %v", rec.Unit, err)
	}
	if !slices.Contains(res.Actions, `rewrite "`+unit+`" as this bcfork writes it`) || !slices.Contains(res.Actions, "systemctl daemon-reload") {
		t.Errorf("actions: %q", res.Actions)
	}
	restart := "instance a runs (pid " + strconv.Itoa(pid) + "), started under the old unit: systemctl restart bucardo@a.service starts it under the new one (bcfork restarts nothing)"
	if !slices.Equal(res.Notes, []string{restart}) {
		t.Errorf("notes: %q\nwant: %q", res.Notes, restart)
	}
	if data, _ := os.ReadFile(log); string(data) != "daemon-reload\n" {
		t.Errorf("systemctl was run with %q, want daemon-reload alone", data)
	}
	if _, still := daemon(o, "a"); !still {
		t.Error("upgrade stopped instance a")
	}
	clean(t, "after upgrade", o)
	list, _ = List(o)
	for _, s := range list {
		if len(s.Outdated) > 0 {
			t.Errorf("list after upgrade: instance %s: outdated %q", s.Name, s.Outdated)
		}
	}

	was := snapshot(t, o.Root)
	res, err = Upgrade(ctx, o, UpgradeOptions{})
	if err != nil || len(res.Actions) > 0 || len(res.Notes) > 0 {
		t.Errorf("a second upgrade: %+v, %v; want nothing done", res, err)
	}
	sameTree(t, "a second upgrade", was, o.Root)
	if data, _ := os.ReadFile(log); string(data) != "daemon-reload\n" {
		t.Errorf("a second upgrade ran systemctl: %q", data)
	}
}

// TestAddOldUnitRestartNotes: add rewrites a unit an older bcfork wrote,
// and names, as upgrade does, the other instances that run under the old
// unit (a, not b which does not run), restarting none.
func TestAddOldUnitRestartNotes(t *testing.T) {
	o, log, pid := oldHostRunningA(t)
	ctx := context.Background()

	res, err := Add(ctx, o, AddOptions{Name: "c"})
	if err != nil {
		t.Fatal(err)
	}
	if got := readUnit(t, o); got != newUnit(t) {
		t.Fatalf("add left the old unit:\n%s", got)
	}
	restart := "instance a runs (pid " + strconv.Itoa(pid) + "), started under the old unit: systemctl restart bucardo@a.service starts it under the new one (bcfork restarts nothing)"
	want := []string{restart, "not started: systemctl enable --now bucardo@c.service starts it now and at boot"}
	if !slices.Equal(res.Notes, want) {
		t.Errorf("notes: %q\nwant: %q", res.Notes, want)
	}
	if data, _ := os.ReadFile(log); string(data) != "daemon-reload\n" {
		t.Errorf("systemctl was run with %q, want daemon-reload alone", data)
	}
	if _, still := daemon(o, "a"); !still {
		t.Error("add stopped instance a")
	}

	// the unit now as this bcfork writes it, a further add names no one
	res, err = Add(ctx, o, AddOptions{Name: "d"})
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range res.Notes {
		if strings.Contains(n, "old unit") {
			t.Errorf("add with the unit as it is: note %q", n)
		}
	}
}

// TestUpgradeUnderRoot: under --root systemd is not asked; upgrade says
// what to run where it is.
func TestUpgradeUnderRoot(t *testing.T) {
	_, _, o := oldHost(t)
	res, err := Upgrade(context.Background(), o, UpgradeOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if want := "under --root systemd is not asked: where it does, systemctl daemon-reload loads the new unit"; !slices.Equal(res.Notes, []string{want}) {
		t.Errorf("notes: %q, want %q", res.Notes, want)
	}
	if readUnit(t, o) != newUnit(t) {
		t.Error("the unit was not rewritten")
	}
	clean(t, "after upgrade", o)
}

// TestUpgradeRefusesChanged: an old unit the operator changed, removed
// or chmodded is not rewritten: upgrade fails naming it and how it
// differs, and nothing changes. With Force it is rewritten, changed
// content kept in the state folder first.
func TestUpgradeRefusesChanged(t *testing.T) {
	edited := instancetest.UnitBefore6d4c6ef + "# mine\n"
	for _, c := range []struct {
		name   string
		spoil  func(path string) error
		how    string
		copied bool
	}{
		{"edited", func(p string) error { return os.WriteFile(p, []byte(edited), 0o644) }, "changed since bcfork wrote it", true},
		{"gone", os.Remove, "is gone", false},
		{"chmod", func(p string) error { return os.Chmod(p, 0o600) }, "has mode 0600, written as 0644", false},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, h, o := oldHost(t)
			unit := o.real(UnitPath)
			if err := c.spoil(unit); err != nil {
				t.Fatal(err)
			}
			notices, _ := Notices(o)
			if len(notices) != 1 || !strings.Contains(notices[0], "bcfork instance upgrade --force rewrites it, keeping a copy") {
				t.Errorf("notices: %q", notices)
			}
			was := snapshot(t, h.Root)
			_, err := Upgrade(context.Background(), o, UpgradeOptions{})
			var ce *ChangedError
			want := `not upgrading what changed since bcfork wrote it (nothing was changed): "` + unit + `" ` + c.how
			if !errors.As(err, &ce) || err.Error() != want {
				t.Fatalf("upgrade of a %s unit: %v\nwant: %s", c.name, err, want)
			}
			sameTree(t, "a refused upgrade", was, h.Root)

			res, err := Upgrade(context.Background(), o, UpgradeOptions{Force: true})
			if err != nil {
				t.Fatal(err)
			}
			if readUnit(t, o) != newUnit(t) {
				t.Error("upgrade --force did not rewrite the unit")
			}
			if info, err := os.Stat(unit); err != nil || info.Mode().Perm() != 0o644 {
				t.Errorf("the unit after upgrade --force: %v, %v", info, err)
			}
			if !slices.Contains(res.Actions, `rewrite "`+unit+`" as this bcfork writes it (--force: it `+c.how+`)`) {
				t.Errorf("actions: %q", res.Actions)
			}
			kept := o.real(keptCopy(o.StateDir, UnitPath, sum([]byte(edited))))
			data, err := os.ReadFile(kept)
			switch {
			case c.copied && (err != nil || string(data) != edited):
				t.Errorf("the changed unit is not kept in %s: %v", kept, err)
			case c.copied && !slices.Contains(res.Actions, `keep a copy of changed "`+unit+`" in "`+kept+`"`):
				t.Errorf("actions do not say where the copy is: %q", res.Actions)
			case !c.copied:
				if _, err := os.Stat(filepath.Join(h.Root, "var/lib/bcfork/backup")); !os.IsNotExist(err) {
					t.Errorf("a copy was kept of a file that did not change: %v", err)
				}
			}
			clean(t, "after upgrade --force", o)
		})
	}
}

// olderEntries makes instance name's tmpfiles.d and logrotate entries
// what a bcfork that wrote them otherwise would have left: other content,
// recorded as bcfork's. (No release wrote them otherwise yet; the unit
// is the one that changed.)
func olderEntries(t *testing.T, o Options, name string) {
	t.Helper()
	rec, err := o.readRecord()
	if err != nil {
		t.Fatal(err)
	}
	in := rec.find(name)
	for i, f := range in.Files {
		if f.Path == in.RC {
			continue
		}
		old := []byte("# written by an older bcfork\n")
		if err := os.WriteFile(o.real(f.Path), old, 0o644); err != nil {
			t.Fatal(err)
		}
		in.Files[i].SHA256 = sum(old)
	}
	if err := o.writeRecord(rec); err != nil {
		t.Fatal(err)
	}
}

// TestUpgradeEntries: tmpfiles.d and logrotate entries an older bcfork
// wrote otherwise are rewritten too, without a daemon-reload.
func TestUpgradeEntries(t *testing.T) {
	work, h := fakeHost(t)
	systemctl, log := withSystemd(t, work)
	o, err := Options{Root: h.Root, Systemctl: systemctl}.withDefaults()
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if _, err := Add(ctx, o, AddOptions{Name: "a"}); err != nil {
		t.Fatal(err)
	}
	os.Remove(log)
	olderEntries(t, o, "a")
	list, err := List(o)
	want := []string{o.real(tmpfilesPath("a")), o.real(logrotatePath("a"))}
	if err != nil || !slices.Equal(list[0].Outdated, want) {
		t.Errorf("list: outdated %q, %v; want %q", list[0].Outdated, err, want)
	}
	if notices, _ := Notices(o); len(notices) != 2 {
		t.Errorf("notices: %q, want the two entries", notices)
	}
	res, err := Upgrade(ctx, o, UpgradeOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for path, data := range map[string][]byte{tmpfilesPath("a"): Tmpfiles("a"), logrotatePath("a"): Logrotate("a")} {
		if got, err := os.ReadFile(o.real(path)); err != nil || string(got) != string(data) {
			t.Errorf("%s after upgrade: %q, %v", path, got, err)
		}
	}
	if len(res.Notes) > 0 || slices.Contains(res.Actions, "systemctl daemon-reload") {
		t.Errorf("upgrade of the entries alone: %+v", res)
	}
	if _, err := os.Stat(log); !os.IsNotExist(err) {
		t.Errorf("systemctl was run: %v", err)
	}
	clean(t, "after upgrade", o)
}

// TestUpgradeInterrupted: an upgrade stopped after it recorded what it
// rewrites (killed, or systemctl daemon-reload failing) is drift that
// names bcfork instance upgrade, not a changed file; upgrade finishes it,
// reloading systemd.
func TestUpgradeInterrupted(t *testing.T) {
	t.Run("killed before writing", func(t *testing.T) {
		_, _, o := oldHost(t)
		rec, err := o.readRecord()
		if err != nil {
			t.Fatal(err)
		}
		up, err := planUpgrade(o, rec, "/usr/bin/bucardo", false)
		if err != nil || len(up.files) != 1 {
			t.Fatalf("plan: %+v, %v", up, err)
		}
		up.files[0].record() // what run saves first
		if err := o.writeRecord(rec); err != nil {
			t.Fatal(err)
		}
		interrupted(t, o)
		if _, err := Upgrade(context.Background(), o, UpgradeOptions{}); err != nil {
			t.Fatal(err)
		}
		if readUnit(t, o) != newUnit(t) {
			t.Error("the unit was not rewritten")
		}
		clean(t, "after the upgrade finished", o)
	})
	t.Run("daemon-reload failing", func(t *testing.T) {
		work, _, o := oldHost(t)
		systemctl, log := withSystemd(t, work)
		o.Systemctl = systemctl
		fail := filepath.Join(work, "fail")
		if err := os.WriteFile(fail, nil, 0o644); err != nil {
			t.Fatal(err)
		}
		_, err := Upgrade(context.Background(), o, UpgradeOptions{})
		if err == nil || !strings.Contains(err.Error(), "upgrade stopped half way (bcfork instance upgrade finishes it once the cause is fixed): systemctl daemon-reload: exit status 1") {
			t.Fatalf("upgrade with daemon-reload failing: %v", err)
		}
		interrupted(t, o)
		os.Remove(fail)
		res, err := Upgrade(context.Background(), o, UpgradeOptions{})
		if err != nil || !slices.Contains(res.Actions, "systemctl daemon-reload") {
			t.Fatalf("upgrade again: %+v, %v", res, err)
		}
		if data, _ := os.ReadFile(log); string(data) != "daemon-reload\ndaemon-reload\n" {
			t.Errorf("systemctl was run with %q", data)
		}
		clean(t, "after the upgrade finished", o)
	})
}

// interrupted fails the test unless status says, and only says, that an
// upgrade of the unit was interrupted.
func interrupted(t *testing.T, o Options) {
	t.Helper()
	drift, err := Drift(o)
	want := `an upgrade of "` + o.real(UnitPath) + `" was interrupted: run bcfork instance upgrade to finish it`
	if err != nil || !slices.Equal(drift, []string{want}) {
		t.Errorf("drift: %q, %v\nwant: %q", drift, err, want)
	}
	if notices, err := Notices(o); err != nil || len(notices) > 0 {
		t.Errorf("notices of an interrupted upgrade: %q, %v", notices, err)
	}
}

// TestUpgradeNoFork: upgrade needs the fork, whose script the unit names.
func TestUpgradeNoFork(t *testing.T) {
	work := t.TempDir()
	_, err := Upgrade(context.Background(), Options{Root: work}, UpgradeOptions{})
	var ni *NotInstalledError
	if !errors.As(err, &ni) {
		t.Fatalf("upgrade without the fork: %v", err)
	}
	if entries, _ := os.ReadDir(work); len(entries) > 0 {
		t.Errorf("upgrade without the fork made %v", entries)
	}
}

// TestUpgradeFollowsNoLink: a link below --root at a file upgrade would
// rewrite, at a folder above one, or at the state folder's backup folder
// where --force keeps a changed file, fails upgrade, with --force too,
// naming the link; nothing changes, outside --root or below it.
func TestUpgradeFollowsNoLink(t *testing.T) {
	for _, c := range []linkCase{
		{path: "/etc/systemd", dir: true},
		{path: filepath.Dir(UnitPath), dir: true},
		{path: UnitPath},
		{path: TmpfilesDir, dir: true},
		{path: tmpfilesPath("a")},
		{path: LogrotateDir, dir: true},
		{path: logrotatePath("a")},
		{path: "/var/lib/bcfork/backup", dir: true},
	} {
		for _, force := range []bool{false, true} {
			if c.path == "/var/lib/bcfork/backup" && !force {
				continue // only --force keeps a copy
			}
			t.Run(c.path+map[bool]string{true: " --force"}[force], func(t *testing.T) {
				work, h, o := oldHost(t)
				olderEntries(t, o, "a")
				if force { // a changed unit, for --force to keep
					if err := os.WriteFile(o.real(UnitPath), []byte(instancetest.UnitBefore6d4c6ef+"# mine\n"), 0o644); err != nil {
						t.Fatal(err)
					}
				}
				outside := filepath.Join(work, "outside")
				if err := os.Mkdir(outside, 0o755); err != nil {
					t.Fatal(err)
				}
				link := linkOut(t, h.Root, outside, c.path, c.dir, c.content)
				wasRoot, wasOut := snapshot(t, h.Root), snapshot(t, outside)
				_, err := Upgrade(context.Background(), o, UpgradeOptions{Force: force})
				if !errors.Is(err, beneath.ErrLink) {
					t.Fatalf("upgrade with a link at %s: %v, want a link error", link, err)
				}
				namedOnce(t, "upgrade", err.Error(), link)
				sameTree(t, "outside --root", wasOut, outside)
				sameTree(t, "below --root", wasRoot, h.Root)
			})
		}
	}
}

// TestUpgradeNotRegular: a FIFO or a folder where the unit is fails
// upgrade, with --force too, and nothing changes.
func TestUpgradeNotRegular(t *testing.T) {
	for _, kind := range []string{"fifo", "folder"} {
		t.Run(kind, func(t *testing.T) {
			work, h, o := oldHost(t)
			s := spoilers[kind]
			unit := s.put(t, work, h.Root, UnitPath)
			was := snapshot(t, h.Root)
			for _, force := range []bool{false, true} {
				_, err := Upgrade(context.Background(), o, UpgradeOptions{Force: force})
				if !errors.Is(err, s.err) {
					t.Fatalf("upgrade (force %v) with a %s unit: %v", force, kind, err)
				}
				namedOnce(t, "upgrade", err.Error(), unit)
			}
			sameTree(t, "below --root", was, h.Root)
		})
	}
}
