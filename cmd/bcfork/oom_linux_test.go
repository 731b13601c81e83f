package main

import (
	"bufio"
	"os"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// outOfMemory runs out of memory as bcfork's Main would crash: with the
// address space limited to what it has plus 1 GB, and no core dump.
func outOfMemory() int {
	crashOnFatal()
	vm := vmSize()
	syscall.Setrlimit(syscall.RLIMIT_CORE, &syscall.Rlimit{})
	syscall.Setrlimit(syscall.RLIMIT_AS, &syscall.Rlimit{Cur: vm + 1<<30, Max: vm + 1<<30})
	for {
		kept = append(kept, make([]byte, 64<<20))
	}
}

// kept holds what outOfMemory allocates, so that none of it is freed.
var kept [][]byte

// vmSize is the process's virtual memory size in bytes, from /proc.
func vmSize() uint64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		panic(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "VmSize:"); ok {
			kb, err := strconv.ParseUint(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			if err != nil {
				panic(err)
			}
			return kb << 10
		}
	}
	panic("no VmSize in /proc/self/status")
}

// Running out of memory is a crash of the Go runtime, which would exit 2,
// the code of a usage error: bcfork makes it abort with SIGABRT instead.
func TestOutOfMemoryIsNoUsageError(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector reserves terabytes of address space and fails its own way")
	}
	c := startChild(t, "oom")
	code := c.exited(t, time.Now(), time.Minute)
	ws := c.cmd.ProcessState.Sys().(syscall.WaitStatus)
	if code == ExitUsage || !ws.Signaled() || ws.Signal() != syscall.SIGABRT {
		t.Errorf("exit %d (%v), want an abort by SIGABRT; stderr:\n%.2000s", code, c.cmd.ProcessState, &c.stderr)
	}
	if !strings.Contains(c.stderr.String(), "fatal error: out of memory") {
		t.Errorf("stderr:\n%.2000s", &c.stderr)
	}
}
