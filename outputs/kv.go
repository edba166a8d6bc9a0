package outputs

import (
	"math"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/logtally/logtally/tally"
)

// The key=value line is the contract dashboards, alerts and rsyslog filters
// parse; it is what the syslog output sends as the message of a
// `summarydata` line. One line per category per minute:
//
//	category=asa minute=2026-11-22T10:01:00Z lines=12 matched=10 ignored=1 unknown=1 late=0 http_connections=10 servers_distinct=3 urls_total=10 bytes_count=10 bytes_sum=1234 bytes_min=1 bytes_max=800 bytes_mean=123.4 bytes_p50=40 bytes_p95=700 bytes_p99=800
//
// Order is stable and never depends on map iteration:
//
//  1. category, minute (RFC 3339, UTC, whole minute), then partial=1 only
//     when the minute was emitted before it ended (EOF, signal, SIGUSR1),
//     then snapshot=1 only on a SIGUSR1 preview of an open minute (emitted
//     again when it closes: sums skip it); each key is absent otherwise.
//  2. lines, matched, ignored, unknown, late.
//  3. counters, in schema order: <name>=N.
//  4. distinct counts, in schema order: <name>_distinct=N (estimates and
//     exact counts alike; the JSON output says which).
//  5. top-N tables, in schema order: <name>_total=N (the items themselves
//     go to the top files, JSON and Prometheus outputs).
//  6. numeric stats, in schema order: <name>_count, _sum, _min, _max, _mean,
//     _p50, _p95, _p99.
//
// Integers are written as decimal integers, and so are whole-number floats
// below 2^53 (sum=123456789); other floats use strconv's 'g' format with 10
// significant digits (0.25, 9.847, 1e-07, 1e+21; NaN, +Inf and -Inf as Go
// spells them). The values of a stat with count 0 are whatever
// the aggregation reported (zeros).
//
// Keys are the rule file's names; any byte outside [A-Za-z0-9_.:-] is
// replaced by '_' so that a key never needs quoting. A value is written bare
// unless it is empty, contains a space, control character, '"', '=', '\\',
// a byte >= 0x7f that is not valid UTF-8, or a non-ASCII space; then it is
// written as a Go/strconv double-quoted string (\" \\ \n \x.. escapes).
// The line never contains a newline.

// AppendKV appends the key=value line for s to dst and returns the result.
func AppendKV(dst []byte, s *tally.Summary) []byte {
	dst = append(dst, "category="...)
	dst = appendKVValue(dst, s.Category)
	dst = append(dst, " minute="...)
	dst = s.Minute.UTC().AppendFormat(dst, time.RFC3339)
	if s.Partial {
		dst = append(dst, " partial=1"...)
	}
	if s.Snapshot {
		dst = append(dst, " snapshot=1"...)
	}
	dst = appendKVUint(dst, "lines", "", s.Lines)
	dst = appendKVUint(dst, "matched", "", s.Matched)
	dst = appendKVUint(dst, "ignored", "", s.Ignored)
	dst = appendKVUint(dst, "unknown", "", s.Unknown)
	dst = appendKVUint(dst, "late", "", s.Late)
	for _, c := range s.Counters {
		dst = appendKVUint(dst, c.Name, "", c.Value)
	}
	for _, d := range s.Distincts {
		dst = appendKVUint(dst, d.Name, "_distinct", d.Value)
	}
	for _, t := range s.Tops {
		dst = appendKVUint(dst, t.Name, "_total", t.Total)
	}
	for _, st := range s.Stats {
		dst = appendKVUint(dst, st.Name, "_count", st.Count)
		dst = appendKVFloat(dst, st.Name, "_sum", st.Sum)
		dst = appendKVFloat(dst, st.Name, "_min", st.Min)
		dst = appendKVFloat(dst, st.Name, "_max", st.Max)
		dst = appendKVFloat(dst, st.Name, "_mean", st.Mean)
		dst = appendKVFloat(dst, st.Name, "_p50", st.P50)
		dst = appendKVFloat(dst, st.Name, "_p95", st.P95)
		dst = appendKVFloat(dst, st.Name, "_p99", st.P99)
	}
	return dst
}

func appendKVUint(dst []byte, name, suffix string, v uint64) []byte {
	dst = appendKVKey(dst, name, suffix)
	return strconv.AppendUint(dst, v, 10)
}

func appendKVFloat(dst []byte, name, suffix string, v float64) []byte {
	dst = appendKVKey(dst, name, suffix)
	return appendFloat(dst, v)
}

// appendFloat writes v compactly: a whole number below 2^53 in magnitude as
// an integer (123456789, not 1.23456789e+08), anything else with 'g' and
// 10 significant digits — enough for any dashboard, and it hides the
// binary noise of summed decimals (9.847, not 9.846999999999998) and the
// false precision of sketch quantiles (their error is 1%).
func appendFloat(dst []byte, v float64) []byte {
	if v == math.Trunc(v) && math.Abs(v) < 1<<53 {
		return strconv.AppendInt(dst, int64(v), 10)
	}
	return strconv.AppendFloat(dst, v, 'g', 10, 64)
}

// appendKVKey appends " name suffix =" with unsafe key bytes replaced.
func appendKVKey(dst []byte, name, suffix string) []byte {
	dst = append(dst, ' ')
	if name == "" {
		dst = append(dst, '_')
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if !kvKeyByte(c) {
			c = '_'
		}
		dst = append(dst, c)
	}
	dst = append(dst, suffix...)
	return append(dst, '=')
}

func kvKeyByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' ||
		c == '_' || c == '.' || c == ':' || c == '-'
}

// appendKVValue appends v bare, or quoted when a parser could misread it.
func appendKVValue(dst []byte, v string) []byte {
	if kvNeedsQuote(v) {
		return strconv.AppendQuote(dst, v)
	}
	return append(dst, v...)
}

func kvNeedsQuote(v string) bool {
	if v == "" {
		return true
	}
	for i := 0; i < len(v); {
		c := v[i]
		if c < utf8.RuneSelf {
			if c <= ' ' || c == '"' || c == '=' || c == '\\' || c == 0x7f {
				return true
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(v[i:])
		if r == utf8.RuneError || !strconv.IsPrint(r) {
			return true
		}
		i += size
	}
	return false
}
