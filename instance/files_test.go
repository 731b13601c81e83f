package instance

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/coreos/go-systemd/v22/unit"
)

// unitOptions reads the template unit for script bin back with
// go-systemd: the values of each SECTION.NAME, in order.
func unitOptions(t *testing.T, bin string) map[string][]string {
	t.Helper()
	data, err := Unit(bin)
	if err != nil {
		t.Fatal(err)
	}
	opts, err := unit.DeserializeOptions(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	got := map[string][]string{}
	for _, o := range opts {
		got[o.Section+"."+o.Name] = append(got[o.Section+"."+o.Name], o.Value)
	}
	return got
}

// TestUnit reads the template unit back with go-systemd and checks what
// each instance depends on: its own rc file, run folder and pid file.
func TestUnit(t *testing.T) {
	got := unitOptions(t, "/usr/bin/bucardo")
	for key, want := range map[string]string{
		"Service.Type":                     "forking",
		"Service.User":                     "bucardo",
		"Service.ExecStart":                "/usr/bin/bucardo --bucardorc /etc/bucardo/%i.rc start",
		"Service.PIDFile":                  "/run/bucardo/%i/bucardo.mcp.pid",
		"Service.RuntimeDirectory":         "bucardo/%i",
		"Service.RuntimeDirectoryPreserve": "yes",
		"Service.WorkingDirectory":         "/var/log/bucardo/%i",
		"Service.Restart":                  "on-failure",
		"Install.WantedBy":                 "multi-user.target",
	} {
		if v := got[key]; len(v) != 1 || v[0] != want {
			t.Errorf("%s = %q, want %q", key, v, want)
		}
	}
	if stop := got["Service.ExecStop"]; len(stop) != 2 || stop[0] != "/usr/bin/bucardo --bucardorc /etc/bucardo/%i.rc stop" || !strings.Contains(stop[1], "MAINPID") {
		t.Errorf("ExecStop = %q, want bucardo stop, then a wait for the daemon", stop)
	}
	// The unit's paths are the ones the instances' files use.
	if rc := RCPath("a"); strings.ReplaceAll(got["Service.ExecStart"][0], "%i", "a") != strings.Join(ExecStart("/usr/bin/bucardo", "a"), " ") || rc != "/etc/bucardo/a.rc" {
		t.Errorf("ExecStart for a: %q", ExecStart("/usr/bin/bucardo", "a"))
	}
	if _, err := Unit("/opt/my bucardo"); err == nil {
		t.Error("a script path with a space is accepted")
	}
}

// TestUnitVerify runs systemd-analyze verify on the template unit and on
// an instance of it. systemd-analyze checks that ExecStart's program
// exists, so the unit names a bucardo script in a temporary folder.
func TestUnitVerify(t *testing.T) {
	analyze := needTool(t, "systemd-analyze")
	dir := t.TempDir()
	bin := filepath.Join(dir, "bucardo")
	if err := os.WriteFile(bin, []byte("#!/bin/sh\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	data, err := Unit(bin)
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"bucardo@.service", "bucardo@a.service"} {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
		out, err := exec.Command(analyze, "verify", path).CombinedOutput()
		if err != nil || len(bytes.TrimSpace(out)) > 0 {
			t.Errorf("systemd-analyze verify %s: %v\n%s", name, err, out)
		}
	}
	// It does complain about a bad unit: the check can fail.
	bad := filepath.Join(dir, "bad@.service")
	if err := os.WriteFile(bad, bytes.Replace(data, []byte("Type=forking"), []byte("Type=fork"), 1), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, _ := exec.Command(analyze, "verify", bad).CombinedOutput(); !bytes.Contains(out, []byte("Failed to parse service type")) {
		t.Errorf("systemd-analyze verify accepted Type=fork silently: %s", out)
	}
}

func TestTmpfilesAndLogrotate(t *testing.T) {
	tmp := string(Tmpfiles("a"))
	for _, line := range []string{"d /run/bucardo 0755 bucardo bucardo -\n", "d /run/bucardo/a 0755 bucardo bucardo -\n"} {
		if !strings.Contains(tmp, line) {
			t.Errorf("tmpfiles entry lacks %q:\n%s", line, tmp)
		}
	}
	lr := string(Logrotate("a"))
	for _, want := range []string{"/var/log/bucardo/a/log.bucardo /var/log/bucardo/a/*.log {", "su bucardo bucardo", "copytruncate"} {
		if !strings.Contains(lr, want) {
			t.Errorf("logrotate entry lacks %q:\n%s", want, lr)
		}
	}
	if strings.Contains(lr, "/var/log/bucardo/b") {
		t.Error("instance a's logrotate entry names b's logs")
	}
}

// TestTmpfilesCreate runs systemd-tmpfiles --create on the entry under a
// temporary folder, as a boot does for /run.
func TestTmpfilesCreate(t *testing.T) {
	tmpfiles := needTool(t, "systemd-tmpfiles")
	if os.Geteuid() != 0 {
		t.Skip("systemd-tmpfiles chowns to bucardo: needs root")
	}
	root := t.TempDir()
	conf := filepath.Join(root, "bucardo-a.conf")
	data := strings.ReplaceAll(string(Tmpfiles("a")), " /run/", " "+root+"/run/")
	data = strings.ReplaceAll(data, "bucardo bucardo", "root root")
	if err := os.WriteFile(conf, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(tmpfiles, "--create", conf).CombinedOutput(); err != nil {
		t.Fatalf("systemd-tmpfiles --create: %v\n%s", err, out)
	}
	if fi, err := os.Stat(filepath.Join(root, "run/bucardo/a")); err != nil || !fi.IsDir() {
		t.Errorf("run/bucardo/a not created: %v", err)
	}
}

// needTool returns the path of one of systemd's tools, or skips the test
// when it is missing, unless BCFORK_REQUIRE_SYSTEMD=1 (CI) makes that a
// failure.
func needTool(t *testing.T, name string) string {
	t.Helper()
	path, err := exec.LookPath(name)
	switch {
	case err == nil:
		return path
	case os.Getenv("BCFORK_REQUIRE_SYSTEMD") == "1":
		t.Fatalf("%s not installed (Debian package systemd) and BCFORK_REQUIRE_SYSTEMD=1", name)
	default:
		t.Skipf("%s not installed (Debian package systemd); CI installs it", name)
	}
	return ""
}
