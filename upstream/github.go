package upstream

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/bcfork/bcfork/internal/version"
	"github.com/google/go-github/v60/github"
)

// maxResponse caps the body of one API answer; GitHub's contents API
// answers with at most 1 MB of file, base64-encoded. A variable for tests.
var maxResponse int64 = 8 << 20

// hub talks to the GitHub REST API about one repository.
type hub struct {
	client      *github.Client
	owner, name string
	opt         *Options
	requests    atomic.Int64 // requests sent
	notModified atomic.Int64 // of which GitHub answered 304
}

func newHub(opt *Options) (*hub, error) {
	base, err := apiBase(opt.APIURL, opt.Token != "")
	if err != nil {
		return nil, err
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

// apiBase parses the API base URL. A token is sent over plain http only to
// this machine (a test server), never across the network.
func apiBase(apiURL string, token bool) (*url.URL, error) {
	base, err := url.Parse(strings.TrimSuffix(apiURL, "/") + "/")
	if err != nil || (base.Scheme != "http" && base.Scheme != "https") || base.Host == "" {
		return nil, fmt.Errorf("%w: GitHub API URL %q, want https://HOST/... (e.g. %s)", ErrInvalid, apiURL, DefaultAPIURL)
	}
	if token && base.Scheme == "http" && !isLoopback(base.Hostname()) {
		return nil, fmt.Errorf("%w: GitHub API URL %q is not https, and bcfork does not send a token in clear text", ErrInvalid, apiURL)
	}
	return base, nil
}

func isLoopback(host string) bool {
	ip := net.ParseIP(host)
	return host == "localhost" || (ip != nil && ip.IsLoopback())
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
		return tooMany(resp, h.opt.Token != "")
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

// tooMany reads a 429 answer: the hourly limit when no request remains,
// else a secondary limit, with its reset time or Retry-After when given.
func tooMany(resp *github.Response, token bool) *RateLimitError {
	if resp.Header.Get("X-RateLimit-Remaining") == "0" {
		return &RateLimitError{Reset: resp.Rate.Reset.Time, Limit: resp.Rate.Limit, Token: token}
	}
	rl := &RateLimitError{Secondary: true, Token: token}
	if secs, err := strconv.Atoi(resp.Header.Get("Retry-After")); err == nil && secs >= 0 {
		rl.Reset = time.Now().Add(time.Duration(secs) * time.Second)
	}
	return rl
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
		msg := strings.Join(strings.Fields(er.Message), " ") // GitHub's text, on one line
		if msg == "" {
			msg = http.StatusText(er.Response.StatusCode)
		}
		return fmt.Sprintf("%d %.200s", er.Response.StatusCode, msg)
	}
	if s := status(resp); s >= 300 {
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
			h.notModified.Add(1)
			return resp, nil
		}
		commit = strings.TrimSpace(sha)
		return resp, err
	})
	if err != nil {
		return "", false, err
	}
	if !version.IsCommit(commit) {
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
	b, err := content(rc)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	if got := blobSHA(b); got != rc.GetSHA() {
		return nil, &ChecksumError{File: name, Algo: "git blob", Want: rc.GetSHA(), Got: got, Source: source}
	}
	return b, nil
}

// content decodes a file of the contents API, which carries files up to 1 MB.
func content(rc *github.RepositoryContent) ([]byte, error) {
	switch {
	case rc == nil || rc.GetType() != "file":
		return nil, fmt.Errorf("not a file (type %q)", rc.GetType())
	case rc.GetEncoding() != "base64":
		return nil, fmt.Errorf("GitHub sent %d bytes without their content (encoding %q): %w", rc.GetSize(), rc.GetEncoding(), ErrTooLarge)
	}
	text, err := rc.GetContent()
	return []byte(text), err
}

// tagsPerPage is the most tags GitHub lists on a page.
const tagsPerPage = 100

// tagPage is one page of a tag listing with its ETag, kept so that listing
// again costs conditional requests (a 304 answer carries no body).
type tagPage struct {
	ETag string `json:"etag,omitempty"`
	Next int    `json:"next,omitempty"` // the page after it; 0 for the last
	Tags []tag  `json:"tags"`
}

// tags lists all tags, page by page. A page of last (the previous listing)
// is asked for with If-None-Match and reused when GitHub answers 304.
func (h *hub) tags(ctx context.Context, last []tagPage) ([]tagPage, error) {
	var pages []tagPage
	for n := 1; n != 0; n = pages[len(pages)-1].Next {
		if len(pages) == 1000 {
			return nil, fmt.Errorf("listing the tags of %s: more than 1000 pages", h.opt.Repo)
		}
		var prev *tagPage
		if len(pages) < len(last) {
			prev = &last[len(pages)]
		}
		p, err := h.tagPage(ctx, n, prev)
		if err != nil {
			return nil, err
		}
		pages = append(pages, p)
	}
	return pages, nil
}

// tagPage gets page n of the tags, or prev when it has not changed.
func (h *hub) tagPage(ctx context.Context, n int, prev *tagPage) (tagPage, error) {
	var p tagPage
	err := h.call(ctx, "listing the tags of "+h.opt.Repo, func(ctx context.Context) (*github.Response, error) {
		req, err := h.tagRequest(n, prev)
		if err != nil {
			return nil, err
		}
		var list []*github.RepositoryTag
		resp, err := h.client.Do(ctx, req, &list)
		if status(resp) == http.StatusNotModified && prev != nil {
			p = unchanged(*prev, n)
			h.notModified.Add(1)
			return resp, nil
		}
		if err != nil {
			return resp, err
		}
		p = tagPage{ETag: resp.Header.Get("ETag"), Next: resp.NextPage, Tags: []tag{}}
		for _, t := range list {
			p.Tags = append(p.Tags, tag{Name: t.GetName(), Commit: t.GetCommit().GetSHA()})
		}
		return resp, nil
	})
	return p, err
}

func (h *hub) tagRequest(n int, prev *tagPage) (*http.Request, error) {
	u := fmt.Sprintf("repos/%s/%s/tags?per_page=%d", url.PathEscape(h.owner), url.PathEscape(h.name), tagsPerPage)
	if n > 1 {
		u += "&page=" + strconv.Itoa(n)
	}
	req, err := h.client.NewRequest(http.MethodGet, u, nil)
	if err == nil && prev != nil && prev.ETag != "" {
		req.Header.Set("If-None-Match", prev.ETag)
	}
	return req, err
}

// unchanged is page n as listed last time. A full page that was the last
// may have been followed by new tags since, so the next page is asked for.
func unchanged(p tagPage, n int) tagPage {
	if p.Next == 0 && len(p.Tags) >= tagsPerPage {
		p.Next = n + 1
	}
	return p
}

// spent says how many requests were sent, e.g. "2 API requests (1 answered
// 304 Not Modified)".
func (h *hub) spent() string {
	n, same := h.requests.Load(), h.notModified.Load()
	s := fmt.Sprintf("%d API request", n)
	if n != 1 {
		s += "s"
	}
	if same > 0 {
		s += fmt.Sprintf(" (%d answered 304 Not Modified)", same)
	}
	return s
}
