package dashboard

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/logtally/logtally/aireport"
)

// maxReport bounds the size of a report file the dashboard reads.
const maxReport = 64 << 20

// reports finds aireport's newest JSON report in a directory (written by
// `aireport -f json -o DIR/NAME.json` from cron) and the HTML page of the
// same run, if one was written next to it (`-f html -o DIR/NAME.html`).
type reports struct {
	dir string

	mu     sync.Mutex
	path   string
	mtime  time.Time
	report *aireport.Report
}

// latest returns the newest report, its file name and the name of its HTML
// page ("" when there is none). A nil report with a nil error means the
// directory holds no report yet.
func (r *reports) latest() (*aireport.Report, string, string, error) {
	if r == nil || r.dir == "" {
		return nil, "", "", nil
	}
	path, mtime := newestFile(r.dir, ".json")
	if path == "" {
		return nil, "", "", nil
	}
	html := strings.TrimSuffix(path, ".json") + ".html"
	if fi, err := os.Stat(html); err != nil || !fi.Mode().IsRegular() {
		html = ""
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if path == r.path && mtime.Equal(r.mtime) {
		return r.report, filepath.Base(path), filepath.Base(html), nil
	}
	fi, err := os.Stat(path)
	if err != nil {
		return nil, "", "", fmt.Errorf("report: %w", err)
	}
	if fi.Size() > maxReport {
		return nil, "", "", fmt.Errorf("report %s: %d bytes, over the %d limit", filepath.Base(path), fi.Size(), maxReport)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, "", "", fmt.Errorf("report: %w", err)
	}
	var rep aireport.Report
	if err := json.Unmarshal(b, &rep); err != nil {
		return nil, "", "", fmt.Errorf("report %s: %w", filepath.Base(path), err)
	}
	// aireport ranks NEW groups first; keep that promise for any report.
	for _, sec := range rep.Sections {
		sort.SliceStable(sec.Groups, func(i, j int) bool { return sec.Groups[i].New && !sec.Groups[j].New })
	}
	r.path, r.mtime, r.report = path, mtime, &rep
	return &rep, filepath.Base(path), filepath.Base(html), nil
}

// htmlPath returns the path of the newest report's HTML page, or "".
func (r *reports) htmlPath() string {
	_, _, html, err := r.latest()
	if err != nil || html == "" {
		return ""
	}
	return filepath.Join(r.dir, html)
}

// newestFile returns the most recently modified regular file in dir with
// the suffix (dot files and aireport's temp files are skipped).
func newestFile(dir, suffix string) (string, time.Time) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return "", time.Time{}
	}
	var best string
	var bestTime time.Time
	for _, e := range entries {
		name := e.Name()
		if strings.HasPrefix(name, ".") || !strings.HasSuffix(name, suffix) || !e.Type().IsRegular() {
			continue
		}
		fi, err := e.Info()
		if err != nil {
			continue
		}
		if best == "" || fi.ModTime().After(bestTime) || fi.ModTime().Equal(bestTime) && name > filepath.Base(best) {
			best, bestTime = filepath.Join(dir, name), fi.ModTime()
		}
	}
	return best, bestTime
}
