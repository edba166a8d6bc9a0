package holtwinters

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
)

// ErrState reports a checkpoint that cannot be restored.
var ErrState = errors.New("holtwinters: bad state")

const (
	stateMagic   = "HWM1"
	stateVersion = 1
)

// MarshalBinary checkpoints the model: parameters, schedule and every
// coefficient, bit for bit, so that a restored model continues exactly
// where this one stopped.
func (m *Model) MarshalBinary() ([]byte, error) {
	P := m.p.Period
	b := make([]byte, 0, 64+16*P+8*20+m.p.Window)
	b = append(b, stateMagic...)
	b = append(b, stateVersion)
	mult := byte(0)
	if m.p.Multiplicative {
		mult = 1
	}
	b = append(b, mult)
	u := func(v uint64) { b = binary.LittleEndian.AppendUint64(b, v) }
	f := func(v float64) { u(math.Float64bits(v)) }
	u(uint64(P))
	f(m.p.Alpha)
	f(m.p.Beta)
	f(m.p.Gamma)
	f(m.p.GammaDev)
	f(m.p.DeltaPos)
	f(m.p.DeltaNeg)
	u(uint64(m.p.Threshold))
	u(uint64(m.p.Window))
	f(m.p.SmoothingWindow)
	u(uint64(m.sched.SeasonalRow))
	u(uint64(m.sched.DevSeasonalRow))
	u(uint64(m.sched.SmoothIdx))
	f(m.intercept)
	f(m.lastIntercept)
	f(m.slope)
	f(m.lastSlope)
	u(m.nullCount)
	u(m.lastNullCount)
	u(uint64(m.seasRow))
	f(m.seasCoef)
	f(m.lastSeasCoef)
	u(m.seasBurnin)
	u(uint64(m.devRow))
	f(m.devCoef)
	f(m.lastDev)
	u(m.devBurnin)
	u(m.steps)
	for _, v := range m.seasonal {
		f(v)
	}
	for _, v := range m.devseasonal {
		f(v)
	}
	b = append(b, m.violations...)
	return b, nil
}

// UnmarshalBinary restores a checkpoint written by MarshalBinary,
// replacing the receiver's parameters and state.
func (m *Model) UnmarshalBinary(data []byte) error {
	r := reader{b: data}
	if string(r.bytes(len(stateMagic))) != stateMagic {
		return fmt.Errorf("%w: not a holtwinters checkpoint", ErrState)
	}
	if v := r.byte(); v != stateVersion {
		return fmt.Errorf("%w: checkpoint version %d, want %d", ErrState, v, stateVersion)
	}
	var p Params
	p.Multiplicative = r.byte() == 1
	period := r.u64()
	if period > 1<<20 {
		return fmt.Errorf("%w: period %d too large", ErrState, period)
	}
	p.Period = int(period)
	p.Alpha, p.Beta, p.Gamma, p.GammaDev = r.f64(), r.f64(), r.f64(), r.f64()
	p.DeltaPos, p.DeltaNeg = r.f64(), r.f64()
	p.Threshold, p.Window = int(r.u64()), int(r.u64())
	p.SmoothingWindow = r.f64()
	s := Schedule{SeasonalRow: int(r.u64()), DevSeasonalRow: int(r.u64()), SmoothIdx: int(r.u64())}
	if r.err != nil {
		return fmt.Errorf("%w: truncated", ErrState)
	}
	n, err := New(p, s)
	if err != nil {
		return fmt.Errorf("%w: %w", ErrState, err)
	}
	n.intercept, n.lastIntercept = r.f64(), r.f64()
	n.slope, n.lastSlope = r.f64(), r.f64()
	n.nullCount, n.lastNullCount = r.u64(), r.u64()
	n.seasRow = int(r.u64())
	n.seasCoef, n.lastSeasCoef = r.f64(), r.f64()
	n.seasBurnin = r.u64()
	n.devRow = int(r.u64())
	n.devCoef, n.lastDev = r.f64(), r.f64()
	n.devBurnin = r.u64()
	n.steps = r.u64()
	for i := range n.seasonal {
		n.seasonal[i] = r.f64()
	}
	for i := range n.devseasonal {
		n.devseasonal[i] = r.f64()
	}
	copy(n.violations, r.bytes(p.Window))
	if r.err != nil {
		return fmt.Errorf("%w: truncated", ErrState)
	}
	if len(r.b) != 0 {
		return fmt.Errorf("%w: %d trailing bytes", ErrState, len(r.b))
	}
	if n.seasRow < 0 || n.seasRow >= p.Period || n.devRow < 0 || n.devRow >= p.Period {
		return fmt.Errorf("%w: row out of range", ErrState)
	}
	for _, v := range n.violations {
		if v > 1 {
			return fmt.Errorf("%w: violation flag %d", ErrState, v)
		}
	}
	*m = *n
	return nil
}

type reader struct {
	b   []byte
	err error
}

func (r *reader) bytes(n int) []byte {
	if r.err != nil || len(r.b) < n {
		r.err = ErrState
		return make([]byte, n)
	}
	v := r.b[:n]
	r.b = r.b[n:]
	return v
}

func (r *reader) byte() byte   { return r.bytes(1)[0] }
func (r *reader) u64() uint64  { return binary.LittleEndian.Uint64(r.bytes(8)) }
func (r *reader) f64() float64 { return math.Float64frombits(r.u64()) }
