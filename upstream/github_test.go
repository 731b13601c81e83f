package upstream

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/bcfork/bcfork/internal/bucardo"
	"github.com/bcfork/bcfork/internal/fakegithub"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestFetchColdMakesThreeRequests(t *testing.T) {
	w := newWorld(t)
	r := w.mustFetch(t, nil)
	wantFiles(t, r, "9.9.9")
	wantRequests(t, w.srv, 3)
	if r.Requests != 3 || r.Commit != w.commit || !r.Pinned || r.FromCache || r.Kind != "github" || r.CommitPin != "upstream/9.9.9/commit" {
		t.Errorf("release = %+v", r)
	}
	reqs := w.srv.Requests()
	if reqs[0].Path != "/repos/bucardo/bucardo/commits/9.9.9" {
		t.Errorf("first request %v, want the commit of the tag", reqs[0])
	}
	for _, req := range reqs[1:] {
		if !strings.Contains(req.Path, "/contents/bucardo") || req.Query != "ref="+w.commit {
			t.Errorf("request %v, want contents at the commit", req)
		}
	}
}

func TestFetchWarmMakesNoRequest(t *testing.T) {
	w := newWorld(t)
	w.mustFetch(t, nil)
	w.srv.ClearRequests()
	r := w.mustFetch(t, nil)
	wantRequests(t, w.srv, 0)
	wantFiles(t, r, "9.9.9")
	if !r.FromCache || r.Requests != 0 || r.Commit != w.commit || !r.Pinned {
		t.Errorf("release = %+v", r)
	}
}

func TestFetchSendsToken(t *testing.T) {
	w := newWorld(t)
	w.mustFetch(t, func(o *Options) { o.Token = "t0ken"; o.CacheDir = "" })
	wantRequests(t, w.srv, 3)
	for _, req := range w.srv.Requests() {
		if req.Authorization != "Bearer t0ken" {
			t.Errorf("%v: Authorization %q", req, req.Authorization)
		}
	}
	w.srv.ClearRequests()
	w.mustFetch(t, func(o *Options) { o.CacheDir = "" })
	wantRequests(t, w.srv, 3)
	for _, req := range w.srv.Requests() {
		if req.Authorization != "" {
			t.Errorf("%v without a token: Authorization %q", req, req.Authorization)
		}
	}
}

func TestFetchBlobMismatch(t *testing.T) {
	w := newWorld(t)
	w.srv.LieAboutBlob(DefaultRepo, w.commit, "bucardo.schema", strings.Repeat("0", 40))
	_, err := w.fetch(t, nil)
	require.ErrorIs(t, err, ErrChecksum)
	var ce *ChecksumError
	if !errors.As(err, &ce) || ce.Algo != "git blob" || ce.File != "bucardo.schema" || ce.Want != strings.Repeat("0", 40) {
		t.Errorf("error = %#v", err)
	}
	wantNotCached(t, w, "9.9.9")
}

func TestFetchPinMismatch(t *testing.T) {
	w := newWorld(t)
	_, err := w.fetch(t, func(o *Options) { o.Version = "9.9.7" })
	require.ErrorIs(t, err, ErrChecksum)
	var ce *ChecksumError
	if !errors.As(err, &ce) || ce.Algo != "sha256" || ce.Pin != "upstream/9.9.7/checksums" {
		t.Fatalf("error = %#v", err)
	}
	for _, s := range []string{"expected sha256 " + ce.Want, "actual " + ce.Got, "upstream/9.9.7/checksums"} {
		assert.ErrorContains(t, err, s)
	}
	wantNotCached(t, w, "9.9.7")
}

// A tag that now points at another commit than the pinned one is refused
// after the one request that resolves it: the files are not downloaded.
func TestFetchTagMoved(t *testing.T) {
	w := newWorld(t)
	moved := w.srv.AddTag(DefaultRepo, "9.9.9", fakegithub.Files("9.9.8"))
	_, err := w.fetch(t, nil)
	require.ErrorIs(t, err, ErrChecksum)
	var ce *CommitError
	if !errors.As(err, &ce) || ce.Want != w.commit || ce.Got != moved || ce.Tag != "9.9.9" || ce.Pin != "upstream/9.9.9/commit" {
		t.Fatalf("error = %#v", err)
	}
	want := "checksum mismatch: github bucardo/bucardo@9.9.9: tag 9.9.9 was moved: expected commit " + w.commit + " (pinned in upstream/9.9.9/commit), actual " + moved
	assert.EqualError(t, err, want)
	wantRequests(t, w.srv, 1)
	wantNotCached(t, w, "9.9.9")
}

func wantNotCached(t *testing.T, w *world, ref string) {
	t.Helper()
	c := w.opt.cache()
	if _, err := os.Stat(c.entryDir(DefaultRepo, ref)); !os.IsNotExist(err) {
		t.Errorf("cache entry for %s exists (%v)", ref, err)
	}
	wantNoTemp(t, w)
}

func wantNoTemp(t *testing.T, w *world) {
	t.Helper()
	left, _ := filepath.Glob(filepath.Join(w.opt.cache().repoDir(DefaultRepo), "refs", ".tmp-*"))
	if len(left) > 0 {
		t.Errorf("temporary folders left: %v", left)
	}
}

func TestFetchRetries502(t *testing.T) {
	w := newWorld(t)
	w.srv.Fail(2, http.StatusBadGateway)
	var waits []int
	r := w.mustFetch(t, func(o *Options) {
		o.Backoff = func(attempt int) time.Duration { waits = append(waits, attempt); return time.Millisecond }
	})
	wantFiles(t, r, "9.9.9")
	wantRequests(t, w.srv, 5)
	if r.Requests != 5 || len(waits) != 2 || waits[0] != 0 || waits[1] != 1 {
		t.Errorf("requests %d, backoff attempts %v", r.Requests, waits)
	}
	assert.Contains(t, w.log.String(), "502 Bad Gateway; retrying", "log: the retry")
}

func TestFetchGivesUpAfterRetries(t *testing.T) {
	w := newWorld(t)
	w.srv.Fail(10, http.StatusServiceUnavailable)
	_, err := w.fetch(t, func(o *Options) { o.Retries = 2 })
	require.ErrorContains(t, err, "503 Service Unavailable (3 attempts)")
	wantRequests(t, w.srv, 3)
}

func TestFetchRetriesConnectionReset(t *testing.T) {
	w := newWorld(t)
	w.srv.Reset(1)
	r := w.mustFetch(t, nil)
	wantFiles(t, r, "9.9.9")
	if n := w.srv.Count(); n < 4 {
		t.Errorf("server saw %d requests, want the reset one and 3 more", n)
	}
}

func TestFetchTimeout(t *testing.T) {
	w := newWorld(t)
	w.srv.Hang(1)
	_, err := w.fetch(t, func(o *Options) { o.Timeout = 50 * time.Millisecond })
	require.ErrorIs(t, err, ErrTimeout)
	assert.ErrorContains(t, err, "within 50ms")
	// 0 when the timeout hit before the request arrived
	assert.LessOrEqual(t, w.srv.Count(), 1, "requests: a timeout is not retried")
}

func TestFetchStopsWhenCanceled(t *testing.T) {
	w := newWorld(t)
	w.srv.Hang(1)
	ctx, cancel := context.WithCancel(context.Background())
	go func() { time.Sleep(20 * time.Millisecond); cancel() }()
	opt := w.opt
	_, err := Fetch(ctx, opt)
	require.ErrorIs(t, err, context.Canceled)
}

func TestFetchRateLimit(t *testing.T) {
	w := newWorld(t)
	reset := time.Now().Add(42 * time.Minute).Truncate(time.Second)
	w.srv.RateLimit(reset)
	_, err := w.fetch(t, nil)
	var rl *RateLimitError
	require.ErrorAs(t, err, &rl)
	if !rl.Reset.Equal(reset) || rl.Limit != 60 || rl.Secondary || rl.Token {
		t.Errorf("rate limit = %+v, want reset %v", rl, reset)
	}
	for _, s := range []string{"rate limit exceeded", "resets at " + reset.Local().Format("2006-01-02 15:04:05"), "in 42m", "a GitHub token raises the limit"} {
		assert.ErrorContains(t, err, s)
	}
	wantRequests(t, w.srv, 1)
}

// GitHub may answer 429 too: with no request remaining for the hourly
// limit, else for a secondary limit, with Retry-After or without.
func TestFetchTooManyRequests(t *testing.T) {
	w := newWorld(t)
	w.srv.TooManyRequests(2 * time.Minute)
	_, err := w.fetch(t, nil)
	var rl *RateLimitError
	if !errors.As(err, &rl) || !rl.Secondary || time.Until(rl.Reset) < 100*time.Second {
		t.Fatalf("error = %#v", err)
	}
	assert.ErrorContains(t, err, "secondary rate limit exceeded; it resets at")
	w.srv.ClearFaults()
	w.srv.Fail(1, http.StatusTooManyRequests)
	_, err = w.fetch(t, nil)
	if !errors.As(err, &rl) || !rl.Reset.IsZero() || !strings.Contains(err.Error(), "it resets later") {
		t.Errorf("429 without Retry-After: %v", err)
	}
	wantRequests(t, w.srv, 2)
}

func TestFetchSecondaryRateLimit(t *testing.T) {
	w := newWorld(t)
	w.srv.SecondaryLimit(90 * time.Second)
	_, err := w.fetch(t, func(o *Options) { o.Token = "t" })
	var rl *RateLimitError
	if !errors.As(err, &rl) || !rl.Secondary || !rl.Token || time.Until(rl.Reset) < 80*time.Second {
		t.Fatalf("error = %#v", err)
	}
	assert.ErrorContains(t, err, "secondary rate limit")
	wantRequests(t, w.srv, 1)
}

func TestFetchUnpinnedNeedsOptIn(t *testing.T) {
	w := newWorld(t)
	_, err := w.fetch(t, func(o *Options) { o.Version = "master" })
	require.ErrorIs(t, err, ErrUnpinned)
	assert.ErrorContains(t, err, "upstream/master/checksums", "the pin file")
	wantRequests(t, w.srv, 0)
}

func TestFetchUnpinnedRevalidates(t *testing.T) {
	w := newWorld(t)
	master := func(o *Options) { o.Version = "master"; o.AllowUnpinned = true }
	r := w.mustFetch(t, master)
	wantFiles(t, r, "9.9.10")
	if r.Pinned || r.Requests != 3 {
		t.Errorf("release = %+v", r)
	}

	// Unchanged: one conditional request, answered 304.
	w.srv.ClearRequests()
	r = w.mustFetch(t, master)
	wantRequests(t, w.srv, 1)
	if !r.FromCache || r.Requests != 1 || w.srv.Requests()[0].IfNoneMatch != `"`+r.Commit+`"` {
		t.Errorf("release = %+v, requests %+v", r, w.srv.Requests())
	}

	// Moved: fetched again at the new commit, and the entry replaced.
	moved := w.srv.SetBranch(DefaultRepo, "master", fakegithub.Files("9.9.11"))
	w.srv.ClearRequests()
	r = w.mustFetch(t, master)
	wantFiles(t, r, "9.9.11")
	if r.FromCache || r.Commit != moved || r.Requests != 3 {
		t.Errorf("release = %+v", r)
	}
	if r = w.mustFetch(t, master); !r.FromCache || r.Commit != moved {
		t.Errorf("after the move: release = %+v", r)
	}
	wantNoTemp(t, w)
}

func TestFetchCommitIsImmutable(t *testing.T) {
	w := newWorld(t)
	byCommit := func(o *Options) { o.Version = w.commit; o.AllowUnpinned = true }
	w.mustFetch(t, byCommit)
	w.srv.ClearRequests()
	r := w.mustFetch(t, byCommit)
	wantRequests(t, w.srv, 0)
	wantFiles(t, r, "9.9.9")
}

func TestFetchUnknownRef(t *testing.T) {
	w := newWorld(t)
	_, err := w.fetch(t, func(o *Options) { o.Version = "1.0.0"; o.AllowUnpinned = true })
	require.ErrorIs(t, err, ErrNotFound)
	assert.ErrorContains(t, err, "No commit found")
	wantRequests(t, w.srv, 1)
}

func TestFetchUnknownRepo(t *testing.T) {
	w := newWorld(t)
	_, err := w.fetch(t, func(o *Options) { o.Repo = "someone/else" })
	require.ErrorIs(t, err, ErrNotFound)
}

func TestFetchOtherRepo(t *testing.T) {
	w := newWorld(t)
	w.srv.AddTag("fork/bucardo", "9.9.9", fakegithub.Files("9.9.9"))
	r := w.mustFetch(t, func(o *Options) { o.Repo = "fork/bucardo" })
	if r.Location != "fork/bucardo" || !strings.Contains(w.srv.Requests()[0].Path, "/repos/fork/bucardo/") {
		t.Errorf("release %+v, requests %v", r, w.srv.Requests())
	}
}

func TestFetchRejectsBadInput(t *testing.T) {
	w := newWorld(t)
	for name, edit := range map[string]func(*Options){
		"version ..":   func(o *Options) { o.Version = "../etc" },
		"version -x":   func(o *Options) { o.Version = "-x" },
		"repo":         func(o *Options) { o.Repo = "noslash" },
		"repo ..":      func(o *Options) { o.Repo = "a/.." },
		"API scheme":   func(o *Options) { o.APIURL = "ftp://x/" },
		"token, http":  func(o *Options) { o.Token = "t"; o.APIURL = "http://192.0.2.1/api/v3/"; o.CacheDir = "" },
		"token, http2": func(o *Options) { o.Token = "t"; o.APIURL = "http://example.org/"; o.CacheDir = "" },
	} {
		_, err := w.fetch(t, edit)
		assert.ErrorIs(t, err, ErrInvalid, name)
	}
	wantRequests(t, w.srv, 0)
}

// A token goes over plain http to this machine only: the fake server is at
// 127.0.0.1, and "localhost" names it too.
func TestFetchTokenOverLoopback(t *testing.T) {
	w := newWorld(t)
	local := strings.Replace(w.srv.URL, "127.0.0.1", "localhost", 1)
	w.mustFetch(t, func(o *Options) { o.Token = "t"; o.APIURL = local })
	wantRequests(t, w.srv, 3)
}

// The contents API carries files up to 1 MB; a bigger one comes without
// its content, which must not read as a checksum mismatch.
func TestFetchTooBigForContentsAPI(t *testing.T) {
	w := newWorld(t)
	files := fakegithub.Files("9.9.8")
	files[bucardo.Script] = append(files[bucardo.Script], bytes.Repeat([]byte("#\n"), 600_000)...)
	w.srv.AddTag(DefaultRepo, "9.9.8", files)
	_, err := w.fetch(t, func(o *Options) { o.Version = "9.9.8"; o.AllowUnpinned = true })
	if !errors.Is(err, ErrTooLarge) || errors.Is(err, ErrChecksum) {
		t.Errorf("error = %v", err)
	}
}

func TestFetchNoCache(t *testing.T) {
	w := newWorld(t)
	w.mustFetch(t, func(o *Options) { o.CacheDir = "" })
	w.mustFetch(t, func(o *Options) { o.CacheDir = "" })
	wantRequests(t, w.srv, 6)
}

func TestFetchUnreachable(t *testing.T) {
	w := newWorld(t)
	_, err := w.fetch(t, func(o *Options) { o.APIURL = "http://127.0.0.1:1/" })
	require.ErrorIs(t, err, ErrUnreachable)
}

// An answer larger than maxResponse is cut off and reported as such.
func TestFetchAnswerTooLarge(t *testing.T) {
	defer func(n int64) { maxResponse = n }(maxResponse)
	maxResponse = 100
	w := newWorld(t)
	_, err := w.fetch(t, nil)
	assert.ErrorContains(t, err, "answer larger than 100 bytes")
}
