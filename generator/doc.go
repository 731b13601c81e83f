// Package generator turns pristine Bucardo files and a patch series into a
// fork folder, and reads a fork folder back, verified.
//
// Generate applies a series (package patch) to the two files,
// bucardo.Script and bucardo.Schema, all or nothing, and returns a Fork
// with its Manifest: where the inputs came from, the hash of the series,
// where each hunk applied, and the size, mode and sha256 of every file.
// Fork.Diff and Fork.Diffstat show what the series changed.
//
// Fork.Write writes the fork folder atomically: the forked script (mode
// 0755) and schema, their pristine copies (OrigSuffix), and the manifest
// (ManifestName). An existing folder is replaced only when asked to.
// ReadFork and ReadManifest read a fork folder and refuse one whose files
// do not match its manifest (ErrManifestMismatch) or whose manifest format
// is newer than ManifestFormat.
package generator
