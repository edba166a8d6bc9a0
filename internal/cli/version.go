package cli

import (
	"fmt"
	"runtime/debug"
	"strings"
)

// Version is the --version line: the command, the main module's version,
// the VCS revision and time it was built from ("+dirty" when the tree had
// changes) and the Go version, all from the binary's build info.
func Version(name string) string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return name + " (no build info)"
	}
	version := bi.Main.Version
	if version == "" {
		version = "(devel)"
	}
	var rev, when, dirty string
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.time":
			when = s.Value
		case "vcs.modified":
			if s.Value == "true" {
				dirty = "+dirty"
			}
		}
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s", name, version)
	if rev != "" {
		fmt.Fprintf(&b, " (revision %s%s", rev, dirty)
		if when != "" {
			fmt.Fprintf(&b, ", %s", when)
		}
		b.WriteString(")")
	} else {
		b.WriteString(" (no VCS revision in the build info: built outside a git clone, or with -buildvcs=false)")
	}
	fmt.Fprintf(&b, " %s", bi.GoVersion)
	return b.String()
}
