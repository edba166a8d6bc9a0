// Package syncbuf is a test helper: a bytes.Buffer that one goroutine may
// write while another reads it (a program's stdout under test, a
// keep-alive writer).
package syncbuf

import (
	"bytes"
	"sync"
)

// Buffer is a bytes.Buffer guarded by a mutex. The zero value is ready.
type Buffer struct {
	mu      sync.Mutex
	b       bytes.Buffer
	changed chan struct{} // a token after each write, for Changed
}

// Write appends p.
func (s *Buffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.changed != nil {
		select {
		case s.changed <- struct{}{}:
		default: // a token is already waiting
		}
	}
	return s.b.Write(p)
}

// Changed returns a channel that receives a token after writes, so a test
// waits for output instead of sleeping: receive, then check String. Writes
// before the first call to Changed leave no token.
func (s *Buffer) Changed() <-chan struct{} {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.changed == nil {
		s.changed = make(chan struct{}, 1)
	}
	return s.changed
}

// String returns what was written so far.
func (s *Buffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
