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

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func get(t *testing.T, url string, header ...string) (*http.Response, string) {
	t.Helper()
	req, _ := http.NewRequest("GET", url, nil)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
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
	require.NoError(t, json.Unmarshal([]byte(body), &tags))
	assert.Equal(t, []struct{ Name string }{{"1.2"}, {"1.1"}}, tags, "page 2")
	link := resp.Header.Get("Link")
	for _, want := range []string{`per_page=2&page=3>; rel="next"`, `page=3>; rel="last"`, `page=1>; rel="prev"`} {
		assert.Contains(t, link, want, "Link")
	}
	last, _ := get(t, s.URL+"repos/o/r/tags?per_page=2&page=3")
	assert.NotContains(t, last.Header.Get("Link"), "next", "the last page's Link")
	etag := resp.Header.Get("ETag")
	resp, body = get(t, s.URL+"repos/o/r/tags?per_page=2&page=2", "If-None-Match", etag)
	assert.Equal(t, 304, resp.StatusCode, "If-None-Match %s", etag)
	assert.Empty(t, body, "If-None-Match %s", etag)
	s.AddTag("o/r", "1.5", Files("1"))
	resp, _ = get(t, s.URL+"repos/o/r/tags?per_page=2&page=2", "If-None-Match", etag)
	assert.Equal(t, 200, resp.StatusCode, "after a new tag")
}

func TestContentsAndCommit(t *testing.T) {
	s := New()
	defer s.Close()
	files := Files("9.9.9")
	c := s.AddTag("o/r", "9.9.9", files)
	_, body := get(t, s.URL+"repos/o/r/contents/bucardo?ref=9.9.9")
	var rc struct{ Content, SHA, Encoding string }
	require.NoError(t, json.Unmarshal([]byte(body), &rc))
	b, err := base64.StdEncoding.DecodeString(strings.ReplaceAll(rc.Content, "\n", ""))
	require.NoError(t, err)
	assert.Equal(t, string(files["bucardo"]), string(b), "contents")
	assert.Equal(t, BlobSHA(b), rc.SHA, "blob SHA")
	assert.Equal(t, "base64", rc.Encoding)
	_, body = get(t, s.URL+"repos/o/r/commits/9.9.9", "Accept", "application/vnd.github.v3.sha")
	assert.Equal(t, c, body, "commit")
	resp, _ := get(t, s.URL+"repos/o/r/commits/9.9.9", "Accept", "application/vnd.github.v3.sha", "If-None-Match", `"`+c+`"`)
	assert.Equal(t, 304, resp.StatusCode, "If-None-Match")
	resp, _ = get(t, s.URL+"repos/o/r/commits/nope")
	assert.Equal(t, 422, resp.StatusCode, "unknown ref")
	assert.Equal(t, 4, s.Count(), "requests recorded")
}

func TestFaults(t *testing.T) {
	s := New()
	defer s.Close()
	s.AddTag("o/r", "1", Files("1"))
	s.Fail(2, 502)
	for _, want := range []int{502, 502, 200} {
		resp, _ := get(t, s.URL+"repos/o/r/tags")
		assert.Equal(t, want, resp.StatusCode)
	}
	reset := time.Now().Add(time.Hour)
	s.RateLimit(reset)
	resp, _ := get(t, s.URL+"repos/o/r/tags")
	assert.Equal(t, 403, resp.StatusCode, "rate limit")
	assert.Equal(t, "0", resp.Header.Get("X-RateLimit-Remaining"))
	assert.Equal(t, fmt.Sprint(reset.Unix()), resp.Header.Get("X-RateLimit-Reset"))
	s.ClearFaults()
	resp, _ = get(t, s.URL+"repos/o/r/tags", "Authorization", "Bearer x")
	assert.Equal(t, 200, resp.StatusCode, "after ClearFaults")
	r := s.Requests()
	assert.Equal(t, "Bearer x", r[len(r)-1].Authorization, "Authorization recorded")
}

// A tag's commit is TagCommit, the same in every repository (as in a fork).
func TestTagCommit(t *testing.T) {
	s := New()
	defer s.Close()
	want := TagCommit("1.0", Files("1.0"))
	assert.Equal(t, want, s.AddTag("o/r", "1.0", Files("1.0")), "AddTag")
	assert.Equal(t, want, s.AddTag("fork/r", "1.0", Files("1.0")), "AddTag in a fork")
	assert.NotEqual(t, want, TagCommit("1.0", Files("1.1")), "other files, same commit")
	_, body := get(t, s.URL+"repos/o/r/commits/1.0", "Accept", "application/vnd.github.sha")
	assert.Equal(t, want, body, "commit of the tag")
	// Tagging again moves the tag.
	moved := s.AddTag("o/r", "1.0", Files("1.1"))
	_, body = get(t, s.URL+"repos/o/r/commits/1.0", "Accept", "application/vnd.github.sha")
	assert.Equal(t, moved, body, "commit of the moved tag")
	_, body = get(t, s.URL+"repos/o/r/tags")
	assert.Equal(t, 1, strings.Count(body, `"1.0"`), "tags after the move: %s", body)
	assert.Contains(t, body, moved, "tags after the move")
}
