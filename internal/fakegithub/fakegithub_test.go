package fakegithub

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

func get(t *testing.T, url string, header ...string) (*http.Response, string) {
	t.Helper()
	req, _ := http.NewRequest("GET", url, nil)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

func TestTagsPaginate(t *testing.T) {
	s := New()
	defer s.Close()
	for i := range 5 {
		s.AddTag("o/r", fmt.Sprintf("1.%d", i), Files("1"))
	}
	resp, body := get(t, s.URL+"repos/o/r/tags?per_page=2&page=2")
	var tags []struct{ Name string }
	json.Unmarshal([]byte(body), &tags)
	if len(tags) != 2 || tags[0].Name != "1.2" || tags[1].Name != "1.1" {
		t.Errorf("page 2: %s", body)
	}
	link := resp.Header.Get("Link")
	for _, want := range []string{`per_page=2&page=3>; rel="next"`, `page=3>; rel="last"`, `page=1>; rel="prev"`} {
		if !strings.Contains(link, want) {
			t.Errorf("Link %q lacks %q", link, want)
		}
	}
	if resp, _ := get(t, s.URL+"repos/o/r/tags?per_page=2&page=3"); strings.Contains(resp.Header.Get("Link"), "next") {
		t.Errorf("last page has a next link")
	}
	etag := resp.Header.Get("ETag")
	if resp, body := get(t, s.URL+"repos/o/r/tags?per_page=2&page=2", "If-None-Match", etag); resp.StatusCode != 304 || body != "" {
		t.Errorf("If-None-Match %s: %d %q", etag, resp.StatusCode, body)
	}
	s.AddTag("o/r", "1.5", Files("1"))
	if resp, _ := get(t, s.URL+"repos/o/r/tags?per_page=2&page=2", "If-None-Match", etag); resp.StatusCode != 200 {
		t.Errorf("after a new tag: %d, want 200", resp.StatusCode)
	}
}

func TestContentsAndCommit(t *testing.T) {
	s := New()
	defer s.Close()
	files := Files("9.9.9")
	c := s.AddTag("o/r", "9.9.9", files)
	_, body := get(t, s.URL+"repos/o/r/contents/bucardo?ref=9.9.9")
	var rc struct{ Content, SHA, Encoding string }
	json.Unmarshal([]byte(body), &rc)
	b, err := base64.StdEncoding.DecodeString(strings.ReplaceAll(rc.Content, "\n", ""))
	if err != nil || string(b) != string(files["bucardo"]) || rc.SHA != BlobSHA(b) || rc.Encoding != "base64" {
		t.Errorf("contents: %v %s", err, body)
	}
	_, body = get(t, s.URL+"repos/o/r/commits/9.9.9", "Accept", "application/vnd.github.v3.sha")
	if body != c {
		t.Errorf("commit %q, want %q", body, c)
	}
	if resp, _ := get(t, s.URL+"repos/o/r/commits/9.9.9", "Accept", "application/vnd.github.v3.sha", "If-None-Match", `"`+c+`"`); resp.StatusCode != 304 {
		t.Errorf("If-None-Match: %d", resp.StatusCode)
	}
	if resp, _ := get(t, s.URL+"repos/o/r/commits/nope"); resp.StatusCode != 422 {
		t.Errorf("unknown ref: %d", resp.StatusCode)
	}
	if s.Count() != 4 {
		t.Errorf("%d requests recorded", s.Count())
	}
}

func TestFaults(t *testing.T) {
	s := New()
	defer s.Close()
	s.AddTag("o/r", "1", Files("1"))
	s.Fail(2, 502)
	for _, want := range []int{502, 502, 200} {
		if resp, _ := get(t, s.URL+"repos/o/r/tags"); resp.StatusCode != want {
			t.Errorf("status %d, want %d", resp.StatusCode, want)
		}
	}
	reset := time.Now().Add(time.Hour)
	s.RateLimit(reset)
	resp, _ := get(t, s.URL+"repos/o/r/tags")
	if resp.StatusCode != 403 || resp.Header.Get("X-RateLimit-Remaining") != "0" || resp.Header.Get("X-RateLimit-Reset") != fmt.Sprint(reset.Unix()) {
		t.Errorf("rate limit: %d %v", resp.StatusCode, resp.Header)
	}
	s.ClearFaults()
	if resp, _ := get(t, s.URL+"repos/o/r/tags", "Authorization", "Bearer x"); resp.StatusCode != 200 {
		t.Errorf("after ClearFaults: %d", resp.StatusCode)
	}
	if r := s.Requests(); r[len(r)-1].Authorization != "Bearer x" {
		t.Errorf("Authorization not recorded: %+v", r[len(r)-1])
	}
}

// A tag's commit is TagCommit, the same in every repository (as in a fork).
func TestTagCommit(t *testing.T) {
	s := New()
	defer s.Close()
	want := TagCommit("1.0", Files("1.0"))
	if a, b := s.AddTag("o/r", "1.0", Files("1.0")), s.AddTag("fork/r", "1.0", Files("1.0")); a != want || b != want {
		t.Errorf("AddTag: %s and %s, want TagCommit's %s", a, b, want)
	}
	if other := TagCommit("1.0", Files("1.1")); other == want {
		t.Errorf("other files, same commit %s", other)
	}
	if _, body := get(t, s.URL+"repos/o/r/commits/1.0", "Accept", "application/vnd.github.sha"); body != want {
		t.Errorf("commit of the tag: %q, want %s", body, want)
	}
	// Tagging again moves the tag.
	moved := s.AddTag("o/r", "1.0", Files("1.1"))
	if _, body := get(t, s.URL+"repos/o/r/commits/1.0", "Accept", "application/vnd.github.sha"); body != moved {
		t.Errorf("commit of the moved tag: %q, want %s", body, moved)
	}
	if _, body := get(t, s.URL+"repos/o/r/tags"); strings.Count(body, `"1.0"`) != 1 || !strings.Contains(body, moved) {
		t.Errorf("tags after the move: %s", body)
	}
}
