package outputs

import (
	"fmt"
	"os"
	"strings"
	"unicode/utf8"

	"github.com/logtally/logtally/internal/atomicfile"
	"github.com/logtally/logtally/internal/filemode"
	"github.com/logtally/logtally/tally"
)

// PrometheusConfig configures a Prometheus textfile output.
type PrometheusConfig struct {
	// Path is the file node_exporter's textfile collector reads; it must
	// end in ".prom" and live in the collector's directory
	// (--collector.textfile.directory).
	Path string
	// Perm is the file's mode (default 0640, minus the umask).
	Perm os.FileMode
	// TopItems bounds the logtally_top series per table (default 10;
	// negative: none). Items beyond it are not exported one by one;
	// logtally_top_seen still counts them.
	TopItems int
}

// Prometheus writes the metrics of every category in the Prometheus text
// exposition format, for node_exporter's textfile collector. Two kinds:
//
// Counters, cumulative since summarize started (graph them with rate() or
// increase(); a restart resets them, which rate() handles):
//
//	logtally_lines_total / _matched_total / _ignored_total / _unknown_total / _late_total {category}
//	logtally_events_total{category,name}      a rule's count: NAME
//
// Gauges, the last minute emitted (as the syslog and JSON summaries say it;
// graph them as they are, one point a minute):
//
//	logtally_minute_start_seconds{category}   start of the minute (Unix time)
//	logtally_partial{category}                1 if the minute was cut short
//	logtally_lines / _matched / _ignored / _unknown / _late {category}
//	logtally_events{category,name}
//	logtally_distinct{category,name}, logtally_distinct_exact{category,name} (0/1)
//	logtally_top{category,name,key}           the first TopItems items
//	logtally_top_other{category,name}, logtally_top_seen{category,name}
//	logtally_stat{category,name,stat}         stat = count sum min max mean p50 p95 p99
//
// A minute emitted early (SIGUSR1, marked partial) and again whole when it
// closes is counted once in the counters: the later emission of the same
// minute replaces the earlier one's share, so the counters only grow.
//
// Every family has HELP and TYPE lines and its samples are contiguous, in
// category order then schema order (counters: categories sorted by name,
// names in the order first seen). Label values are escaped per the format
// (\\, \", \n); invalid UTF-8 becomes U+FFFD. Values use Go's shortest 'g'
// form; NaN and ±Inf as the format spells them. The file passes promtool
// check metrics.
//
// The file is replaced atomically (a ".<name>.tmp*" temp file, which the
// collector's *.prom glob ignores, fsynced and renamed), so a scrape never
// reads half a file.
type Prometheus struct {
	cfg    PrometheusConfig
	buf    []byte
	totals promTotals
}

// NewPrometheus validates cfg and applies defaults.
func NewPrometheus(cfg PrometheusConfig) (*Prometheus, error) {
	if !strings.HasSuffix(cfg.Path, ".prom") {
		return nil, fmt.Errorf("outputs: prometheus: path %q must end in .prom (the textfile collector reads only *.prom)", cfg.Path)
	}
	if cfg.Perm == 0 {
		cfg.Perm = filemode.Default
	}
	if cfg.TopItems == 0 {
		cfg.TopItems = 10
	}
	return &Prometheus{cfg: cfg, totals: promTotals{}}, nil
}

// Write adds the minute to the counters and replaces the file with the
// counters and this minute's gauges.
func (p *Prometheus) Write(minute []tally.Summary) error {
	p.totals.add(minute)
	p.buf = p.totals.appendTo(p.buf[:0])
	p.buf = AppendPrometheus(p.buf, minute, p.cfg.TopItems)
	if err := atomicfile.Write(p.cfg.Path, p.buf, p.cfg.Perm); err != nil {
		return opError("prometheus", "write", p.cfg.Path, err)
	}
	return nil
}

// Close does nothing: the file stays for the collector (it shows the last
// closed minute until the next run replaces it).
func (p *Prometheus) Close() error { return nil }

// promWriter appends samples of the family being written.
type promWriter struct {
	dst []byte
}

// family writes the HELP and TYPE lines; typ is "gauge" or "counter".
func (w *promWriter) family(name, typ, help string) {
	w.dst = append(w.dst, "# HELP "...)
	w.dst = append(w.dst, name...)
	w.dst = append(w.dst, ' ')
	w.dst = append(w.dst, help...)
	w.dst = append(w.dst, "\n# TYPE "...)
	w.dst = append(w.dst, name...)
	w.dst = append(w.dst, ' ')
	w.dst = append(w.dst, typ...)
	w.dst = append(w.dst, '\n')
}

// sample writes name{l0="v0",l1="v1",...} value; labels alternate name, value.
func (w *promWriter) sample(name string, v float64, labels ...string) {
	w.dst = append(w.dst, name...)
	w.dst = append(w.dst, '{')
	for i := 0; i+1 < len(labels); i += 2 {
		if i > 0 {
			w.dst = append(w.dst, ',')
		}
		w.dst = append(w.dst, labels[i]...)
		w.dst = append(w.dst, `="`...)
		w.dst = appendPromLabelValue(w.dst, labels[i+1])
		w.dst = append(w.dst, '"')
	}
	w.dst = append(w.dst, "} "...)
	w.dst = appendFloat(w.dst, v)
	w.dst = append(w.dst, '\n')
}

func appendPromLabelValue(dst []byte, v string) []byte {
	v = strings.ToValidUTF8(v, "\uFFFD")
	for i := 0; i < len(v); i++ {
		switch c := v[i]; c {
		case '\\':
			dst = append(dst, `\\`...)
		case '"':
			dst = append(dst, `\"`...)
		case '\n':
			dst = append(dst, `\n`...)
		default:
			dst = append(dst, c)
		}
	}
	return dst
}

func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

// perCategory is one of the per-category line counts of a summary, as a
// per-minute gauge and a cumulative counter.
type perCategory struct {
	name, help string
	value      func(s *tally.Summary) uint64
}

var lineCounts = [...]perCategory{
	{"logtally_lines", "Lines dispatched to the category", func(s *tally.Summary) uint64 { return s.Lines }},
	{"logtally_matched", "Lines a counting rule claimed", func(s *tally.Summary) uint64 { return s.Matched }},
	{"logtally_ignored", "Lines an ignore rule claimed", func(s *tally.Summary) uint64 { return s.Ignored }},
	{"logtally_unknown", "Lines no rule claimed", func(s *tally.Summary) uint64 { return s.Unknown }},
	{"logtally_late", "Late lines (arrived after their minute closed)", func(s *tally.Summary) uint64 { return s.Late }},
}

// eachNamed writes one gauge family with a sample per named item (counter,
// distinct, top table) of every category.
func eachNamed[T any](w *promWriter, minute []tally.Summary, name, help string,
	items func(s *tally.Summary) []T, sample func(it T) (itemName string, v float64)) {
	w.family(name, "gauge", help)
	for i := range minute {
		s := &minute[i]
		for _, it := range items(s) {
			n, v := sample(it)
			w.sample(name, v, "category", s.Category, "name", n)
		}
	}
}

// AppendPrometheus appends the gauges of one minute to dst (the counters
// are the Prometheus output's state and come before them in its file).
func AppendPrometheus(dst []byte, minute []tally.Summary, topItems int) []byte {
	w := promWriter{dst: dst}
	perCat := func(name, help string, f func(s *tally.Summary) float64) {
		w.family(name, "gauge", help)
		for i := range minute {
			w.sample(name, f(&minute[i]), "category", minute[i].Category)
		}
	}
	perCat("logtally_minute_start_seconds", "Start of the last closed minute, Unix time.",
		func(s *tally.Summary) float64 { return float64(s.Minute.Unix()) })
	perCat("logtally_partial", "1 if the minute was emitted before it ended (EOF, signal).",
		func(s *tally.Summary) float64 { return b2f(s.Partial) })
	for _, c := range lineCounts {
		perCat(c.name, c.help+" in the minute.", func(s *tally.Summary) float64 { return float64(c.value(s)) })
	}
	counters := func(s *tally.Summary) []tally.Value { return s.Counters }
	distincts := func(s *tally.Summary) []tally.Distinct { return s.Distincts }
	tops := func(s *tally.Summary) []tally.Top { return s.Tops }
	eachNamed(&w, minute, "logtally_events", "Lines a rule counted (count: NAME) in the minute.", counters,
		func(c tally.Value) (string, float64) { return c.Name, float64(c.Value) })
	eachNamed(&w, minute, "logtally_distinct", "Distinct keys seen in the minute (estimate when not exact).", distincts,
		func(d tally.Distinct) (string, float64) { return d.Name, float64(d.Value) })
	eachNamed(&w, minute, "logtally_distinct_exact", "1 if logtally_distinct is an exact count, 0 if a HyperLogLog estimate.", distincts,
		func(d tally.Distinct) (string, float64) { return d.Name, b2f(d.Exact) })
	w.family("logtally_top", "gauge", "Count of a top-N key in the minute (the first items of the table).")
	for i := range minute {
		s := &minute[i]
		for _, t := range s.Tops {
			var fixed map[string]bool // keys changed by UTF-8 repair, to skip duplicates
			for k, it := range t.Items {
				if k >= topItems {
					break
				}
				if !utf8.ValidString(it.Key) {
					key := strings.ToValidUTF8(it.Key, "\uFFFD")
					if fixed == nil {
						fixed = map[string]bool{}
						for _, it := range t.Items[:min(len(t.Items), topItems)] {
							fixed[it.Key] = true
						}
					}
					if fixed[key] {
						continue // would repeat a series; the collector rejects the file
					}
					fixed[key] = true
				}
				w.sample("logtally_top", float64(it.Count), "category", s.Category, "name", t.Name, "key", it.Key)
			}
		}
	}
	eachNamed(&w, minute, "logtally_top_other", "Count of keys a top-N table did not keep, in the minute.", tops,
		func(t tally.Top) (string, float64) { return t.Name, float64(t.Other) })
	eachNamed(&w, minute, "logtally_top_seen", "Count of all keys of a top-N table in the minute, kept and other.", tops,
		func(t tally.Top) (string, float64) { return t.Name, float64(t.Total) })
	w.family("logtally_stat", "gauge", "Numeric field statistics in the minute.")
	for i := range minute {
		s := &minute[i]
		for _, st := range s.Stats {
			for _, kv := range [...]struct {
				stat string
				v    float64
			}{
				{"count", float64(st.Count)}, {"sum", st.Sum}, {"min", st.Min}, {"max", st.Max},
				{"mean", st.Mean}, {"p50", st.P50}, {"p95", st.P95}, {"p99", st.P99},
			} {
				w.sample("logtally_stat", kv.v, "category", s.Category, "name", st.Name, "stat", kv.stat)
			}
		}
	}
	return w.dst
}
