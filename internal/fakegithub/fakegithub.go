// Package fakegithub serves a small fake of the GitHub REST API on localhost for tests.
//
// It knows the endpoints bcfork uses: the tags of a repository (paginated,
// with Link headers, ETag and If-None-Match), the contents of a file at a ref (base64, with the git
// blob SHA) and the commit a ref points to (application/vnd.github.sha, with
// ETag and If-None-Match). It records every request, and can be told to
// fail: answer a status N times, reset connections, hang, or rate-limit.
package fakegithub

import (
	"crypto/sha1"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Server is a fake GitHub API. Its methods are safe for concurrent use.
type Server struct {
	URL string // API base URL, with a trailing slash

	srv     *httptest.Server
	closing chan struct{}

	mu       sync.Mutex
	repos    map[string]*repo
	requests []Request
	faults   []fault
	limit    *rateLimit
}

// Request is one request the server received.
type Request struct {
	Method        string
	Path          string // URL path, unescaped
	Query         string // raw query
	Authorization string
	Accept        string
	IfNoneMatch   string
}

func (r Request) String() string {
	s := r.Method + " " + r.Path
	if r.Query != "" {
		s += "?" + r.Query
	}
	return s
}

type fault struct {
	status int  // answer this status
	reset  bool // or reset the connection
	hang   bool // or hang until the client gives up
}

type rateLimit struct {
	reset      time.Time
	secondary  bool
	status     int // 403 or 429
	retryAfter time.Duration
}

type repo struct {
	commits  map[string]map[string][]byte // commit → files
	tags     []ref                        // in the order added
	branches map[string]string
	blobs    map[string]string // "commit:path" → blob SHA to announce instead of the real one
}

type ref struct{ name, commit string }

// New starts a server; Close stops it.
func New() *Server {
	s := &Server{repos: map[string]*repo{}, closing: make(chan struct{})}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /repos/{owner}/{name}/tags", s.tags)
	mux.HandleFunc("GET /repos/{owner}/{name}/contents/{path...}", s.contents)
	mux.HandleFunc("GET /repos/{owner}/{name}/commits/{ref...}", s.commit)
	s.srv = httptest.NewServer(s.front(mux))
	s.URL = s.srv.URL + "/"
	return s
}

// Close stops the server, ending hanging requests.
func (s *Server) Close() {
	close(s.closing)
	s.srv.Close()
}

// AddTag adds a commit holding files to repo ("owner/name") and tags it;
// an existing tag of that name is moved to it. It returns the commit SHA,
// TagCommit(tag, files): the same in every repository, as a tag of Bucardo
// is in its forks.
func (s *Server) AddTag(repoName, tag string, files map[string][]byte) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	r := s.repo(repoName)
	c := r.commit(tag, files)
	for i := range r.tags {
		if r.tags[i].name == tag {
			r.tags[i].commit = c
			return c
		}
	}
	r.tags = append(r.tags, ref{tag, c})
	return c
}

// SetBranch points branch at a new commit holding files and returns it.
func (s *Server) SetBranch(repoName, branch string, files map[string][]byte) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	r := s.repo(repoName)
	c := r.commit("refs/heads/"+branch, files)
	r.branches[branch] = c
	return c
}

// LieAboutBlob makes the contents API announce blobSHA for path at commit,
// as a corrupted answer would.
func (s *Server) LieAboutBlob(repoName, commit, path, blobSHA string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.repo(repoName).blobs[commit+":"+path] = blobSHA
}

// Fail makes the next n requests answer status.
func (s *Server) Fail(n, status int) { s.addFaults(n, fault{status: status}) }

// Reset makes the next n requests end with a reset connection.
func (s *Server) Reset(n int) { s.addFaults(n, fault{reset: true}) }

// Hang makes the next n requests hang until the client gives up.
func (s *Server) Hang(n int) { s.addFaults(n, fault{hang: true}) }

func (s *Server) addFaults(n int, f fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for range n {
		s.faults = append(s.faults, f)
	}
}

// RateLimit makes every request answer 403 with X-RateLimit-Remaining 0
// until reset (sent as X-RateLimit-Reset).
func (s *Server) RateLimit(reset time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.limit = &rateLimit{reset: reset, status: http.StatusForbidden}
}

// SecondaryLimit makes every request answer 403 with GitHub's secondary
// rate limit message and Retry-After.
func (s *Server) SecondaryLimit(retryAfter time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.limit = &rateLimit{secondary: true, status: http.StatusForbidden, retryAfter: retryAfter}
}

// TooManyRequests makes every request answer 429 with Retry-After, as
// GitHub may for a secondary rate limit.
func (s *Server) TooManyRequests(retryAfter time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.limit = &rateLimit{secondary: true, status: http.StatusTooManyRequests, retryAfter: retryAfter}
}

// ClearFaults drops pending faults and rate limits.
func (s *Server) ClearFaults() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults, s.limit = nil, nil
}

// Requests returns the requests received so far.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.requests...)
}

// Count returns the number of requests received so far.
func (s *Server) Count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.requests)
}

// ClearRequests forgets the requests received so far.
func (s *Server) ClearRequests() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests = nil
}

func (s *Server) repo(name string) *repo {
	r := s.repos[name]
	if r == nil {
		r = &repo{commits: map[string]map[string][]byte{}, branches: map[string]string{}, blobs: map[string]string{}}
		s.repos[name] = r
	}
	return r
}

// TagCommit is the commit SHA that AddTag gives tag with files, so that
// tests can pin it.
func TagCommit(tag string, files map[string][]byte) string {
	h := sha1.New()
	fmt.Fprintf(h, "%s\x00", tag)
	names := make([]string, 0, len(files))
	for name := range files {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		fmt.Fprintf(h, "%s\x00%s\x00", name, BlobSHA(files[name]))
	}
	return hex.EncodeToString(h.Sum(nil))
}

// commit stores files as a commit labelled with a tag or branch.
func (r *repo) commit(label string, files map[string][]byte) string {
	c := TagCommit(label, files)
	copied := map[string][]byte{}
	for name, b := range files {
		copied[name] = append([]byte(nil), b...)
	}
	r.commits[c] = copied
	return c
}

// resolve finds the commit of a tag, branch or commit SHA; "" is the default branch.
func (r *repo) resolve(name string) (string, bool) {
	if name == "" {
		name = "master"
	}
	for _, t := range r.tags {
		if t.name == name {
			return t.commit, true
		}
	}
	if c, ok := r.branches[name]; ok {
		return c, true
	}
	if _, ok := r.commits[name]; ok {
		return name, true
	}
	return r.abbreviated(name)
}

// abbreviated finds the one commit whose SHA starts with name, as GitHub
// does for 7 or more hex digits.
func (r *repo) abbreviated(name string) (string, bool) {
	found := ""
	for c := range r.commits {
		if len(name) >= 7 && strings.HasPrefix(c, name) {
			if found != "" {
				return "", false
			}
			found = c
		}
	}
	return found, found != ""
}

// BlobSHA is git's object name for b as a blob (`git hash-object`).
func BlobSHA(b []byte) string {
	h := sha1.New()
	fmt.Fprintf(h, "blob %d\x00", len(b))
	h.Write(b)
	return hex.EncodeToString(h.Sum(nil))
}

// front records the request and applies faults and rate limits.
func (s *Server) front(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		f, limit := s.record(req)
		switch {
		case f.hang:
			select {
			case <-req.Context().Done():
			case <-s.closing:
			}
		case f.reset:
			resetConn(w)
		case f.status != 0:
			writeError(w, f.status, http.StatusText(f.status))
		case limit != nil:
			writeLimit(w, limit)
		default:
			w.Header().Set("X-RateLimit-Limit", "60")
			w.Header().Set("X-RateLimit-Remaining", "59")
			next.ServeHTTP(w, req)
		}
	})
}

func (s *Server) record(req *http.Request) (fault, *rateLimit) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests = append(s.requests, Request{
		Method: req.Method, Path: req.URL.Path, Query: req.URL.RawQuery,
		Authorization: req.Header.Get("Authorization"),
		Accept:        req.Header.Get("Accept"),
		IfNoneMatch:   req.Header.Get("If-None-Match"),
	})
	var f fault
	if len(s.faults) > 0 {
		f, s.faults = s.faults[0], s.faults[1:]
	}
	limit := s.limit
	if limit != nil && !limit.secondary && time.Now().After(limit.reset) {
		limit, s.limit = nil, nil
	}
	return f, limit
}

func resetConn(w http.ResponseWriter) {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		panic(err)
	}
	if tcp, ok := conn.(*net.TCPConn); ok {
		tcp.SetLinger(0) // close with RST
	}
	conn.Close()
}

func writeLimit(w http.ResponseWriter, l *rateLimit) {
	if l.secondary {
		w.Header().Set("Retry-After", strconv.Itoa(int(l.retryAfter.Seconds())))
		writeJSON(w, l.status, map[string]string{
			"message":           "You have exceeded a secondary rate limit. Please wait a few minutes before you try again.",
			"documentation_url": "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits",
		})
		return
	}
	w.Header().Set("X-RateLimit-Limit", "60")
	w.Header().Set("X-RateLimit-Remaining", "0")
	w.Header().Set("X-RateLimit-Used", "60")
	w.Header().Set("X-RateLimit-Reset", strconv.FormatInt(l.reset.Unix(), 10))
	writeJSON(w, l.status, map[string]string{
		"message":           "API rate limit exceeded for 127.0.0.1. (But here's the good news: Authenticated requests get a higher rate limit.)",
		"documentation_url": "https://docs.github.com/rest/overview/resources-in-the-rest-api#rate-limiting",
	})
}

func writeError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, map[string]string{"message": msg, "documentation_url": "https://docs.github.com/rest"})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

// lookup finds the repository of a request, answering 404 when unknown.
func (s *Server) lookup(w http.ResponseWriter, req *http.Request) *repo {
	r := s.repos[req.PathValue("owner")+"/"+req.PathValue("name")]
	if r == nil {
		writeError(w, http.StatusNotFound, "Not Found")
	}
	return r
}

// tags lists a page of tags, newest first. Like GitHub it sends a weak
// ETag and answers 304, without a body or Link header, to If-None-Match.
func (s *Server) tags(w http.ResponseWriter, req *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r := s.lookup(w, req)
	if r == nil {
		return
	}
	perPage := queryInt(req, "per_page", 30, 1, 100)
	page := queryInt(req, "page", 1, 1, 1<<20)
	body, _ := json.Marshal(s.tagPage(r, req, page, perPage))
	etag := `W/"` + BlobSHA(body) + `"`
	w.Header().Set("ETag", etag)
	if req.Header.Get("If-None-Match") == etag {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	s.link(w, req, page, max(1, (len(r.tags)+perPage-1)/perPage), perPage)
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Write(body)
}

func (s *Server) tagPage(r *repo, req *http.Request, page, perPage int) []map[string]any {
	list := []map[string]any{}
	for i := (page - 1) * perPage; i < min(page*perPage, len(r.tags)); i++ {
		t := r.tags[len(r.tags)-1-i] // newest first
		list = append(list, map[string]any{
			"name":   t.name,
			"commit": map[string]string{"sha": t.commit, "url": s.URL + "repos/" + req.PathValue("owner") + "/" + req.PathValue("name") + "/commits/" + t.commit},
		})
	}
	return list
}

// link writes a Link header as GitHub does: next and last, prev and first.
func (s *Server) link(w http.ResponseWriter, req *http.Request, page, pages, perPage int) {
	at := func(p int, rel string) string {
		return fmt.Sprintf(`<%s%s?per_page=%d&page=%d>; rel=%q`, s.URL, strings.TrimPrefix(req.URL.Path, "/"), perPage, p, rel)
	}
	var links []string
	if page < pages {
		links = append(links, at(page+1, "next"), at(pages, "last"))
	}
	if page > 1 {
		links = append(links, at(page-1, "prev"), at(1, "first"))
	}
	if len(links) > 0 {
		w.Header().Set("Link", strings.Join(links, ", "))
	}
}

func queryInt(req *http.Request, key string, def, lo, hi int) int {
	n, err := strconv.Atoi(req.URL.Query().Get(key))
	if err != nil {
		return def
	}
	return min(max(n, lo), hi)
}

func (s *Server) contents(w http.ResponseWriter, req *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r := s.lookup(w, req)
	if r == nil {
		return
	}
	at := req.URL.Query().Get("ref")
	c, ok := r.resolve(at)
	if !ok {
		writeError(w, http.StatusNotFound, "No commit found for the ref "+at)
		return
	}
	p := req.PathValue("path")
	if _, ok := r.commits[c][p]; !ok {
		writeError(w, http.StatusNotFound, "Not Found")
		return
	}
	writeJSON(w, http.StatusOK, r.content(c, p))
}

// content is the contents API's answer for path at commit c: base64, or
// without content above maxContents, as GitHub does.
func (r *repo) content(c, p string) map[string]any {
	b := r.commits[c][p]
	sha := BlobSHA(b)
	if lie, ok := r.blobs[c+":"+p]; ok {
		sha = lie
	}
	rc := map[string]any{
		"type": "file", "encoding": "base64", "size": len(b),
		"name": p[strings.LastIndex(p, "/")+1:], "path": p, "sha": sha,
		"content": wrapBase64(b),
	}
	if len(b) > maxContents {
		rc["encoding"], rc["content"] = "none", ""
	}
	return rc
}

// maxContents is the largest file whose content the contents API returns.
const maxContents = 1 << 20

// wrapBase64 encodes b as GitHub does: base64 in lines of 60 characters.
func wrapBase64(b []byte) string {
	enc := base64.StdEncoding.EncodeToString(b)
	var sb strings.Builder
	for len(enc) > 60 {
		sb.WriteString(enc[:60] + "\n")
		enc = enc[60:]
	}
	sb.WriteString(enc + "\n")
	return sb.String()
}

func (s *Server) commit(w http.ResponseWriter, req *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r := s.lookup(w, req)
	if r == nil {
		return
	}
	name := req.PathValue("ref")
	c, ok := r.resolve(name)
	if !ok {
		writeError(w, http.StatusUnprocessableEntity, "No commit found for SHA: "+name)
		return
	}
	etag := `"` + c + `"`
	w.Header().Set("ETag", etag)
	if req.Header.Get("If-None-Match") == etag {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	if strings.Contains(req.Header.Get("Accept"), ".sha") {
		w.Header().Set("Content-Type", "application/vnd.github.sha; charset=utf-8")
		fmt.Fprint(w, c)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"sha": c})
}
