// Package install puts a generated Bucardo fork on a host, takes it back off, and reports what is there.
package install
