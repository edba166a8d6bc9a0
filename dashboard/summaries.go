package dashboard

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
	"os"
	"sort"
	"sync"
	"time"
)

// maxAlerts bounds the alerts kept in memory: beyond it, the oldest half
// is dropped.
const maxAlerts = 10000

// topWindow is how far back the "last hour" top-N tables look.
const topWindow = time.Hour

// statPoint is one minute of a category's statistics, kept for the
// percentile charts over the history window.
// Compact (names shared between minutes, three numbers each), because a
// category keeps hundreds of them.
type statPoint struct {
	minute time.Time
	names  []string     // sorted; the same slice as the previous minute's when equal
	pcts   [][3]float64 // p50, p95, p99 (NaN when absent)
}

// newStatPoint compacts a minute's statistics, sharing prev's names.
func newStatPoint(minute time.Time, stats map[string]StatValue, prev []string) statPoint {
	names := prev
	same := len(prev) == len(stats)
	for _, n := range prev {
		if _, ok := stats[n]; !ok {
			same = false
			break
		}
	}
	if !same {
		names = sortedKeys(stats)
	}
	p := statPoint{minute: minute, names: names, pcts: make([][3]float64, len(names))}
	for i, n := range names {
		st := stats[n]
		p.pcts[i] = [3]float64{deref(st.P50), deref(st.P95), deref(st.P99)}
	}
	return p
}

// get returns the named statistic's percentiles.
func (p statPoint) get(name string) ([3]float64, bool) {
	for i, n := range p.names {
		if n == name {
			return p.pcts[i], true
		}
	}
	return [3]float64{}, false
}

// lastNames is the names of the category's newest statistics point.
func (c *categoryData) lastNames() []string {
	if len(c.stats) == 0 {
		return nil
	}
	return c.stats[len(c.stats)-1].names
}

// categoryData is what the JSON-lines files told about one category.
type categoryData struct {
	latest *Summary   // newest minute
	recent []*Summary // the last topWindow of minutes, oldest first
	stats  []statPoint
}

// summaries is the in-memory view of the JSON-lines files: each
// category's latest minute, its last hour (for the top-N tables), its
// statistics over the history window, and the aberration alerts. It is
// fed by poll and read by request handlers.
type summaries struct {
	history time.Duration
	files   []*tailFile

	mu         sync.RWMutex
	categories map[string]*categoryData
	alerts     []Alert // in file order
	newest     time.Time
	version    uint64 // bumped when anything changed
	bad        int    // lines that were neither a summary nor an alert
	seeded     bool
}

func newSummaries(paths []string, history time.Duration) *summaries {
	s := &summaries{history: history, categories: map[string]*categoryData{}}
	for _, p := range paths {
		s.files = append(s.files, &tailFile{path: p})
	}
	return s
}

// poll reads what was appended to every file since the last poll.
func (s *summaries) poll() error {
	if !s.seeded {
		// A long file is read once from its start (for the alerts); seeding
		// the newest minute from its tail lets that pass skip decoding
		// summaries older than the history window.
		for _, f := range s.files {
			if t := newestInTail(f.path); t.After(s.newest) {
				s.mu.Lock()
				s.newest = t
				s.mu.Unlock()
			}
		}
		s.seeded = true
	}
	var firstErr error
	for _, f := range s.files {
		var batch [][]byte
		flush := func() {
			s.mu.Lock()
			for _, line := range batch {
				s.addLocked(line)
			}
			s.mu.Unlock()
			batch = batch[:0]
		}
		skipped, err := f.poll(func(line []byte) {
			if len(line) == 0 {
				return
			}
			if !bytes.HasPrefix(line, alertPrefix) {
				if t, ok := quickMinute(line); ok && t.Before(s.cutoff()) {
					return
				}
			}
			batch = append(batch, bytes.Clone(line))
			if len(batch) >= 512 {
				flush()
			}
		})
		flush()
		if skipped > 0 {
			s.mu.Lock()
			s.bad += skipped
			s.version++
			s.mu.Unlock()
		}
		if err != nil && firstErr == nil {
			firstErr = err
		}
	}
	return firstErr
}

// cutoff is the oldest minute worth decoding.
func (s *summaries) cutoff() time.Time {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.newest.Add(-s.history)
}

// addLocked records one line: an alert or a summary.
func (s *summaries) addLocked(line []byte) {
	s.version++
	if bytes.HasPrefix(line, alertPrefix) {
		var a Alert
		if err := json.Unmarshal(line, &a); err != nil || a.Category == "" {
			s.bad++
			return
		}
		s.alerts = append(s.alerts, a)
		if len(s.alerts) > maxAlerts {
			// A new array: snapshots still read the old one.
			s.alerts = append([]Alert(nil), s.alerts[len(s.alerts)-maxAlerts/2:]...)
		}
		return
	}
	// Minutes older than the top-N window only feed the statistics
	// history: decoding just those members is several times cheaper.
	if t, ok := quickMinute(line); ok && t.Before(s.newest.Add(-topWindow)) {
		var old struct {
			Category string               `json:"category"`
			Minute   time.Time            `json:"minute"`
			Stats    map[string]StatValue `json:"stats"`
		}
		if err := json.Unmarshal(line, &old); err != nil || old.Category == "" {
			s.bad++
			return
		}
		if c := s.categories[old.Category]; c != nil && len(old.Stats) > 0 {
			c.addStats(newStatPoint(old.Minute.UTC(), old.Stats, c.lastNames()), s.history)
			return
		}
		// A category's first line: keep it whole, it is its latest minute.
	}
	sum, err := decodeSummary(line, s.lastOrder(line))
	if err != nil {
		s.bad++
		return
	}
	sum.Minute = sum.Minute.UTC()
	if sum.Minute.After(s.newest) {
		s.newest = sum.Minute
	}
	c := s.categories[sum.Category]
	if c == nil {
		c = &categoryData{}
		s.categories[sum.Category] = c
	}
	// A later record of the same minute replaces an earlier one (a partial
	// minute at exit, continued after a restart).
	if c.latest == nil || !sum.Minute.Before(c.latest.Minute) {
		c.latest = sum
	}
	c.recent = insertByMinute(c.recent, sum)
	for len(c.recent) > 0 && c.recent[0].Minute.Before(c.latest.Minute.Add(-topWindow+time.Minute)) {
		c.recent = c.recent[1:]
	}
	if len(sum.Stats) > 0 {
		c.addStats(newStatPoint(sum.Minute, sum.Stats, c.lastNames()), s.history)
	}
}

// addStats inserts a minute's statistics in order and drops those older
// than the history window before the latest minute.
func (c *categoryData) addStats(p statPoint, history time.Duration) {
	i := sort.Search(len(c.stats), func(i int) bool { return !c.stats[i].minute.Before(p.minute) })
	if i < len(c.stats) && c.stats[i].minute.Equal(p.minute) {
		c.stats[i] = p
	} else {
		c.stats = append(c.stats, statPoint{})
		copy(c.stats[i+1:], c.stats[i:])
		c.stats[i] = p
	}
	newest := c.stats[len(c.stats)-1].minute
	if c.latest != nil && c.latest.Minute.After(newest) {
		newest = c.latest.Minute
	}
	n := 0
	for n < len(c.stats) && c.stats[n].minute.Before(newest.Add(-history)) {
		n++
	}
	c.stats = c.stats[n:]
}

// lastOrder returns the counter order of the line's category's latest
// minute: decodeSummary reuses it when the counters are the same names.
func (s *summaries) lastOrder(line []byte) []string {
	const key = `{"category":"`
	if !bytes.HasPrefix(line, []byte(key)) {
		return nil
	}
	rest := line[len(key):]
	end := bytes.IndexByte(rest, '"')
	if end < 0 {
		return nil
	}
	if c := s.categories[string(rest[:end])]; c != nil && c.latest != nil {
		return c.latest.Order
	}
	return nil
}

func insertByMinute(list []*Summary, s *Summary) []*Summary {
	i := sort.Search(len(list), func(i int) bool { return !list[i].Minute.Before(s.Minute) })
	if i < len(list) && list[i].Minute.Equal(s.Minute) {
		list[i] = s
		return list
	}
	list = append(list, nil)
	copy(list[i+1:], list[i:])
	list[i] = s
	return list
}

// newestInTail returns the newest summary minute in the last MiB of a file.
func newestInTail(path string) time.Time {
	f, err := os.Open(path)
	if err != nil {
		return time.Time{}
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return time.Time{}
	}
	const tail = 1 << 20
	if fi.Size() > tail {
		if _, err := f.Seek(fi.Size()-tail, io.SeekStart); err != nil {
			return time.Time{}
		}
	}
	var newest time.Time
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64<<10), tail)
	for sc.Scan() {
		line := sc.Bytes()
		if bytes.HasPrefix(line, alertPrefix) {
			continue
		}
		if t, ok := quickMinute(line); ok && t.After(newest) {
			newest = t
		}
	}
	return newest.UTC()
}
