// Package bucardo names the upstream files bcfork forks.
package bucardo

// Script and Schema are the names of the two upstream files bcfork forks,
// as they sit at the top of Bucardo's repository and in a fork folder.
const (
	Script = "bucardo"
	Schema = "bucardo.schema"
)

// Names lists the two files in a fixed order: the order they are fetched,
// shown and written in.
var Names = []string{Script, Schema}
