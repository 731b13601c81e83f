package upstream

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/google/go-github/v60/github"
)

// maxResponse caps the body of one API answer; GitHub's contents API
// answers with at most 1 MB of file, base64-encoded.
const maxResponse = 8 << 20

// hub talks to the GitHub REST API about one repository.
type hub struct {
	client      *github.Client
	owner, name string
	opt         *Options
	requests    atomic.Int64
}

func newHub(opt *Options) (*hub, error) {
	base, err := url.Parse(strings.TrimSuffix(opt.APIURL, "/") + "/")
	if err != nil || (base.Scheme != "http" && base.Scheme != "https") || base.Host == "" {
		return nil, fmt.Errorf("%w: GitHub API URL %q", ErrInvalid, opt.APIURL)
	}
	h := &hub{opt: opt}
	h.owner, h.name, _ = strings.Cut(opt.Repo, "/")
	hc := &http.Client{Timeout: opt.Timeout}
	if opt.HTTPClient != nil {
		c := *opt.HTTPClient
		hc = &c
	}
	hc.Transport = &countingTransport{base: hc.Transport, n: &h.requests}
	h.client = github.NewClient(hc)
	if opt.Token != "" {
		h.client = h.client.WithAuthToken(opt.Token)
	}
	h.client.BaseURL = base
	h.client.UserAgent = "bcfork"
	return h, nil
}

// countingTransport counts requests and caps the size of answers.
type countingTransport struct {
	base http.RoundTripper
	n    *atomic.Int64
}

func (t *countingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	t.n.Add(1)
	base := t.base
	if base == nil {
		base = http.DefaultTransport
	}
	resp, err := base.RoundTrip(req)
	if err == nil {
		resp.Body = &cappedBody{ReadCloser: resp.Body, left: maxResponse}
	}
	return resp, err
}

type cappedBody struct {
	io.ReadCloser
	left int64
}

func (b *cappedBody) Read(p []byte) (int, error) {
	if b.left <= 0 {
		return 0, fmt.Errorf("answer larger than %d bytes", maxResponse)
	}
	if int64(len(p)) > b.left {
		p = p[:b.left]
	}
	n, err := b.ReadCloser.Read(p)
	b.left -= int64(n)
	return n, err
}

// call runs one API request with a timeout, retrying transient failures.
func (h *hub) call(ctx context.Context, what string, f func(context.Context) (*github.Response, error)) error {
	for attempt := 0; ; attempt++ {
		actx, cancel := context.WithTimeout(ctx, h.opt.Timeout)
		resp, err := f(actx)
		timedOut := actx.Err() == context.DeadlineExceeded
		cancel()
		switch {
		case err == nil:
			return nil
		case ctx.Err() != nil:
			return fmt.Errorf("%s: %w", what, ctx.Err())
		}
		if final := h.classify(resp, err, timedOut); final != nil {
			return fmt.Errorf("%s: %w", what, final)
		}
		if attempt >= h.opt.Retries {
			return fmt.Errorf("%s: %s (%d attempts)", what, errText(resp, err), attempt+1)
		}
		wait := h.opt.Backoff(attempt)
		logf(h.opt.Log, "%s: %s; retrying in %v", what, errText(resp, err), wait)
		if err := sleep(ctx, wait); err != nil {
			return fmt.Errorf("%s: %w", what, err)
		}
	}
}

// classify returns the error to give up with, or nil for a transient failure.
func (h *hub) classify(resp *github.Response, err error, timedOut bool) error {
	var rl *github.RateLimitError
	var abuse *github.AbuseRateLimitError
	var netErr interface{ Timeout() bool }
	switch {
	case errors.As(err, &rl):
		return &RateLimitError{Reset: rl.Rate.Reset.Time, Limit: rl.Rate.Limit, Token: h.opt.Token != ""}
	case errors.As(err, &abuse):
		return secondaryLimit(abuse, h.opt.Token != "")
	case status(resp) == http.StatusTooManyRequests:
		return &RateLimitError{Reset: resetHeader(resp), Token: h.opt.Token != ""}
	case timedOut || errors.As(err, &netErr) && netErr.Timeout():
		return fmt.Errorf("%w from %s within %v", ErrTimeout, h.client.BaseURL.Host, h.opt.Timeout)
	case status(resp) == http.StatusUnauthorized:
		return fmt.Errorf("%w: %s", ErrBadToken, errText(resp, err))
	case status(resp) == http.StatusNotFound || status(resp) == http.StatusUnprocessableEntity:
		return fmt.Errorf("%w: %s", ErrNotFound, errText(resp, err))
	case status(resp) >= 500, errors.Is(err, syscall.ECONNRESET), errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return nil // transient: retried
	case resp == nil && errors.As(err, new(*net.OpError)):
		return fmt.Errorf("%w: %v", ErrUnreachable, err)
	}
	return errors.New(errText(resp, err))
}

func secondaryLimit(e *github.AbuseRateLimitError, token bool) *RateLimitError {
	rl := &RateLimitError{Secondary: true, Token: token}
	if e.RetryAfter != nil {
		rl.Reset = time.Now().Add(*e.RetryAfter)
	}
	return rl
}

func resetHeader(resp *github.Response) time.Time {
	if resp != nil && !resp.Rate.Reset.IsZero() {
		return resp.Rate.Reset.Time
	}
	return time.Time{}
}

func status(resp *github.Response) int {
	if resp == nil || resp.Response == nil {
		return 0
	}
	return resp.StatusCode
}

// errText describes a failed request briefly: GitHub's message and status.
func errText(resp *github.Response, err error) string {
	var er *github.ErrorResponse
	if errors.As(err, &er) && er.Response != nil {
		msg := er.Message
		if msg == "" {
			msg = http.StatusText(er.Response.StatusCode)
		}
		return fmt.Sprintf("%d %s", er.Response.StatusCode, msg)
	}
	if s := status(resp); s != 0 {
		return fmt.Sprintf("%d %s", s, http.StatusText(s))
	}
	return err.Error()
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// resolve returns the commit ref points to. With lastCommit, GitHub answers
// 304 when ref still points there, and resolve returns lastCommit, true.
func (h *hub) resolve(ctx context.Context, ref, lastCommit string) (commit string, same bool, err error) {
	what := fmt.Sprintf("resolving %s@%s", h.opt.Repo, ref)
	err = h.call(ctx, what, func(ctx context.Context) (*github.Response, error) {
		sha, resp, err := h.client.Repositories.GetCommitSHA1(ctx, h.owner, h.name, ref, lastCommit)
		if status(resp) == http.StatusNotModified && lastCommit != "" {
			commit, same = lastCommit, true
			return resp, nil
		}
		commit = strings.TrimSpace(sha)
		return resp, err
	})
	if err != nil {
		return "", false, err
	}
	if !isCommit(commit) {
		return "", false, fmt.Errorf("%s: GitHub answered %.50q, not a commit SHA", what, commit)
	}
	return commit, same, nil
}

// file fetches one file at commit and checks it against its git blob SHA.
func (h *hub) file(ctx context.Context, name, commit, source string) ([]byte, error) {
	what := fmt.Sprintf("fetching %q from %s@%s", name, h.opt.Repo, commit)
	var rc *github.RepositoryContent
	err := h.call(ctx, what, func(ctx context.Context) (*github.Response, error) {
		var resp *github.Response
		var err error
		rc, _, resp, err = h.client.Repositories.GetContents(ctx, h.owner, h.name, name, &github.RepositoryContentGetOptions{Ref: commit})
		return resp, err
	})
	if err != nil {
		return nil, err
	}
	if rc == nil || rc.GetType() != "file" {
		return nil, fmt.Errorf("%s: not a file (type %q)", what, rc.GetType())
	}
	text, err := rc.GetContent()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	b := []byte(text)
	if got := blobSHA(b); got != rc.GetSHA() {
		return nil, &ChecksumError{File: name, Algo: "git blob", Want: rc.GetSHA(), Got: got, Source: source}
	}
	return b, nil
}

// tags lists all tags, 100 a page.
func (h *hub) tags(ctx context.Context) ([]tag, error) {
	var all []tag
	opts := &github.ListOptions{PerPage: 100}
	for page := 0; page < 1000; page++ {
		var list []*github.RepositoryTag
		var next int
		err := h.call(ctx, "listing the tags of "+h.opt.Repo, func(ctx context.Context) (*github.Response, error) {
			var resp *github.Response
			var err error
			list, resp, err = h.client.Repositories.ListTags(ctx, h.owner, h.name, opts)
			if resp != nil {
				next = resp.NextPage
			}
			return resp, err
		})
		if err != nil {
			return nil, err
		}
		for _, t := range list {
			all = append(all, tag{Name: t.GetName(), Commit: t.GetCommit().GetSHA()})
		}
		if next == 0 {
			return all, nil
		}
		opts.Page = next
	}
	return nil, fmt.Errorf("listing the tags of %s: too many pages", h.opt.Repo)
}
