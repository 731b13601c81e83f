// Package rebase carries a patch series onto other pristine files, one
// 3-way merge per patch, and keeps a rebase stopped at a conflict in a work
// folder until the conflict is resolved or the rebase is abandoned.
package rebase
