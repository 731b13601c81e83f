package main

import (
	"slices"
	"testing"

	"github.com/bcfork/bcfork/upstream"
)

// fetchArgs repeats the flags a plain bcfork fetch would not take the same
// way: a value other than the default, or than BCFORK_GITHUB_API.
func TestFetchArgs(t *testing.T) {
	rel := &upstream.Release{Version: "5.6.0"}
	plain := sourceOptions{Repo: upstream.DefaultRepo, APIURL: upstream.DefaultAPIURL}
	for _, c := range []struct {
		name string
		env  string
		src  func(s *sourceOptions)
		want []string
	}{
		{"defaults", "", func(*sourceOptions) {}, nil},
		{"repo", "", func(s *sourceOptions) { s.Repo = "me/bucardo" }, []string{"--repo", "me/bucardo"}},
		{"api from the environment", "https://ghe/api/v3/", func(s *sourceOptions) { s.APIURL = "https://ghe/api/v3/" }, nil},
		{"api flag", "", func(s *sourceOptions) { s.APIURL = "https://ghe/api/v3/" }, []string{"--github-api", "https://ghe/api/v3/"}},
		{"api flag over the environment", "https://ghe/api/v3/", func(s *sourceOptions) { s.APIURL = upstream.DefaultAPIURL }, []string{"--github-api", upstream.DefaultAPIURL}},
		{"switches", "", func(s *sourceOptions) { s.Offline, s.NoCache, s.AllowUnpinned = true, true, true }, []string{"--offline", "--no-cache", "--allow-unpinned"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Setenv("BCFORK_GITHUB_API", c.env)
			src := plain
			c.src(&src)
			want := append([]string{"bcfork", "fetch", "--version", "5.6.0"}, c.want...)
			if got := fetchArgs(src, rel); !slices.Equal(got, want) {
				t.Errorf("fetchArgs = %q, want %q", got, want)
			}
		})
	}
}
