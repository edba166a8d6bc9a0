package holtwinters

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"os"
	"strings"
)

// ErrRRDFile reports an RRD file FromRRDFile cannot read.
var ErrRRDFile = errors.New("holtwinters: unsupported RRD file")

// RRD on-disk layout (rrd_format.h) on 64-bit little-endian Linux, the
// platform Debian's librrd writes: every scratch/par entry is an 8-byte
// union, unsigned long is 8 bytes.
const (
	statHeadSize = 128 // cookie[4] version[5] pad, double float_cookie, ds_cnt, rra_cnt, pdp_step, par[10]
	dsDefSize    = 120 // ds_nam[20] dst[20] par[10]
	rraDefSize   = 120 // cf_nam[20] pad, row_cnt, pdp_cnt, par[10]
	liveHeadSize = 16  // last_up, last_up_usec
	pdpPrepSize  = 112 // last_ds[30] pad, scratch[10]
	cdpPrepSize  = 80  // scratch[10]
	rraPtrSize   = 8   // cur_row
	floatCookie  = 8.642135e130
)

// rra_def par[] and cdp_prep scratch[] indices (rrd_format.h).
const (
	parHWAlpha         = 1
	parHWBeta          = 2
	parDependent       = 3
	parSeasonalGamma   = 1
	parSmoothingWindow = 2
	parSmoothIdx       = 4
	parDeltaPos        = 1
	parDeltaNeg        = 2
	parWindowLen       = 4
	parThreshold       = 5

	cdpIntercept     = 2 // also seasonal (SEASONAL), deviation (DEVSEASONAL)
	cdpLastIntercept = 3 // also last seasonal / last deviation
	cdpSlope         = 4
	cdpLastSlope     = 5
	cdpNullCount     = 6 // also init_seasonal (burn-in counter)
	cdpLastNullCount = 7
)

type rrdRaw struct {
	version  int
	dsNames  []string
	rraCF    []string
	rraRows  []int
	rraPDP   []int
	rraPar   [][10]uint64
	cdp      [][10]uint64 // [rra*ds_cnt+ds]
	curRow   []int
	rraStart []int // byte offset of each RRA's data
	lastUp   int64
	data     []byte
}

func u64f(v uint64) float64 { return math.Float64frombits(v) }

func cstr(b []byte) string {
	if i := strings.IndexByte(string(b), 0); i >= 0 {
		return string(b[:i])
	}
	return string(b)
}

func parseRRD(data []byte) (*rrdRaw, error) {
	le := binary.LittleEndian
	if len(data) < statHeadSize || string(data[:4]) != "RRD\x00" {
		return nil, fmt.Errorf("%w: not an RRD file", ErrRRDFile)
	}
	r := &rrdRaw{data: data}
	fmt.Sscanf(cstr(data[4:9]), "%d", &r.version)
	if u64f(le.Uint64(data[16:])) != floatCookie {
		return nil, fmt.Errorf("%w: float cookie mismatch (not a 64-bit little-endian file)", ErrRRDFile)
	}
	dsCnt, rraCnt := int(le.Uint64(data[24:])), int(le.Uint64(data[32:]))
	if dsCnt < 1 || dsCnt > 1<<16 || rraCnt < 1 || rraCnt > 1<<16 {
		return nil, fmt.Errorf("%w: %d data sources, %d archives", ErrRRDFile, dsCnt, rraCnt)
	}
	off := statHeadSize
	need := func(n int) error {
		if off+n > len(data) {
			return fmt.Errorf("%w: truncated", ErrRRDFile)
		}
		return nil
	}
	if err := need(dsCnt*dsDefSize + rraCnt*rraDefSize + liveHeadSize + dsCnt*pdpPrepSize + rraCnt*dsCnt*cdpPrepSize + rraCnt*rraPtrSize); err != nil {
		return nil, err
	}
	for i := 0; i < dsCnt; i++ {
		r.dsNames = append(r.dsNames, cstr(data[off:off+20]))
		off += dsDefSize
	}
	for i := 0; i < rraCnt; i++ {
		r.rraCF = append(r.rraCF, cstr(data[off:off+20]))
		r.rraRows = append(r.rraRows, int(le.Uint64(data[off+24:])))
		r.rraPDP = append(r.rraPDP, int(le.Uint64(data[off+32:])))
		var par [10]uint64
		for j := range par {
			par[j] = le.Uint64(data[off+40+8*j:])
		}
		r.rraPar = append(r.rraPar, par)
		off += rraDefSize
	}
	r.lastUp = int64(le.Uint64(data[off:]))
	off += liveHeadSize + dsCnt*pdpPrepSize
	for i := 0; i < rraCnt*dsCnt; i++ {
		var s [10]uint64
		for j := range s {
			s[j] = le.Uint64(data[off+8*j:])
		}
		r.cdp = append(r.cdp, s)
		off += cdpPrepSize
	}
	for i := 0; i < rraCnt; i++ {
		r.curRow = append(r.curRow, int(le.Uint64(data[off:])))
		off += rraPtrSize
	}
	for i := 0; i < rraCnt; i++ {
		r.rraStart = append(r.rraStart, off)
		off += r.rraRows[i] * dsCnt * 8
	}
	if off > len(data) {
		return nil, fmt.Errorf("%w: truncated data area", ErrRRDFile)
	}
	return r, nil
}

// FromRRDFile rebuilds the exact detector state of data source ds from an
// RRD file written by librrd (64-bit little-endian layout): parameters,
// intercept, slope, null counts, the SEASONAL and DEVSEASONAL arrays,
// their current rows and burn-in counters, and the failure history. The
// model continues bit for bit like the file, so a restarted summarize
// needs no separate checkpoint. It also returns the file's last update
// time (Unix seconds). The file must hold one HWPREDICT or MHWPREDICT
// chain in RRDtool's canonical order.
func FromRRDFile(path, ds string) (*Model, int64, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, 0, err
	}
	m, last, err := fromRRD(data, ds)
	if err != nil {
		return nil, 0, fmt.Errorf("%s: %w", path, err)
	}
	return m, last, nil
}

func fromRRD(data []byte, dsName string) (*Model, int64, error) {
	r, err := parseRRD(data)
	if err != nil {
		return nil, 0, err
	}
	ds := -1
	for i, n := range r.dsNames {
		if n == dsName {
			ds = i
		}
	}
	if ds < 0 {
		return nil, 0, fmt.Errorf("%w: no data source %q", ErrRRDFile, dsName)
	}
	dsCnt := len(r.dsNames)
	hw := -1
	for i, cf := range r.rraCF {
		if cf == "HWPREDICT" || cf == "MHWPREDICT" {
			if hw >= 0 {
				return nil, 0, fmt.Errorf("%w: more than one Holt-Winters chain", ErrRRDFile)
			}
			hw = i
		}
	}
	if hw < 0 {
		return nil, 0, fmt.Errorf("%w: no HWPREDICT/MHWPREDICT archive", ErrRRDFile)
	}
	seas := int(r.rraPar[hw][parDependent])
	dev, fail := -1, -1
	for i, cf := range r.rraCF {
		switch cf {
		case "DEVSEASONAL":
			dev = i
		case "FAILURES":
			fail = i
		}
	}
	if seas <= hw || seas >= len(r.rraCF) || r.rraCF[seas] != "SEASONAL" || dev <= seas || fail <= dev {
		return nil, 0, fmt.Errorf("%w: archives not in canonical order HWPREDICT, SEASONAL, DEVSEASONAL, ..., FAILURES", ErrRRDFile)
	}
	P := r.rraRows[seas]
	if r.rraRows[dev] != P {
		return nil, 0, fmt.Errorf("%w: SEASONAL has %d rows, DEVSEASONAL %d", ErrRRDFile, P, r.rraRows[dev])
	}
	sw := DefaultSmoothingWindow
	if r.version >= 4 {
		sw = u64f(r.rraPar[seas][parSmoothingWindow])
		if dw := u64f(r.rraPar[dev][parSmoothingWindow]); dw != sw {
			return nil, 0, fmt.Errorf("%w: SEASONAL smoothing window %v differs from DEVSEASONAL's %v", ErrRRDFile, sw, dw)
		}
	}
	p := Params{
		Period:          P,
		Multiplicative:  r.rraCF[hw] == "MHWPREDICT",
		Alpha:           u64f(r.rraPar[hw][parHWAlpha]),
		Beta:            u64f(r.rraPar[hw][parHWBeta]),
		Gamma:           u64f(r.rraPar[seas][parSeasonalGamma]),
		GammaDev:        u64f(r.rraPar[dev][parSeasonalGamma]),
		DeltaPos:        u64f(r.rraPar[fail][parDeltaPos]),
		DeltaNeg:        u64f(r.rraPar[fail][parDeltaNeg]),
		Threshold:       int(r.rraPar[fail][parThreshold]),
		Window:          int(r.rraPar[fail][parWindowLen]),
		SmoothingWindow: sw,
	}
	sidx := int(r.rraPar[seas][parSmoothIdx])
	m, err := New(p, Schedule{SeasonalRow: r.curRow[seas], DevSeasonalRow: r.curRow[dev], SmoothIdx: sidx})
	if err != nil {
		return nil, 0, fmt.Errorf("%w: %w", ErrRRDFile, err)
	}
	c := r.cdp[hw*dsCnt+ds]
	m.intercept, m.lastIntercept = u64f(c[cdpIntercept]), u64f(c[cdpLastIntercept])
	m.slope, m.lastSlope = u64f(c[cdpSlope]), u64f(c[cdpLastSlope])
	m.nullCount, m.lastNullCount = c[cdpNullCount], c[cdpLastNullCount]
	c = r.cdp[seas*dsCnt+ds]
	m.seasCoef, m.lastSeasCoef = u64f(c[cdpIntercept]), u64f(c[cdpLastIntercept])
	m.seasBurnin = r.cdp[seas*dsCnt][cdpNullCount] // burn-in lives in the first DS
	c = r.cdp[dev*dsCnt+ds]
	m.devCoef, m.lastDev = u64f(c[cdpIntercept]), u64f(c[cdpLastIntercept])
	m.devBurnin = r.cdp[dev*dsCnt][cdpNullCount]
	var hist [80]byte
	for j := 0; j < 10; j++ {
		binary.LittleEndian.PutUint64(hist[8*j:], r.cdp[fail*dsCnt+ds][j])
	}
	copy(m.violations, hist[:p.Window])
	for i := range m.violations {
		if m.violations[i] > 1 {
			return nil, 0, fmt.Errorf("%w: failure history byte %d", ErrRRDFile, m.violations[i])
		}
	}
	for row := 0; row < P; row++ {
		m.seasonal[row] = u64f(binary.LittleEndian.Uint64(r.data[r.rraStart[seas]+(row*dsCnt+ds)*8:]))
		m.devseasonal[row] = u64f(binary.LittleEndian.Uint64(r.data[r.rraStart[dev]+(row*dsCnt+ds)*8:]))
	}
	return m, r.lastUp, nil
}
