package upstream

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// A rate limit that GitHub says resets in 292 billion years is shown as
// the absolute time it named, not as "in 2562047h47m".
func TestFarRateLimitReset(t *testing.T) {
	w := newWorld(t)
	w.srv.RateLimit(time.Unix(1<<40, 0))
	_, err := w.fetch(t, nil)
	var rl *RateLimitError
	if !errors.As(err, &rl) {
		t.Fatalf("error = %v, want a *RateLimitError", err)
	}
	msg := err.Error()
	if strings.Contains(msg, "2562047h") || !strings.Contains(msg, "GitHub says it resets at 36812-02-20T00:36:16Z") {
		t.Errorf("message %q", msg)
	}
}

// Commits that are not 40 hex digits, in a tag listing or a cache entry,
// are not believed.
func TestCommitsMustBeFortyHexDigits(t *testing.T) {
	w := newWorld(t)
	_, err := Versions(context.Background(), w.opt)
	require.NoError(t, err)
	tags := filepath.Join(w.opt.cache().repoDir(DefaultRepo), "tags.json")
	data, err := os.ReadFile(tags)
	require.NoError(t, err)
	evil := strings.Replace(string(data), w.commit, `\u001b]8;;http://evil\u0007click`, 1)
	require.NoError(t, os.WriteFile(tags, []byte(evil), 0o644))
	offline := w.opt
	offline.Offline, offline.CacheDir = true, w.opt.CacheDir
	list, err := Versions(context.Background(), offline)
	require.NoError(t, err)
	for _, v := range list {
		if v.Commit != "" && len(v.Commit) != 40 {
			t.Errorf("%s: commit %q", v.Version, v.Commit)
		}
	}

	w.mustFetch(t, nil)
	meta := filepath.Join(w.opt.cache().entryDir(DefaultRepo, "9.9.9"), "meta.json")
	data, err = os.ReadFile(meta)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(meta, []byte(strings.Replace(string(data), w.commit, "not-a-commit", 1)), 0o644))
	_, err = w.fetch(t, func(o *Options) { o.Offline = true })
	if !errors.Is(err, ErrOffline) || !strings.Contains(w.log.String(), `commit "not-a-commit" is not 40 hex digits`) {
		t.Errorf("fetch: %v; log:\n%s", err, w.log)
	}
}

// A refused version is quoted cut short, however long it is.
func TestLongVersionIsNotEchoedWhole(t *testing.T) {
	err := ValidVersion(strings.Repeat("a", 5000))
	if !errors.Is(err, ErrInvalid) || len(err.Error()) > 200 || !strings.Contains(err.Error(), "(cut; 5000 characters)") {
		t.Errorf("error %q", err)
	}
}
