// Command bcfork generates, installs and maintains a fork of Bucardo that can
// run several daemons on one host. See doc.go for the manual.
package main

import "os"

func main() {
	os.Exit(Main())
}
