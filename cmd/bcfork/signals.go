package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"
)

// termGrace is how long bcfork lets the work in hand stop by itself after
// SIGTERM before it exits anyway.
const termGrace = 500 * time.Millisecond

// withSignals runs f with a context that the first SIGINT or SIGTERM
// cancels, so that the work in hand stops cleanly where it can. A second
// SIGINT ends the process at once (exit ExitInterrupted); after SIGTERM it
// ends as soon as f returns, and after termGrace whatever f is doing (exit
// ExitTerminated). exit is os.Exit but in tests; stderr gets a notice.
func withSignals(f func(ctx context.Context) int, stderr io.Writer, exit func(int)) int {
	ctx, cancel := context.WithCancelCause(context.Background())
	defer cancel(nil)
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	defer signal.Stop(sigs)
	go watchSignals(ctx, sigs, cancel, stderr, exit)
	code := f(ctx)
	if s, ok := context.Cause(ctx).(signalled); ok && code != ExitOK {
		return s.code()
	}
	return code
}

// signalled is the cause of a context a signal cancelled.
type signalled struct{ sig os.Signal }

func (s signalled) Error() string { return "stopped by " + s.sig.String() }

func (s signalled) code() int {
	if s.sig == syscall.SIGTERM {
		return ExitTerminated
	}
	return ExitInterrupted
}

// watchSignals cancels the run at the first signal and ends the process at
// the second, or termGrace after a SIGTERM.
func watchSignals(ctx context.Context, sigs <-chan os.Signal, cancel context.CancelCauseFunc, stderr io.Writer, exit func(int)) {
	var first os.Signal
	select {
	case first = <-sigs:
	case <-ctx.Done():
		return // the run ended
	}
	s := signalled{first}
	cancel(s)
	var grace <-chan time.Time
	if first == syscall.SIGTERM {
		grace = time.After(termGrace)
	} else {
		fmt.Fprintln(stderr, "bcfork: interrupted: stopping (Ctrl-C again quits at once)")
	}
	select {
	case second := <-sigs:
		exit(signalled{second}.code())
	case <-grace:
		exit(s.code())
	}
}
