// Package patch parses, applies, reverses, diffs and merges quilt patch
// series of -p1 unified diffs with DEP-3 headers.
//
// A typical use reads a series, applies it all or nothing, and shows
// what changed:
//
//	s, err := patch.ReadSeries(patches.FS, "upstream/5.6.0")
//	...
//	fork, results, err := patch.Apply(pristine, s, patch.ApplyOptions{Allowed: bucardo.Names})
//	var ae *patch.ApplyError
//	if errors.As(err, &ae) { /* ae names the patch, file, hunk and line */ }
//	os.Stdout.Write(patch.Diff("bucardo", pristine["bucardo"], fork["bucardo"]))
//
// # Series
//
// A series is a quilt folder: a file named "series" lists the patch files
// in the order they apply, one a line; "#" starts a comment, blank lines
// are ignored, and the only option taken after a name is -p1 (-p0, -R and
// others are refused, naming the line). ReadSeries refuses a listed patch
// that is missing, a patch listed twice, a name with a "/", and a *.patch
// or *.diff file in the folder that is not listed, naming them.
// Series.Hash is the sha256 over the series file and the patches in order,
// each framed as "<name> <size>\n" followed by its bytes.
//
// Each patch is a DEP-3 header followed by a -p1 unified or git diff,
// parsed with go-gitdiff. ParseHeader reads the header's fields
// (Description, Author, Forwarded, Bug or Bug-<vendor>, Last-Update; names
// in any case) with their continuation lines, and takes the Subject and
// From of a git format-patch mail for Description and Author (without the
// "[PATCH]" tag, MIME-decoded). Free-form text in the header is the long
// description, appended to Description. Reading stops at a "---" line.
//
// Parse refuses, with a *RejectError that matches ErrRejected, anything
// but in-place text changes to existing files: absolute paths, "..",
// names without the a/ and b/ prefixes, renames (also a plain diff whose
// old and new names differ), copies, creations (even of a file that does
// not exist: a series only changes the files it forks), deletions, mode
// changes, binary patches, hunks whose body is shorter or longer than
// their @@ counts say, hunks out of order, a "\ No newline at end of file"
// after a line that is not a side's last or after an empty line, a patch cut off in the middle of
// a hunk's line (as GNU patch and git apply do), and CRLF line endings
// anywhere in the patch. Apply also refuses files other than
// ApplyOptions.Allowed (when set) and files that are not among those given.
//
// # Apply
//
// Apply works on copies of the files it is given and is all or nothing:
// on an error it returns no files. Each hunk goes where its @@ line says
// if its old lines (context and removed) are there exactly. Otherwise it
// goes to the nearest place where they are, searching both ways: +1, -1,
// +2, -2 and so on, so a tie goes to the later place, as in GNU patch. The
// search starts from the stated line moved by the previous hunk's offset,
// and never goes back before the end of the previous hunk. The offset from
// the stated line is reported per hunk (HunkResult.Offset). As in GNU
// patch, a hunk with less context before its changes than after must start
// the file, one with less after must end it, and one that touches a line
// without a final newline must end it. A hunk without old lines (diff -U0
// insertion) goes where it says.
//
// Fuzz is never used unless ApplyOptions.Fuzz is above 0. Then, as GNU
// patch --fuzz, fuzz level 1, 2, ... up to Fuzz is tried in turn, each
// ignoring up to that many context lines at the hunk's ends (fewer at the
// end with less context), and the level used is reported per hunk
// (HunkResult.Fuzz). Ignored context lines are kept as the file has them.
//
// A hunk that finds no place is an *ApplyError naming the patch, file, hunk
// number and @@ line, the first expected line that differs from the file
// (at the nearest place where most of the hunk's old lines match, else at
// the stated line) and that nearest partial match. A hunk that cannot be
// in the file at all (it inserts past its end, or has more old lines than
// it) is an *ApplyError with a Reason instead. Reverse gives the patch that
// undoes a patch: if it applies to a file, that file already has the patch.
//
// # Diff
//
// Diff writes a unified diff with -p1 "a/" and "b/" names, 3 lines of
// context, hunks merged when their context would overlap or touch, and "\
// No newline at end of file" markers, as GNU diff -u does; GNU patch -p1
// and git apply apply it. Lines are aligned by a deterministic Myers
// O(ND) diff over line ids that takes the steps of diff-match-patch's
// diff_main with no time limit (trimming the common head and tail, taking
// a side whole when the other contains it, splitting at the middle snake,
// and its cleanupMerge), so that it aligns lines as go-diff v1.4.0, which
// the package used before, does. LineChanges counts the lines Diff
// adds and removes without writing it, for a diffstat.
//
// # Merge
//
// Merge is a line-based diff3 merge of base, ours and theirs: a change made
// on one side only is taken, the same change made on both sides is taken
// once, and changes of the two sides that overlap or touch (adjacent
// lines, or insertions at the same place) conflict unless they are
// identical. A conflict is written as
//
//	<<<<<<< ours
//	(ours)
//	||||||| base
//	(base)
//	=======
//	(theirs)
//	>>>>>>> theirs
//
// and reported as a Conflict with its line ranges. The output is the same
// as git merge-file -p --diff3 -L ours -L base -L theirs wherever the two
// line alignments agree.
package patch
