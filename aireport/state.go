package aireport

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"time"

	"github.com/logtally/logtally/internal/atomicfile"
)

// ErrState is wrapped by every state-file error: the report is not
// produced, and the state file is never silently reset.
var ErrState = errors.New("state file")

// State remembers what earlier reports saw: every template's first and last
// sighting, and each rule's count in the previous report.
type State struct {
	Version    int                       `json:"version"`
	Updated    time.Time                 `json:"updated"`
	Categories map[string]*StateCategory `json:"categories"`
}

// StateCategory is one report section's memory.
type StateCategory struct {
	Templates map[string]*StateTemplate `json:"templates"`
	Rules     map[string]int64          `json:"rules,omitempty"` // counts in the previous report
}

// StateTemplate is one group key's history.
type StateTemplate struct {
	Program  string    `json:"program,omitempty"`
	Template string    `json:"template"`
	First    time.Time `json:"first"`
	Last     time.Time `json:"last"`
	Total    int64     `json:"total"`   // lines over all reports
	Reports  int       `json:"reports"` // reports it appeared in
}

const stateVersion = 1

// NewState returns an empty state.
func NewState() *State {
	return &State{Version: stateVersion, Categories: map[string]*StateCategory{}}
}

// LoadState reads path. A missing file is a first run (an empty state,
// fresh=true); any other problem — unreadable, empty, corrupt, a newer
// version — is an error wrapping ErrState.
func LoadState(path string) (st *State, fresh bool, err error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return NewState(), true, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("%w %s: %w (fix or remove it; it is never reset silently)", ErrState, path, err)
	}
	st = NewState()
	dec := json.NewDecoder(bytes.NewReader(b))
	if err := dec.Decode(st); err != nil {
		return nil, false, fmt.Errorf("%w %s: not valid aireport state: %w (fix or remove it; it is never reset silently)", ErrState, path, err)
	}
	if st.Version != stateVersion {
		return nil, false, fmt.Errorf("%w %s: version %d, want %d", ErrState, path, st.Version, stateVersion)
	}
	if st.Categories == nil {
		st.Categories = map[string]*StateCategory{}
	}
	return st, false, nil
}

// Save writes the state to path atomically: temp file, fsync, rename.
func (s *State) Save(path string, perm os.FileMode) error {
	b, err := json.MarshalIndent(s, "", " ")
	if err != nil {
		return fmt.Errorf("%w %s: %w", ErrState, path, err)
	}
	if err := atomicfile.Write(path, append(b, '\n'), perm); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}

func (s *State) category(name string) *StateCategory {
	c := s.Categories[name]
	if c == nil {
		c = &StateCategory{Templates: map[string]*StateTemplate{}}
		s.Categories[name] = c
	}
	if c.Templates == nil {
		c.Templates = map[string]*StateTemplate{}
	}
	return c
}
