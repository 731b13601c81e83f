package instance

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestUnitStartPost runs the unit's ExecStartPost line on a pid file as
// the MCP writes it. The MCP writes its pid file twice: first as the
// session leader that bucardo start forked, which then forks and exits,
// then as that fork. systemd must not take the first for the main process
// (it stops the service when that one exits), so the line waits for a pid
// of a live process that is not a session leader.
func TestUnitStartPost(t *testing.T) {
	post := unitOptions(t, "/usr/bin/bucardo")["Service.ExecStartPost"]
	if len(post) != 1 || !strings.HasPrefix(post[0], "/bin/sh -c '") || !strings.HasSuffix(post[0], "'") {
		t.Fatalf("ExecStartPost = %q, want one /bin/sh -c '…' line", post)
	}
	pidfile := filepath.Join(t.TempDir(), PIDFileName)
	script := strings.TrimSuffix(strings.TrimPrefix(post[0], "/bin/sh -c '"), "'")
	script = strings.ReplaceAll(script, pidFile("%i"), pidfile)
	script = strings.ReplaceAll(script, "$$", "$")
	// waits reports whether the line is still waiting after half a second.
	waits := func(pid int) bool {
		t.Helper()
		if err := os.WriteFile(pidfile, []byte(strconv.Itoa(pid)+"\nbucardo start\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
		defer cancel()
		out, err := exec.CommandContext(ctx, "/bin/sh", "-c", script).CombinedOutput()
		if err != nil && ctx.Err() == nil {
			t.Fatalf("ExecStartPost on pid %d: %v\n%s", pid, err, out)
		}
		return ctx.Err() != nil
	}
	leader := exec.Command("sleep", "30")
	leader.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	forked := exec.Command("sleep", "30")
	for _, c := range []*exec.Cmd{leader, forked} {
		if err := c.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = c.Process.Kill(); _ = c.Wait() })
	}
	if !waits(leader.Process.Pid) {
		t.Error("ExecStartPost accepted a pid file naming a session leader (the MCP before its fork)")
	}
	gone := exec.Command("true")
	if err := gone.Run(); err != nil {
		t.Fatal(err)
	}
	if !waits(gone.Process.Pid) {
		t.Error("ExecStartPost accepted a pid file naming a process that is gone")
	}
	if waits(forked.Process.Pid) {
		t.Error("ExecStartPost still waits on a pid file naming a live process that is not a session leader (the forked MCP)")
	}
}
