package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"
)

// The tests below run this test binary again as a child process, which
// init turns into bcfork (helper "main", arguments in BCFORK_TEST_ARGS,
// one per line) or into a run that ignores its context ("stubborn").
func init() {
	switch os.Getenv("BCFORK_TEST_HELPER") {
	case "main":
		os.Args = append([]string{"bcfork"}, strings.Split(os.Getenv("BCFORK_TEST_ARGS"), "\n")...)
		os.Exit(Main())
	case "stubborn":
		os.Exit(withSignals(func(context.Context) int {
			fmt.Println("ready")
			time.Sleep(time.Hour) // whatever it is doing, it does not look at its context
			return ExitOK
		}, os.Stderr, os.Exit))
	case "oom":
		os.Exit(outOfMemory())
	}
}

// child is a running helper process.
type child struct {
	cmd    *exec.Cmd
	stdout *bufio.Reader
	first  chan string // the first line of its standard output
	stderr bytes.Buffer
	done   chan error
}

func startChild(t *testing.T, helper string, args ...string) *child {
	t.Helper()
	c := &child{cmd: exec.Command(os.Args[0], "-test.run=^$"), first: make(chan string, 1), done: make(chan error, 1)}
	c.cmd.Env = append(os.Environ(), "BCFORK_TEST_HELPER="+helper, "BCFORK_TEST_ARGS="+strings.Join(args, "\n"),
		"GITHUB_TOKEN=", "BCFORK_GITHUB_TOKEN=", "GORACE=atexit_sleep_ms=0")
	c.cmd.Stderr = &c.stderr
	out, err := c.cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	c.stdout = bufio.NewReader(out)
	if err := c.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.cmd.Process.Kill() })
	go func() {
		// One reader only: the first line for ready, then the rest is
		// drained, so the child never blocks on a full pipe.
		line, _ := c.stdout.ReadString('\n')
		c.first <- line
		io.Copy(io.Discard, c.stdout)
		c.done <- c.cmd.Wait()
	}()
	return c
}

// signal sends sig and returns when it was sent.
func (c *child) signal(t *testing.T, sig os.Signal) time.Time {
	t.Helper()
	if err := c.cmd.Process.Signal(sig); err != nil {
		t.Fatal(err)
	}
	return time.Now()
}

// exited waits up to within for the child to end and returns its exit code.
func (c *child) exited(t *testing.T, since time.Time, within time.Duration) int {
	t.Helper()
	select {
	case err := <-c.done:
		var ee *exec.ExitError
		if err != nil && !errors.As(err, &ee) {
			t.Fatal(err)
		}
		t.Logf("exited %v after the signal", time.Since(since).Round(time.Millisecond))
		return c.cmd.ProcessState.ExitCode()
	case <-time.After(within):
		t.Fatalf("still running %v after the signal; stderr:\n%s", within, &c.stderr)
	}
	return 0
}

func (c *child) stillRunning(t *testing.T, for_ time.Duration) {
	t.Helper()
	select {
	case err := <-c.done:
		t.Fatalf("the first signal ended the process (%v); stderr:\n%s", err, &c.stderr)
	case <-time.After(for_):
	}
}

func (c *child) ready(t *testing.T) {
	t.Helper()
	select {
	case line := <-c.first:
		if line != "ready\n" {
			t.Fatalf("child: %q; stderr:\n%s", line, &c.stderr)
		}
	case <-time.After(30 * time.Second):
		t.Fatalf("child not ready after 30 s; stderr:\n%s", &c.stderr)
	}
}

// A run that ignores its context keeps going after the first Ctrl-C; the
// second ends the process at once, exit 130.
func TestSecondInterruptQuits(t *testing.T) {
	c := startChild(t, "stubborn")
	c.ready(t)
	c.signal(t, os.Interrupt)
	c.stillRunning(t, 300*time.Millisecond)
	sent := c.signal(t, os.Interrupt)
	if code := c.exited(t, sent, time.Second); code != ExitInterrupted {
		t.Errorf("exit %d, want %d", code, ExitInterrupted)
	}
	if !strings.Contains(c.stderr.String(), "bcfork: interrupted: stopping (Ctrl-C again quits at once)") {
		t.Errorf("stderr:\n%s", &c.stderr)
	}
}

// SIGTERM ends the process within a second whatever it is doing, exit 143.
func TestTerminateQuitsWithinASecond(t *testing.T) {
	c := startChild(t, "stubborn")
	c.ready(t)
	sent := c.signal(t, syscall.SIGTERM)
	if code := c.exited(t, sent, time.Second); code != ExitTerminated {
		t.Errorf("exit %d, want %d", code, ExitTerminated)
	}
}

// A real bcfork waiting on a GitHub that never answers stops at the first
// Ctrl-C, exit 130, and at the first SIGTERM, exit 143.
func TestSignalStopsAFetch(t *testing.T) {
	for _, sig := range []os.Signal{os.Interrupt, syscall.SIGTERM} {
		t.Run(sig.String(), func(t *testing.T) {
			asked := make(chan struct{}, 1)
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				asked <- struct{}{}
				<-r.Context().Done() // never answers
			}))
			t.Cleanup(srv.Close)
			c := startChild(t, "main", "fetch", "--version", "5.6.0", "--github-api", srv.URL, "--no-cache")
			select {
			case <-asked:
			case <-time.After(10 * time.Second):
				t.Fatalf("bcfork never asked the server; stderr:\n%s", &c.stderr)
			}
			sent := c.signal(t, sig)
			want := map[os.Signal]int{os.Interrupt: ExitInterrupted, syscall.SIGTERM: ExitTerminated}[sig]
			if code := c.exited(t, sent, time.Second); code != want {
				t.Errorf("exit %d, want %d; stderr:\n%s", code, want, &c.stderr)
			}
		})
	}
}

// panicWriter panics when written to, as a bug in bcfork would.
type panicWriter struct{}

func (panicWriter) Write([]byte) (int, error) { panic("a bug") }

// A panic is an internal error: exit 1 (never 2, a usage error), with a
// hint to report it.
func TestPanicIsAnInternalError(t *testing.T) {
	var stderr bytes.Buffer
	code := run(context.Background(), []string{"bcfork", "--help"}, panicWriter{}, &stderr)
	if code != ExitFailure {
		t.Errorf("exit %d, want %d", code, ExitFailure)
	}
	for _, want := range []string{"bcfork: internal error: ", "a bug", "bcfork: hint: this is a bug in bcfork", "please report it", "goroutine "} {
		if !strings.Contains(stderr.String(), want) {
			t.Errorf("stderr lacks %q:\n%s", want, &stderr)
		}
	}
}
