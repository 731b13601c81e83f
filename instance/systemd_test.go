package instance

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/bcfork/bcfork/instance/instancetest"
)

// withSystemd makes the host look run by systemd, with a fake systemctl
// that logs its arguments to the returned file (and fails while a file
// "fail" is beside it).
func withSystemd(t *testing.T, work string) (systemctl, log string) {
	t.Helper()
	saved := systemdRuns
	systemdRuns = func(string) bool { return true }
	t.Cleanup(func() { systemdRuns = saved })
	systemctl, log = filepath.Join(work, "systemctl"), filepath.Join(work, "systemctl.log")
	script := "#!/bin/sh\necho \"$*\" >>" + log + "\n[ ! -e " + filepath.Join(work, "fail") + " ] || { echo 'Failed to enable unit' >&2; exit 1; }\n"
	if err := os.WriteFile(systemctl, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	return systemctl, log
}

func fakeHost(t *testing.T) (work string, h *instancetest.Host) {
	t.Helper()
	work = t.TempDir()
	h, err := instancetest.NewHost(work)
	if err == nil {
		err = h.Install(work)
	}
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range h.Env(os.Getenv("PATH")) {
		t.Setenv(k, v)
	}
	return work, h
}

// hostWithA is fakeHost with instance a added (o reaches it).
func hostWithA(t *testing.T) (work string, h *instancetest.Host, o Options) {
	t.Helper()
	work, h = fakeHost(t)
	o = Options{Root: h.Root}
	if _, err := Add(context.Background(), o, AddOptions{Name: "a"}); err != nil {
		t.Fatal(err)
	}
	return work, h, o
}

// TestSystemd: with systemd running the host, add --enable reloads systemd
// for a new unit and enables the instance; add without it says how;
// remove disables each, and reloads once the unit is gone.
func TestSystemd(t *testing.T) {
	work, h := fakeHost(t)
	systemctl, log := withSystemd(t, work)
	o := Options{Root: h.Root, Systemctl: systemctl}
	ctx := context.Background()
	res, err := Add(ctx, o, AddOptions{Name: "a", Enable: true})
	if err != nil || !slices.Contains(res.Actions, "systemctl enable --now bucardo@a.service") {
		t.Fatalf("add a --enable: %v, %+v", err, res)
	}
	res, err = Add(ctx, o, AddOptions{Name: "b"})
	if err != nil || len(res.Notes) != 1 || res.Notes[0] != "not started: systemctl enable --now bucardo@b.service starts it now and at boot" {
		t.Fatalf("add b: %v, %q", err, res.Notes)
	}
	for _, name := range []string{"a", "b"} {
		if _, err := Remove(ctx, o, RemoveOptions{Name: name}); err != nil {
			t.Fatalf("remove %s: %v", name, err)
		}
	}
	data, _ := os.ReadFile(log)
	want := "daemon-reload\nenable --now bucardo@a.service\ndisable --now bucardo@a.service\ndisable --now bucardo@b.service\ndaemon-reload\n"
	if string(data) != want {
		t.Errorf("systemctl was run with:\n%s\nwant:\n%s", data, want)
	}
}

// TestSystemdEnableFails: an instance systemctl cannot enable is added
// all the same, and the error says so.
func TestSystemdEnableFails(t *testing.T) {
	work, h := fakeHost(t)
	systemctl, _ := withSystemd(t, work)
	if err := os.WriteFile(filepath.Join(work, "fail"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	o := Options{Root: h.Root, Systemctl: systemctl}
	_, err := Add(context.Background(), o, AddOptions{Name: "a", Enable: true})
	var ee *EnableError
	if !errors.As(err, &ee) || !strings.Contains(err.Error(), "instance a is added, but not enabled: systemctl daemon-reload: exit status 1: Failed to enable unit") {
		t.Fatalf("got %v, want an EnableError", err)
	}
	list, err := List(o)
	if err != nil || len(list) != 1 || list[0].State != StateAdded {
		t.Errorf("after a failed enable: %+v, %v; want instance a added", list, err)
	}
}
