package rrd

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/logtally/logtally/holtwinters"
	librrd "github.com/ziutek/rrd"
)

// GraphOptions describe one PNG rendered from a counter's RRD file.
type GraphOptions struct {
	File          string // the counter's .rrd file
	Title         string // default: the file name
	Start, End    time.Time
	Width, Height uint // whole image size in pixels (full-size mode)
}

// Graph renders the observed values (AVERAGE), the Holt-Winters band
// ŷ − δ₋·d … ŷ + δ₊·d (HWPREDICT/MHWPREDICT and DEVPREDICT, deltas read
// from the file's FAILURES archive) and a tick at every FAILURES minute,
// and returns the PNG bytes. librrd's graph code is not thread-safe;
// ziutek/rrd serializes it.
func Graph(o GraphOptions) ([]byte, error) {
	if o.File == "" {
		return nil, errors.New("graph: no RRD file")
	}
	if !o.End.After(o.Start) {
		return nil, fmt.Errorf("graph: end %v is not after start %v", o.End, o.Start)
	}
	if o.Width < 100 || o.Height < 60 {
		return nil, fmt.Errorf("graph: size %dx%d too small (min 100x60)", o.Width, o.Height)
	}
	m, _, err := holtwinters.FromRRDFile(o.File, rrdDS)
	if err != nil {
		return nil, fmt.Errorf("graph: %w", err)
	}
	p := m.Params()
	hw := "HWPREDICT"
	if p.Multiplicative {
		hw = "MHWPREDICT"
	}
	if o.Title == "" {
		o.Title = o.File
	}
	f := func(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }
	// DEF file names are separated by ':' in rrdgraph; escape it.
	file := strings.ReplaceAll(o.File, ":", `\:`)

	g := librrd.NewGrapher()
	g.SetTitle(o.Title)
	g.SetVLabel("events/min")
	g.SetSize(o.Width, o.Height)
	g.SetImageFormat("PNG")
	g.AddOptions("--full-size-mode", "--slope-mode", "--lower-limit", "0")
	g.Def("obs", file, rrdDS, "AVERAGE")
	g.Def("pred", file, rrdDS, hw)
	g.Def("dev", file, rrdDS, "DEVPREDICT")
	g.Def("fail", file, rrdDS, "FAILURES")
	g.CDef("upper", "pred,dev,"+f(p.DeltaPos)+",*,+")
	g.CDef("lower", "pred,dev,"+f(p.DeltaNeg)+",*,-")
	g.CDef("band", "upper,lower,-")
	g.AddOptions("LINE:lower") // invisible base of the stacked band
	g.Area("band", "A0C4FF80", "expected band", "STACK")
	g.Line(1, "pred", "1F77B4", "prediction")
	g.Line(1.5, "obs", "000000", "observed")
	g.Tick("fail", "FF000090", "1.0", "failure (FAILURES=1)")
	_, img, err := g.Graph(o.Start, o.End)
	if err != nil {
		return nil, fmt.Errorf("graph %s: %w", o.File, err)
	}
	return img, nil
}
