package benchutil

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
)

// Summary is one record of summarize's JSON lines output (outputs.JSONLines):
// one category's minute.
type Summary struct {
	Category string `json:"category"`
	Minute   string `json:"minute"`
	Partial  bool   `json:"partial"`
	Lines    uint64 `json:"lines"`
	Matched  uint64 `json:"matched"`
	Ignored  uint64 `json:"ignored"`
	Unknown  uint64 `json:"unknown"`
	Late     uint64 `json:"late"`

	Counters map[string]uint64 `json:"counters"`
	Distinct map[string]struct {
		Value uint64 `json:"value"`
		Exact bool   `json:"exact"`
	} `json:"distinct"`
	Top map[string]struct {
		Items []struct {
			Key   string `json:"key"`
			Count uint64 `json:"count"`
			Error uint64 `json:"error"`
		} `json:"items"`
		Other uint64 `json:"other"`
		Total uint64 `json:"total"`
	} `json:"top"`
}

// TopMap returns the top-N table name as key → count, and whether it is
// complete (no key was dropped into Other and no count is an estimate).
func (s *Summary) TopMap(name string) (m map[string]uint64, complete bool) {
	t, ok := s.Top[name]
	if !ok {
		return nil, false
	}
	m = make(map[string]uint64, len(t.Items))
	complete = t.Other == 0
	for _, it := range t.Items {
		m[it.Key] += it.Count
		if it.Error != 0 {
			complete = false
		}
	}
	return m, complete
}

// ReadJSONL reads every record of a JSON lines file.
func ReadJSONL(path string) ([]Summary, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return DecodeJSONL(f, path)
}

// DecodeJSONL decodes JSON lines from r; name is used in errors.
func DecodeJSONL(r io.Reader, name string) ([]Summary, error) {
	var out []Summary
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 1<<20), 64<<20)
	for n := 1; sc.Scan(); n++ {
		if len(sc.Bytes()) == 0 {
			continue
		}
		var s Summary
		if err := json.Unmarshal(sc.Bytes(), &s); err != nil {
			return nil, fmt.Errorf("%s:%d: %w", name, n, err)
		}
		out = append(out, s)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return out, nil
}
