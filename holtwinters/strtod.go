package holtwinters

import (
	"math"
	"strconv"
)

// RRDStrtod parses a number the way librrd parses an update value
// (rrd_strtod in RRDtool 1.7.2's src/rrd_strtod.c): digits accumulated
// into a double (n = n·10 + d), then scaled by the power of ten of the
// decimal point and exponent through repeated squaring. That is not
// correctly rounded: for about a quarter of decimal inputs with a fraction
// ("650.666") the result is one ulp away from strconv.ParseFloat's. The
// in-process detector must see the value the file holds, so a value
// written to librrd as text is fed to the Model through RRDStrtod (see
// FileValue).
//
// ok is false when s is not entirely a number (no digits, trailing text);
// special values (U, NaN, Inf) are not numbers here.
func RRDStrtod(s string) (v float64, ok bool) {
	p := 0
	for p < len(s) && isCSpace(s[p]) {
		p++
	}
	negative := false
	if p < len(s) && (s[p] == '-' || s[p] == '+') {
		negative = s[p] == '-'
		p++
	}
	number, exponent, digits := 0.0, 0, 0
	for p < len(s) && isDigit(s[p]) {
		number = number*10 + float64(s[p]-'0')
		p++
		digits++
	}
	if p < len(s) && s[p] == '.' {
		p++
		decimals := 0
		for p < len(s) && isDigit(s[p]) {
			number = number*10 + float64(s[p]-'0')
			p++
			digits++
			decimals++
		}
		exponent -= decimals
	}
	if digits == 0 {
		return 0, false
	}
	if negative {
		number = -number
	}
	if p < len(s) && (s[p] == 'e' || s[p] == 'E') {
		p++
		negExp := false
		if p < len(s) && (s[p] == '-' || s[p] == '+') {
			negExp = s[p] == '-'
			p++
		}
		n := 0
		for p < len(s) && isDigit(s[p]) {
			if n < 1e8 { // C's int would overflow long after this is out of range
				n = n*10 + int(s[p]-'0')
			}
			p++
		}
		if negExp {
			exponent -= n
		} else {
			exponent += n
		}
	}
	// DBL_MIN_EXP and DBL_MAX_EXP: librrd returns HUGE_VAL with ERANGE.
	if exponent < -1021 || exponent > 1024 {
		return math.Inf(1), p == len(s)
	}
	p10 := 10.0
	n := exponent
	if n < 0 {
		n = -n
	}
	for n != 0 {
		if n&1 != 0 {
			if exponent < 0 {
				number /= p10
			} else {
				number *= p10
			}
		}
		n >>= 1
		p10 *= p10
	}
	return number, p == len(s)
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// isCSpace is C's isspace in the C locale.
func isCSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r'
}

// FileValue is the value an RRD file of GAUGE data source with the given
// step holds after an update on a step boundary with v written as
// strconv.FormatFloat(v, 'f', -1, 64): librrd's parse (RRDStrtod), then
// its primary-data-point arithmetic (PDPGauge). Integers below 2^40 come
// back unchanged. NaN (an "U" update) stays NaN.
func FileValue(v float64, step int) float64 {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return v
	}
	if p, ok := RRDStrtod(strconv.FormatFloat(v, 'f', -1, 64)); ok {
		v = p
	}
	return PDPGauge(v, step)
}
