package aireport

import (
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// completeHint says how to get in-progress spool files completed.
const completeHint = "summarize completes them after --spool-max-age, or at once on SIGUSR2"

// isInProgress: summarize writes a spool file as "<name>.tmp" and renames
// it when complete.
func isInProgress(name string) bool {
	return strings.HasSuffix(name, ".tmp") && !strings.HasPrefix(name, ".")
}

func countInProgress(paths []string) int {
	n := 0
	for _, p := range paths {
		if st, err := os.Stat(p); err == nil && st.Mode().IsRegular() && isInProgress(filepath.Base(p)) {
			n++
		}
	}
	return n
}

func filesWord(n int) string {
	if n == 1 {
		return "1 file"
	}
	return strconv.Itoa(n) + " files"
}

// InProgressNote names the in-progress spool files (*.tmp) that the inputs
// args hold and ExpandInputs skips — "3 files still being written
// (…): a/x.tmp, …" — or returns "" when there are none. Directories are
// walked as ExpandInputs walks them; a glob is expanded.
func InProgressNote(args []string) string {
	var found []string
	for _, a := range args {
		if a == "-" {
			continue
		}
		st, err := os.Stat(a)
		switch {
		case err == nil && st.IsDir():
			_ = filepath.WalkDir(a, func(p string, d fs.DirEntry, err error) error {
				if err != nil {
					return nil
				}
				if d.IsDir() {
					if p != a && strings.HasPrefix(d.Name(), ".") {
						return filepath.SkipDir
					}
					return nil
				}
				if d.Type().IsRegular() && isInProgress(d.Name()) {
					found = append(found, p)
				}
				return nil
			})
		case err != nil:
			matches, _ := filepath.Glob(a)
			for _, m := range matches {
				if countInProgress([]string{m}) == 1 {
					found = append(found, m)
				}
			}
		}
	}
	if len(found) == 0 {
		return ""
	}
	const show = 3
	names := found
	more := ""
	if len(names) > show {
		names, more = names[:show], ", …"
	}
	return filesWord(len(found)) + " still being written, skipped (" + completeHint + "): " + strings.Join(names, ", ") + more
}
