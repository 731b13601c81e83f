//go:build !linux

package main

// outOfMemory is Linux's (it limits the address space and reads /proc).
func outOfMemory() int { return ExitFailure }
