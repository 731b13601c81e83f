package upstream

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os/exec"
	"strconv"
	"strings"

	"github.com/bcfork/bcfork/internal/bucardo"
	"github.com/bcfork/bcfork/internal/version"
)

// Tag is a tag of the upstream repository and the commit it points at.
type Tag struct {
	Name   string
	Commit string
}

// GitHub reads upstream's tags, branches and files through the GitHub API,
// with the cache, as Fetch and Versions do.
type GitHub struct {
	Opt Options // Repo, APIURL, Token, CacheDir, Pins...; Version and From are ignored
}

// Tags lists the repository's tags (one request per 100, conditional with
// a cached listing).
func (g GitHub) Tags(ctx context.Context) ([]Tag, error) {
	opt := g.Opt
	if err := opt.defaults(); err != nil {
		return nil, err
	}
	tags, err := listTags(ctx, &opt)
	if err != nil {
		return nil, err
	}
	out := make([]Tag, len(tags))
	for i, t := range tags {
		out[i] = Tag(t)
	}
	return out, nil
}

// Head returns the commit branch points at (one request).
func (g GitHub) Head(ctx context.Context, branch string) (string, error) {
	opt := g.Opt
	if err := opt.defaults(); err != nil {
		return "", err
	}
	if err := validRef(branch); err != nil {
		return "", err
	}
	if opt.Offline {
		return "", fmt.Errorf("%w: the head of %s@%s", ErrOffline, opt.Repo, branch)
	}
	h, err := newHub(&opt)
	if err != nil {
		return "", err
	}
	commit, _, err := h.resolve(ctx, branch, "")
	return commit, err
}

// Files fetches bucardo and bucardo.schema at ref (a tag or a commit), as
// Fetch does, pinned or not: pinned ones are verified.
func (g GitHub) Files(ctx context.Context, ref string) (map[string][]byte, error) {
	opt := g.Opt
	opt.Version, opt.From, opt.AllowUnpinned, opt.Flavor = ref, "", true, DefaultFlavor
	rel, err := Fetch(ctx, opt)
	if err != nil {
		return nil, err
	}
	return rel.Files, nil
}

// Commits is unknown through the API without spending more requests: -1.
func (g GitHub) Commits(context.Context, string, string) (int, error) { return -1, nil }

// Mirror reads upstream's tags, branches and files from a local git
// repository (a clone or a mirror of it), with the git command, offline.
type Mirror struct {
	Dir string // the git directory (REPO/.git, or a bare mirror)
}

// ErrMirror is matched (errors.Is) by the failures of git in a Mirror.
var ErrMirror = errors.New("reading the git mirror")

func (m Mirror) git(ctx context.Context, args ...string) ([]byte, error) {
	cmd := exec.CommandContext(ctx, "git", append([]string{"--git-dir", m.Dir}, args...)...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		msg := strings.TrimSpace(stderr.String())
		if msg == "" {
			msg = err.Error()
		}
		return nil, fmt.Errorf("%w %q: git %s: %s", ErrMirror, m.Dir, strings.Join(args, " "), msg)
	}
	return out, nil
}

// Tags lists the mirror's tags with the commits they point at (annotated
// tags peeled).
func (m Mirror) Tags(ctx context.Context) ([]Tag, error) {
	out, err := m.git(ctx, "for-each-ref", "--format=%(refname:strip=2) %(objectname) %(*objectname)", "refs/tags")
	if err != nil {
		return nil, err
	}
	var tags []Tag
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		f := strings.Fields(line)
		if len(f) < 2 {
			continue
		}
		t := Tag{Name: f[0], Commit: f[1]}
		if len(f) == 3 {
			t.Commit = f[2]
		}
		tags = append(tags, t)
	}
	return tags, nil
}

// Head returns the commit branch points at: refs/heads/BRANCH, else
// refs/remotes/origin/BRANCH (a clone's view of upstream).
func (m Mirror) Head(ctx context.Context, branch string) (string, error) {
	if err := validRef(branch); err != nil {
		return "", err
	}
	var err error
	for _, ref := range []string{"refs/heads/" + branch, "refs/remotes/origin/" + branch} {
		var out []byte
		if out, err = m.git(ctx, "rev-parse", "--verify", "--quiet", ref+"^{commit}"); err == nil {
			return strings.TrimSpace(string(out)), nil
		}
	}
	return "", fmt.Errorf("%w %q: no branch %q", ErrMirror, m.Dir, branch)
}

// Files reads bucardo and bucardo.schema at ref (a tag or a commit).
func (m Mirror) Files(ctx context.Context, ref string) (map[string][]byte, error) {
	if err := validRef(ref); err != nil {
		return nil, err
	}
	files := map[string][]byte{}
	for _, n := range bucardo.Names {
		b, err := m.git(ctx, "cat-file", "blob", ref+":"+n)
		if err != nil {
			return nil, err
		}
		files[n] = b
	}
	return files, nil
}

// Commits counts the commits from..to; -1 when from is not in the mirror.
func (m Mirror) Commits(ctx context.Context, from, to string) (int, error) {
	if !version.IsCommit(from) || !version.IsCommit(to) {
		return -1, nil
	}
	if _, err := m.git(ctx, "cat-file", "-e", from+"^{commit}"); err != nil {
		return -1, nil
	}
	out, err := m.git(ctx, "rev-list", "--count", from+".."+to)
	if err != nil {
		return -1, err
	}
	return strconv.Atoi(strings.TrimSpace(string(out)))
}
