package rebase

import (
	"bytes"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/bcfork/bcfork/internal/bucardo"
	"github.com/bcfork/bcfork/patch"
)

// ErrUnchanged is returned by Refresh when the edited files are what the
// series makes of the pristine ones.
var ErrUnchanged = errors.New("nothing to refresh: the files are as the series makes them")

// SpanError reports an edit that changes the lines of several patches, or
// of another patch than the one named.
type SpanError struct {
	Named string     // the patch asked for; "" when Refresh was to pick one
	Parts []SpanPart // one for each patch whose lines the edit changes
}

// SpanPart is where an edit changes (or touches) the lines of one patch.
type SpanPart struct {
	Patch string
	File  string
	Line  int // 1-based, in the edited file
}

func (p SpanPart) String() string {
	return fmt.Sprintf("%q (%s line %d)", p.Patch, p.File, p.Line)
}

func (e *SpanError) Error() string {
	var parts []string
	for _, p := range e.Parts {
		parts = append(parts, p.String())
	}
	if e.Named != "" {
		return fmt.Sprintf("refreshing %q: the edit also changes the lines of %s", e.Named, strings.Join(parts, ", "))
	}
	return fmt.Sprintf("refreshing: the edit spans %d patches: %s", len(e.Parts), strings.Join(parts, " and "))
}

// Refreshed is a series rewritten by Refresh.
type Refreshed struct {
	Patch   string            // the patch the edit went into
	Patches map[string][]byte // the new text of each patch that changed, by name
	Later   []Carried         // how the patches after Patch were carried
}

// Refresh rewrites series s, which turns the files pristine into a fork,
// so that it turns them into edited instead: the edit goes into the patch
// named name or, when name is "", into the one whose lines it changes, else
// into the last patch that changes one of the edited files. That patch
// keeps its DEP-3 header with Last-Update set to date; the patches after it
// are carried onto it as Rebase carries them. An edit that changes or
// touches the lines of two patches is a *SpanError.
func Refresh(s *patch.Series, pristine, edited map[string][]byte, name, date string) (*Refreshed, error) {
	states, err := applyEach(pristine, s)
	if err != nil {
		return nil, err
	}
	fork := states[len(s.Patches)]
	if sameFiles(fork, edited) {
		return nil, ErrUnchanged
	}
	i, err := pick(s, states, edited, name)
	if err != nil {
		return nil, err
	}
	p := s.Patches[i]
	after, err := backport(fork, edited, states[i+1], p.Name)
	if err != nil {
		return nil, err
	}
	raw := mergers(nil).rewritten(p, states[i], after, date)
	if raw == nil {
		return nil, fmt.Errorf("refreshing %q: the edit undoes all of it; take it out of the series instead", p.Name)
	}
	out := &Refreshed{Patch: p.Name, Patches: map[string][]byte{p.Name: raw}}
	if err := out.carryLater(s.Patches[i+1:], states[i+1], after, date); err != nil {
		return nil, err
	}
	return out, out.verify(s, pristine, edited)
}

// applyEach returns the files after each patch of s: [0] is pristine.
func applyEach(pristine map[string][]byte, s *patch.Series) ([]map[string][]byte, error) {
	states := []map[string][]byte{pristine}
	for _, p := range s.Patches {
		next, _, err := patch.ApplyOne(states[len(states)-1], p, forked)
		if err != nil {
			return nil, fmt.Errorf("refreshing: the series does not apply to the fork folder's pristine files: %w", err)
		}
		states = append(states, next)
	}
	return states, nil
}

// backport moves the edit from fork to edited onto the files after the
// patch it goes into, with a 3-way merge per edited file.
func backport(fork, edited, after map[string][]byte, name string) (map[string][]byte, error) {
	out := maps.Clone(after)
	for _, n := range bucardo.Names {
		if bytes.Equal(fork[n], edited[n]) {
			continue
		}
		m, cs := patch.Merge(fork[n], edited[n], after[n])
		if len(cs) > 0 {
			return nil, fmt.Errorf("refreshing %q: the edit of %q at line %d touches the changes of a later patch", name, n, cs[0].OursStart)
		}
		out[n] = m
	}
	return out, nil
}

// carryLater carries the patches after the refreshed one from old, the
// files they were made for, onto new.
func (rf *Refreshed) carryLater(later []*patch.Patch, old, new map[string][]byte, date string) error {
	if len(later) == 0 {
		return nil
	}
	r := &Rebase{Series: &patch.Series{Patches: later}, Old: old, New: new, Date: date}
	if err := r.Run(); err != nil {
		return fmt.Errorf("refreshing %q: carrying the patches after it: %w", rf.Patch, err)
	}
	rf.Later = r.Done
	for _, rp := range r.Done {
		if rp.Status != Clean {
			rf.Patches[rp.Name] = rp.Raw
		}
	}
	return nil
}

// verify applies the new series to pristine, every hunk at its stated
// line, and requires the edited files.
func (rf *Refreshed) verify(s *patch.Series, pristine, edited map[string][]byte) error {
	var done []Carried
	for _, p := range s.Patches {
		raw, ok := rf.Patches[p.Name]
		if !ok {
			raw = p.Raw
		}
		done = append(done, Carried{Name: p.Name, Raw: raw})
	}
	got, err := applyExact(pristine, done, forked)
	if err != nil {
		return err
	}
	for _, n := range bucardo.Names {
		if !bytes.Equal(got[n], edited[n]) {
			return &VerifyError{Patch: rf.Patch, Reason: fmt.Sprintf("the refreshed series does not give the edited %q", n)}
		}
	}
	return nil
}

// pick returns the index of the patch the edit goes into.
func pick(s *patch.Series, states []map[string][]byte, edited map[string][]byte, name string) (int, error) {
	parts := spans(s, states, edited)
	if name != "" {
		i := slices.IndexFunc(s.Patches, func(p *patch.Patch) bool { return p.Name == name })
		if i < 0 {
			return 0, fmt.Errorf("refreshing: no patch %q in the series (it has %s)", name, names(s))
		}
		if others := without(parts, name); len(others) > 0 {
			return 0, &SpanError{Named: name, Parts: others}
		}
		return i, nil
	}
	switch len(parts) {
	case 0:
		return lastTouching(s, states, edited)
	case 1:
		return slices.IndexFunc(s.Patches, func(p *patch.Patch) bool { return p.Name == parts[0].Patch }), nil
	}
	return 0, &SpanError{Parts: parts}
}

func names(s *patch.Series) string {
	var q []string
	for _, p := range s.Patches {
		q = append(q, strconv.Quote(p.Name))
	}
	return strings.Join(q, ", ")
}

func without(parts []SpanPart, name string) []SpanPart {
	var out []SpanPart
	for _, p := range parts {
		if p.Patch != name {
			out = append(out, p)
		}
	}
	return out
}

// lastTouching is the last patch that changes one of the edited files.
func lastTouching(s *patch.Series, states []map[string][]byte, edited map[string][]byte) (int, error) {
	fork := states[len(s.Patches)]
	for i := len(s.Patches) - 1; i >= 0; i-- {
		for _, n := range touched(s.Patches[i]) {
			if !bytes.Equal(fork[n], edited[n]) {
				return i, nil
			}
		}
	}
	return 0, errors.New("refreshing: no patch of the series changes the edited files; name the patch to put the edit in")
}

// spans lists, for each patch whose lines the edit changes or touches,
// the first place it does, in series order.
func spans(s *patch.Series, states []map[string][]byte, edited map[string][]byte) []SpanPart {
	first := map[int]SpanPart{}
	fork := states[len(s.Patches)]
	for _, n := range bucardo.Names {
		if bytes.Equal(fork[n], edited[n]) {
			continue
		}
		o := blame(states, n)
		for _, e := range patch.Edits(fork[n], edited[n]) {
			for _, who := range o.touchedBy(e) {
				if _, ok := first[who]; !ok {
					first[who] = SpanPart{Patch: s.Patches[who-1].Name, File: n, Line: e.B0 + 1}
				}
			}
		}
	}
	var out []SpanPart
	for _, who := range slices.Sorted(maps.Keys(first)) {
		out = append(out, first[who])
	}
	return out
}

// owners says which patch (1-based; 0 for none) last changed each line of
// a file, and which patches removed lines at a place (before line g).
type owners struct {
	line []int
	gap  map[int][]int
}

// blame follows the file name through the states of a series.
func blame(states []map[string][]byte, name string) owners {
	o := owners{line: make([]int, lineCount(states[0][name])), gap: map[int][]int{}}
	for i := 1; i < len(states); i++ {
		if !bytes.Equal(states[i-1][name], states[i][name]) {
			o = o.next(patch.Edits(states[i-1][name], states[i][name]), i, lineCount(states[i][name]))
		}
	}
	return o
}

func lineCount(b []byte) int {
	n := bytes.Count(b, []byte("\n"))
	if len(b) > 0 && b[len(b)-1] != '\n' {
		n++
	}
	return n
}

// next is o after the edits of patch who, which leave n lines.
func (o owners) next(edits []patch.Edit, who, n int) owners {
	out := owners{line: make([]int, n), gap: map[int][]int{}}
	a, b := 0, 0
	for _, e := range edits {
		for ; a < e.A0; a, b = a+1, b+1 {
			out.line[b] = o.line[a]
		}
		for k := e.B0; k < e.B1; k++ {
			out.line[k] = who
		}
		if e.B0 == e.B1 {
			out.gap[e.B0] = append(out.gap[e.B0], who)
		}
		a, b = e.A1, e.B1
	}
	for ; a < len(o.line); a, b = a+1, b+1 {
		out.line[b] = o.line[a]
	}
	for g, ws := range o.gap {
		at := movePos(g, edits)
		out.gap[at] = append(out.gap[at], ws...)
	}
	return out
}

// movePos is where place g (before line g) of a text is after edits.
func movePos(g int, edits []patch.Edit) int {
	delta := 0
	for _, e := range edits {
		switch {
		case g <= e.A0:
			return g + delta
		case g < e.A1:
			return e.B0
		}
		delta += (e.B1 - e.B0) - (e.A1 - e.A0)
	}
	return g + delta
}

// touchedBy lists the patches an edit belongs to: those whose lines it
// changes, or which removed lines inside it; when there are none, those
// whose lines are next to it or which removed lines at its ends.
func (o owners) touchedBy(e patch.Edit) []int {
	var out []int
	add := func(who int) {
		if who > 0 && !slices.Contains(out, who) {
			out = append(out, who)
		}
	}
	for k := e.A0; k < e.A1; k++ {
		add(o.line[k])
	}
	for g := e.A0 + 1; g < e.A1; g++ {
		for _, who := range o.gap[g] {
			add(who)
		}
	}
	if len(out) == 0 {
		for _, k := range []int{e.A0 - 1, e.A1} {
			if k >= 0 && k < len(o.line) {
				add(o.line[k])
			}
		}
		for _, g := range []int{e.A0, e.A1} {
			for _, who := range o.gap[g] {
				add(who)
			}
		}
	}
	slices.Sort(out)
	return out
}
