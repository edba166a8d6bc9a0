package dashboard

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
	"time"
)

// Summary is one category's minute as summarize writes it to its JSON-lines
// file (docs/outputs.md). Only what the dashboard shows is decoded.
type Summary struct {
	Category string               `json:"category"`
	Minute   time.Time            `json:"minute"`
	Partial  bool                 `json:"partial"`
	Lines    uint64               `json:"lines"`
	Matched  uint64               `json:"matched"`
	Ignored  uint64               `json:"ignored"`
	Unknown  uint64               `json:"unknown"`
	Late     uint64               `json:"late"`
	Counters map[string]float64   `json:"counters"`
	Distinct map[string]Distinct  `json:"distinct"`
	Top      map[string]TopTable  `json:"top"`
	Stats    map[string]StatValue `json:"stats"`
	// Order keeps the file's member order of counters (the rule file's
	// order), which JSON objects decoded into maps lose.
	Order []string `json:"-"`
}

// Distinct is a distinct count; Exact is false for a HyperLogLog estimate.
type Distinct struct {
	Value uint64 `json:"value"`
	Exact bool   `json:"exact"`
}

// TopTable is one top-N table of a minute (space-saving: Error bounds an
// item's overcount; Other is what the table had to forget).
type TopTable struct {
	Items []TopItem `json:"items"`
	Other uint64    `json:"other"`
	Total uint64    `json:"total"`
}

// TopItem is one key of a top-N table. Key is attacker-controlled text.
type TopItem struct {
	Key   string `json:"key"`
	Count uint64 `json:"count"`
	Error uint64 `json:"error"`
}

// StatValue is a numeric statistic of a minute; nil numbers were not finite.
type StatValue struct {
	Count uint64   `json:"count"`
	Sum   *float64 `json:"sum"`
	Min   *float64 `json:"min"`
	Max   *float64 `json:"max"`
	Mean  *float64 `json:"mean"`
	P50   *float64 `json:"p50"`
	P95   *float64 `json:"p95"`
	P99   *float64 `json:"p99"`
}

// Alert is an aberration record (docs/rrd.md, "Alerts"): a counter's
// Holt-Winters failure state turned on or off at Minute.
type Alert struct {
	Type      string    `json:"type"`
	State     string    `json:"state"` // "on" or "off"
	Category  string    `json:"category"`
	Counter   string    `json:"counter"`
	Minute    time.Time `json:"minute"`
	Observed  *float64  `json:"observed"`
	Predicted *float64  `json:"predicted"`
	Lower     *float64  `json:"lower"`
	Upper     *float64  `json:"upper"`
}

// maxLine bounds one JSON-lines record; longer lines are skipped and counted.
const maxLine = 16 << 20

// tailFile follows one JSON-lines file: it remembers how far it has read
// and, on each poll, reads only what was appended. A file that shrank or was
// replaced (logrotate) is read again from its start.
type tailFile struct {
	path   string
	offset int64
	info   os.FileInfo // identity of the file read so far
	// sig is the file's last bytes before offset: if they changed, the file
	// was truncated and rewritten past offset between two polls
	// (logrotate's copytruncate), and is read again from its start.
	sig []byte
}

const sigLen = 64

// lineSink receives every complete line read from a file.
type lineSink func(line []byte)

// poll reads the lines appended since the last poll. Only complete lines
// (ending in '\n') are consumed: summarize writes a minute with one write
// call, but a reader can still catch it between two page writes.
func (t *tailFile) poll(sink lineSink) (skipped int, err error) {
	f, err := os.Open(t.path)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return 0, nil // not written yet: summarize creates it on its first minute
		}
		return 0, fmt.Errorf("open summaries: %w", err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return 0, fmt.Errorf("stat summaries: %w", err)
	}
	if t.info == nil || !os.SameFile(t.info, fi) || fi.Size() < t.offset || !t.sameSig(f) {
		t.offset = 0
	}
	t.info = fi
	if fi.Size() == t.offset {
		return 0, nil
	}
	if _, err := f.Seek(t.offset, io.SeekStart); err != nil {
		return 0, fmt.Errorf("seek summaries %s: %w", t.path, err)
	}
	r := bufio.NewReaderSize(io.LimitReader(f, fi.Size()-t.offset), 256<<10)
	var (
		long    []byte // a line longer than the buffer, assembled
		tooLong bool   // the current line exceeds maxLine: skip it
		pending int64  // bytes of the current, incomplete line
	)
	for {
		chunk, err := r.ReadSlice('\n')
		if errors.Is(err, bufio.ErrBufferFull) {
			pending += int64(len(chunk))
			if !tooLong && len(long)+len(chunk) <= maxLine {
				long = append(long, chunk...)
			} else {
				tooLong, long = true, nil
			}
			continue
		}
		if err != nil { // io.EOF: a partial last line stays for the next poll
			t.sig = t.readSig(f)
			return skipped, nil
		}
		t.offset += pending + int64(len(chunk))
		line := chunk
		if tooLong || len(long)+len(chunk) > maxLine {
			skipped++
			long, tooLong, pending = nil, false, 0
			continue
		}
		if long != nil {
			line = append(long, chunk...)
		}
		long, pending = nil, 0
		sink(bytes.TrimSpace(line))
	}
}

// readSig reads the sigLen bytes before offset.
func (t *tailFile) readSig(f *os.File) []byte {
	n := min(t.offset, sigLen)
	b := make([]byte, n)
	if _, err := f.ReadAt(b, t.offset-n); err != nil {
		return nil
	}
	return b
}

func (t *tailFile) sameSig(f *os.File) bool {
	if t.offset == 0 {
		return true
	}
	return t.sig != nil && bytes.Equal(t.readSig(f), t.sig)
}

var (
	alertPrefix = []byte(`{"type":"aberration"`)
	minuteKey   = []byte(`"minute":"`)
)

// quickMinute finds a summary's minute without decoding the line, so that
// the first read of a long file only decodes what the dashboard keeps.
func quickMinute(line []byte) (time.Time, bool) {
	i := bytes.Index(line, minuteKey)
	if i < 0 {
		return time.Time{}, false
	}
	rest := line[i+len(minuteKey):]
	j := bytes.IndexByte(rest, '"')
	if j < 0 {
		return time.Time{}, false
	}
	t, err := time.Parse(time.RFC3339, string(rest[:j]))
	return t, err == nil
}

// decodeSummary decodes one summary line and records its counters' order:
// prev (the category's previous order) when it names the same counters,
// else read from the line.
func decodeSummary(line []byte, prev []string) (*Summary, error) {
	var s Summary
	if err := json.Unmarshal(line, &s); err != nil {
		return nil, err
	}
	if s.Category == "" || s.Minute.IsZero() {
		return nil, errors.New("not a summary")
	}
	s.Order = prev
	if len(prev) != len(s.Counters) {
		s.Order = counterOrder(line, s.Counters)
		return &s, nil
	}
	for _, name := range prev {
		if _, ok := s.Counters[name]; !ok {
			s.Order = counterOrder(line, s.Counters)
			break
		}
	}
	return &s, nil
}

// counterOrder returns the member names of the line's "counters" object in
// file order (the rule file's order), falling back to sorted names.
func counterOrder(line []byte, counters map[string]float64) []string {
	n := len(counters)
	i := bytes.Index(line, []byte(`"counters":`))
	if i >= 0 {
		dec := json.NewDecoder(bytes.NewReader(line[i+len(`"counters":`):]))
		if tok, err := dec.Token(); err == nil && tok == json.Delim('{') {
			names := make([]string, 0, n)
			for dec.More() {
				k, err := dec.Token()
				if err != nil {
					break
				}
				name, _ := k.(string)
				names = append(names, name)
				if _, err := dec.Token(); err != nil { // the value: a number
					break
				}
			}
			if len(names) == n {
				return names
			}
		}
	}
	names := make([]string, 0, n)
	for name := range counters {
		names = append(names, name)
	}
	sort.Strings(names)
	return names
}
