package outputs

import (
	"errors"
	"fmt"

	"github.com/logtally/logtally/tally"
)

// Named is an Output with the name its errors are reported under, e.g.
// "syslog /dev/log" or "topfiles".
type Named struct {
	Name   string
	Output Output
}

// Multi fans each minute out to several Outputs, in order. One output's
// error (or panic, turned into an error) never stops the others: Write and
// Close call every output and return the errors joined, each prefixed with
// the output's name.
type Multi struct {
	outs []Named
}

var _ Output = (*Multi)(nil)

// NewMulti returns a fan-out over outs (nil Outputs are skipped).
func NewMulti(outs ...Named) *Multi {
	m := &Multi{}
	for _, o := range outs {
		if o.Output != nil {
			m.outs = append(m.outs, o)
		}
	}
	return m
}

// Write writes minute to every output.
func (m *Multi) Write(minute []tally.Summary) error {
	var errs []error
	for _, o := range m.outs {
		if err := guard(o.Name, func() error { return o.Output.Write(minute) }); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// Close closes every output.
func (m *Multi) Close() error {
	var errs []error
	for _, o := range m.outs {
		if err := guard(o.Name, o.Output.Close); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// guard runs f, naming its error and converting a panic into an error.
func guard(name string, f func() error) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%s: panic: %v", name, r)
		}
	}()
	if err := f(); err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	return nil
}
