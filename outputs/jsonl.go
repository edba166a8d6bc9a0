package outputs

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"strconv"
	"sync"
	"time"

	"github.com/logtally/logtally/internal/filemode"
	"github.com/logtally/logtally/tally"
)

// JSONLinesConfig configures a JSONLines output: either Path (a file opened
// for append, created with Perm, default 0640, minus the umask) or Writer (e.g. os.Stdout;
// never synced or closed by the output).
type JSONLinesConfig struct {
	Path   string
	Perm   os.FileMode
	Writer io.Writer
}

// JSONLines appends one JSON object per category per minute, one per line:
//
//	{"category":"asa","minute":"2026-11-22T10:01:00Z","partial":false,
//	 "lines":12,"matched":10,"ignored":1,"unknown":1,"late":0,
//	 "counters":{"http_connections":10},
//	 "distinct":{"servers":{"value":3,"exact":true}},
//	 "top":{"urls":{"items":[{"key":"a/x","count":5,"error":0}],"other":2,"total":7}},
//	 "stats":{"bytes":{"count":3,"sum":60,"min":10,"max":30,"mean":20,"p50":20,"p95":30,"p99":30}}}
//
// (shown wrapped; each record is one line). A SIGUSR1 preview of an open
// minute (emitted again when it closes) has "snapshot":true after
// "partial"; sums skip such records. Object members keep schema
// order. Non-finite floats (NaN, ±Inf) are written as null. Strings that
// are not valid UTF-8 have the bad bytes replaced by U+FFFD.
//
// All records of one minute are written with a single write call and the
// file is then fsynced, so a reader (tail -F, a dashboard) never sees half
// a line. Reopen closes and reopens Path, for logrotate's postrotate
// (the pipeline calls it on SIGHUP).
type JSONLines struct {
	cfg  JSONLinesConfig
	mu   sync.Mutex  // Reopen may come from a signal goroutine
	file *appendFile // nil when writing to cfg.Writer
	buf  []byte
}

// NewJSONLines opens cfg.Path for append (creating it), or wraps cfg.Writer.
// When the file cannot be opened it returns the output together with an
// error wrapping ErrRetrying: the output opens the file at a later write.
func NewJSONLines(cfg JSONLinesConfig) (*JSONLines, error) {
	if (cfg.Path == "") == (cfg.Writer == nil) {
		return nil, errors.New("outputs: jsonl: set exactly one of Path and Writer")
	}
	if cfg.Perm == 0 {
		cfg.Perm = filemode.Default
	}
	j := &JSONLines{cfg: cfg}
	if cfg.Path != "" {
		j.file = &appendFile{output: "jsonl", path: cfg.Path, perm: cfg.Perm}
		if err := j.file.open(); err != nil {
			return j, fmt.Errorf("%w: %w", ErrRetrying, err)
		}
	}
	return j, nil
}

// Write appends the minute's records in one write and fsyncs the file.
func (j *JSONLines) Write(minute []tally.Summary) error {
	if len(minute) == 0 {
		return nil
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	j.buf = j.buf[:0]
	for i := range minute {
		j.buf = AppendJSON(j.buf, &minute[i])
		j.buf = append(j.buf, '\n')
	}
	return j.flushLocked()
}

// flushLocked writes j.buf in one write call (fsynced when a file).
// Called with mu held.
func (j *JSONLines) flushLocked() error {
	if j.file != nil {
		return j.file.write(j.buf)
	}
	if _, err := j.cfg.Writer.Write(j.buf); err != nil {
		return opError("jsonl", "write", "writer", err)
	}
	return nil
}

// WriteRecord appends one JSON object (an alert record, already encoded,
// without newline) as a line of its own, written and synced like a minute.
func (j *JSONLines) WriteRecord(record []byte) error {
	j.mu.Lock()
	defer j.mu.Unlock()
	j.buf = append(append(j.buf[:0], record...), '\n')
	return j.flushLocked()
}

// Reopen closes and reopens Path (after logrotate moved it). With a Writer
// it does nothing. If reopening fails the error is returned and the next
// Write tries again.
func (j *JSONLines) Reopen() error {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.file == nil {
		return nil
	}
	return j.file.reopen()
}

// Close closes the file (not a caller's Writer). Every Write already
// fsynced, so there is nothing left to flush.
func (j *JSONLines) Close() error {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.file == nil {
		return nil
	}
	return j.file.close()
}

// AppendJSON appends the JSON object for s (no newline) to dst.
func AppendJSON(dst []byte, s *tally.Summary) []byte {
	dst = append(dst, `{"category":`...)
	dst = appendJSONString(dst, s.Category)
	dst = append(dst, `,"minute":"`...)
	dst = s.Minute.UTC().AppendFormat(dst, time.RFC3339)
	dst = append(dst, `","partial":`...)
	dst = strconv.AppendBool(dst, s.Partial)
	if s.Snapshot {
		dst = append(dst, `,"snapshot":true`...)
	}
	dst = appendJSONUint(dst, `,"lines":`, s.Lines)
	dst = appendJSONUint(dst, `,"matched":`, s.Matched)
	dst = appendJSONUint(dst, `,"ignored":`, s.Ignored)
	dst = appendJSONUint(dst, `,"unknown":`, s.Unknown)
	dst = appendJSONUint(dst, `,"late":`, s.Late)

	dst = append(dst, `,"counters":{`...)
	for i, c := range s.Counters {
		dst = appendJSONMember(dst, i, c.Name)
		dst = strconv.AppendUint(dst, c.Value, 10)
	}
	dst = append(dst, `},"distinct":{`...)
	for i, d := range s.Distincts {
		dst = appendJSONMember(dst, i, d.Name)
		dst = appendJSONUint(dst, `{"value":`, d.Value)
		dst = append(dst, `,"exact":`...)
		dst = strconv.AppendBool(dst, d.Exact)
		dst = append(dst, '}')
	}
	dst = append(dst, `},"top":{`...)
	for i, t := range s.Tops {
		dst = appendJSONMember(dst, i, t.Name)
		dst = append(dst, `{"items":[`...)
		for k, it := range t.Items {
			if k > 0 {
				dst = append(dst, ',')
			}
			dst = append(dst, `{"key":`...)
			dst = appendJSONString(dst, it.Key)
			dst = appendJSONUint(dst, `,"count":`, it.Count)
			dst = appendJSONUint(dst, `,"error":`, it.Error)
			dst = append(dst, '}')
		}
		dst = appendJSONUint(dst, `],"other":`, t.Other)
		dst = appendJSONUint(dst, `,"total":`, t.Total)
		dst = append(dst, '}')
	}
	dst = append(dst, `},"stats":{`...)
	for i, st := range s.Stats {
		dst = appendJSONMember(dst, i, st.Name)
		dst = appendJSONUint(dst, `{"count":`, st.Count)
		dst = appendJSONFloat(dst, `,"sum":`, st.Sum)
		dst = appendJSONFloat(dst, `,"min":`, st.Min)
		dst = appendJSONFloat(dst, `,"max":`, st.Max)
		dst = appendJSONFloat(dst, `,"mean":`, st.Mean)
		dst = appendJSONFloat(dst, `,"p50":`, st.P50)
		dst = appendJSONFloat(dst, `,"p95":`, st.P95)
		dst = appendJSONFloat(dst, `,"p99":`, st.P99)
		dst = append(dst, '}')
	}
	return append(dst, "}}"...)
}

func appendJSONMember(dst []byte, i int, name string) []byte {
	if i > 0 {
		dst = append(dst, ',')
	}
	dst = appendJSONString(dst, name)
	return append(dst, ':')
}

func appendJSONUint(dst []byte, prefix string, v uint64) []byte {
	dst = append(dst, prefix...)
	return strconv.AppendUint(dst, v, 10)
}

// appendJSONFloat writes v as encoding/json would, or null when it is not
// finite (JSON has no NaN or Inf).
func appendJSONFloat(dst []byte, prefix string, v float64) []byte {
	dst = append(dst, prefix...)
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return append(dst, "null"...)
	}
	b, _ := json.Marshal(v) // cannot fail for a finite float
	return append(dst, b...)
}

// appendJSONString quotes s as a JSON string via encoding/json (which
// replaces invalid UTF-8 with U+FFFD). HTML escaping is off: the output is
// read by programs, and "<" in a URL should stay readable.
func appendJSONString(dst []byte, s string) []byte {
	if jsonPlain(s) {
		dst = append(dst, '"')
		dst = append(dst, s...)
		return append(dst, '"')
	}
	var sb jsonBuf
	enc := json.NewEncoder(&sb)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(s); err != nil {
		panic(fmt.Sprintf("outputs: encoding a string cannot fail: %v", err))
	}
	b := sb.b
	if n := len(b); n > 0 && b[n-1] == '\n' {
		b = b[:n-1]
	}
	return append(dst, b...)
}

// jsonPlain reports whether s is printable ASCII needing no escapes.
func jsonPlain(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x20 || c >= 0x7f || c == '"' || c == '\\' {
			return false
		}
	}
	return true
}

type jsonBuf struct{ b []byte }

func (w *jsonBuf) Write(p []byte) (int, error) { w.b = append(w.b, p...); return len(p), nil }
