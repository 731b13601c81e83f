package upstream

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/bcfork/bcfork/internal/fakegithub"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// gitRepo makes a git repository in a temporary folder: a commit of
// 9.9.9's files tagged 9.9.9 (lightweight), then one of 9.9.10's tagged
// 9.9.10 (annotated) on branch master. It returns the git directory.
func gitRepo(t *testing.T) string {
	t.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git not installed")
	}
	dir := t.TempDir()
	git := func(args ...string) {
		cmd := exec.Command("git", append([]string{"-C", dir}, args...)...)
		cmd.Env = append(os.Environ(), "GIT_AUTHOR_NAME=t", "GIT_AUTHOR_EMAIL=t@example.org", "GIT_COMMITTER_NAME=t",
			"GIT_COMMITTER_EMAIL=t@example.org", "GIT_CONFIG_GLOBAL=/dev/null", "GIT_CONFIG_SYSTEM=/dev/null")
		out, err := cmd.CombinedOutput()
		require.NoError(t, err, "git %v: %s", args, out)
	}
	git("init", "-q", "-b", "master")
	for _, v := range []string{"9.9.9", "9.9.10"} {
		for n, b := range fakegithub.Files(v) {
			require.NoError(t, os.WriteFile(filepath.Join(dir, n), b, 0o644))
		}
		git("add", "-A")
		git("commit", "-q", "-m", v)
	}
	git("tag", "9.9.9", "HEAD~1")
	git("tag", "-a", "-m", "release", "9.9.10")
	return filepath.Join(dir, ".git")
}

func TestMirror(t *testing.T) {
	m := Mirror{Dir: gitRepo(t)}
	ctx := context.Background()
	tags, err := m.Tags(ctx)
	require.NoError(t, err)
	require.Len(t, tags, 2)
	head, err := m.Head(ctx, "master")
	require.NoError(t, err)
	commits := map[string]string{}
	for _, tag := range tags {
		commits[tag.Name] = tag.Commit
	}
	assert.Equal(t, head, commits["9.9.10"], "the annotated tag 9.9.10 peeled to its commit")
	files, err := m.Files(ctx, "9.9.9")
	require.NoError(t, err)
	assert.Equal(t, fakegithub.Files("9.9.9"), files)
	n, err := m.Commits(ctx, commits["9.9.9"], head)
	require.NoError(t, err)
	assert.Equal(t, 1, n, "commits from 9.9.9 to master")
	n, _ = m.Commits(ctx, "d9919c804d2c84a25e9bd8895908e80932609160", head)
	assert.Equal(t, -1, n, "commits from a commit the mirror lacks")
	_, err = m.Head(ctx, "nope")
	assert.ErrorIs(t, err, ErrMirror)
	_, err = m.Files(ctx, "--output=x")
	assert.ErrorIs(t, err, ErrInvalid, "an option for a ref")
}
