package parsers

import "time"

// futureSlack is how far after now a yearless timestamp may lie (clock skew,
// buffered lines) before it is taken to belong to the previous year.
const futureSlack = 31 * 24 * time.Hour

// traditionalTime parses "Mmm dd hh:mm:ss" (day space-padded or not, an
// optional ".fraction") at the start of b, in p.loc with an inferred year.
// It returns the time, the bytes consumed (or, when !ok, where it failed).
func (p *Parser) traditionalTime(b []byte) (time.Time, int, bool) {
	// Fast path: the same second as the previous line.
	if p.tradOK && len(b) >= 15 && string(b[:15]) == string(p.tradKey[:]) {
		nsec, i, ok := fraction(b, 15)
		if !ok {
			return time.Time{}, i, false
		}
		return p.tradT.Add(time.Duration(nsec)), i, true
	}
	if len(b) < 3 {
		return time.Time{}, len(b), false
	}
	month := monthOf(b[0], b[1], b[2])
	if month == 0 {
		return time.Time{}, 0, false
	}
	i := 3
	if i >= len(b) || b[i] != ' ' {
		return time.Time{}, i, false
	}
	i++
	if i < len(b) && b[i] == ' ' { // "Nov  2"
		i++
	}
	day, i, ok := digits(b, i, 1, 2)
	if !ok || day < 1 || day > 31 {
		return time.Time{}, i, false
	}
	if i >= len(b) || b[i] != ' ' {
		return time.Time{}, i, false
	}
	clockAt := i + 1
	h, m, s, i, ok := clock(b, clockAt)
	if !ok {
		return time.Time{}, i, false
	}
	nsec, i, ok := fraction(b, i)
	if !ok {
		return time.Time{}, i, false
	}
	year, ok := p.inferYear(month, day, h, m, s)
	if !ok {
		return time.Time{}, 4, false // Feb 29 with no leap year near now
	}
	t := time.Date(year, time.Month(month), day, h, m, s, 0, p.loc)
	if clockAt == 7 { // canonical form: b[:15] is exactly "Mmm dd hh:mm:ss"
		copy(p.tradKey[:], b[:15])
		p.tradT, p.tradOK = t, true
	}
	if nsec != 0 {
		t = t.Add(time.Duration(nsec))
	}
	return t, i, true
}

// inferYear picks the latest year, from now's next year back, in which
// month/day exists and which puts the timestamp at most futureSlack after
// now.
func (p *Parser) inferYear(month, day, h, m, s int) (int, bool) {
	now := p.now()
	limit := now.Add(futureSlack)
	y0 := now.Year()
	for y := y0 + 1; y >= y0-8; y-- {
		if day > daysIn(month, y) {
			continue
		}
		if !time.Date(y, time.Month(month), day, h, m, s, 0, p.loc).After(limit) {
			return y, true
		}
	}
	return 0, false
}

// rfc3339Time parses "YYYY-MM-DDThh:mm:ss[.frac](Z|±hh:mm)" at the start of
// b ('t' or ' ' may stand for 'T'; without an offset the time is in p.loc).
func (p *Parser) rfc3339Time(b []byte) (time.Time, int, bool) {
	if len(b) < 19 {
		return time.Time{}, len(b), false
	}
	var wall int64
	if p.rfcOK && string(b[:19]) == string(p.rfcKey[:]) {
		wall = p.rfcWall
	} else {
		y, i, ok := digits(b, 0, 4, 4)
		if !ok || b[4] != '-' {
			return time.Time{}, i, false
		}
		mo, i, ok := digits(b, 5, 2, 2)
		if !ok || mo < 1 || mo > 12 || b[7] != '-' {
			return time.Time{}, i, false
		}
		d, i, ok := digits(b, 8, 2, 2)
		if !ok || d < 1 || d > daysIn(mo, y) {
			return time.Time{}, i, false
		}
		if c := b[10]; c != 'T' && c != 't' && c != ' ' {
			return time.Time{}, 10, false
		}
		h, m, s, i, ok := clock(b, 11)
		if !ok {
			return time.Time{}, i, false
		}
		wall = daysFromCivil(y, mo, d)*86400 + int64(h*3600+m*60+s)
		copy(p.rfcKey[:], b[:19])
		p.rfcWall, p.rfcOK = wall, true
	}
	nsec, i, ok := fraction(b, 19)
	if !ok {
		return time.Time{}, i, false
	}
	if i == len(b) || b[i] == ' ' {
		// No offset: wall clock in p.loc.
		y, mo, d, h, m, s := civil(wall)
		return time.Date(y, time.Month(mo), d, h, m, s, nsec, p.loc), i, true
	}
	// Fast path: the same offset as the previous line ("+00:00").
	if p.offOK && len(b)-i >= 6 && string(b[i:i+6]) == string(p.offKey[:]) {
		return time.Unix(wall-int64(p.off), int64(nsec)).In(p.offLoc), i + 6, true
	}
	var off int
	switch b[i] {
	case 'Z', 'z':
		i++
	case '+', '-':
		oh, j, ok := digits(b, i+1, 2, 2)
		if !ok || oh > 23 {
			return time.Time{}, j, false
		}
		colon := j < len(b) && b[j] == ':'
		if colon {
			j++
		}
		om, j, ok := digits(b, j, 2, 2)
		if !ok || om > 59 {
			return time.Time{}, j, false
		}
		off = oh*3600 + om*60
		if b[i] == '-' {
			off = -off
		}
		if colon {
			copy(p.offKey[:], b[i:j])
			p.off, p.offLoc, p.offOK = off, p.zone(off), true
		}
		i = j
	default:
		return time.Time{}, i, false
	}
	return time.Unix(wall-int64(off), int64(nsec)).In(p.zone(off)), i, true
}

// zone returns a cached fixed zone for an offset in seconds east of UTC.
func (p *Parser) zone(off int) *time.Location {
	if off == 0 {
		return time.UTC
	}
	for _, z := range p.zones {
		if z.off == off {
			return z.loc
		}
	}
	loc := time.FixedZone("", off)
	if len(p.zones) < 16 {
		p.zones = append(p.zones, zoneEntry{off, loc})
	}
	return loc
}

// clock parses "hh:mm:ss" at b[i:].
func clock(b []byte, i int) (h, m, s, next int, ok bool) {
	if h, i, ok = digits(b, i, 2, 2); !ok || h > 23 || i >= len(b) || b[i] != ':' {
		return 0, 0, 0, i, false
	}
	if m, i, ok = digits(b, i+1, 2, 2); !ok || m > 59 || i >= len(b) || b[i] != ':' {
		return 0, 0, 0, i, false
	}
	if s, i, ok = digits(b, i+1, 2, 2); !ok || s > 60 {
		return 0, 0, 0, i, false
	}
	return h, m, s, i, true
}

// fraction parses an optional ".ddd…" at b[i:] into nanoseconds; digits
// beyond the ninth are ignored.
func fraction(b []byte, i int) (nsec, next int, ok bool) {
	if i >= len(b) || b[i] != '.' {
		return 0, i, true
	}
	i++
	// Fast path: exactly six digits, as rsyslog writes them.
	if d := b[i:]; len(d) >= 6 && isDigit(d[0]) && isDigit(d[1]) && isDigit(d[2]) &&
		isDigit(d[3]) && isDigit(d[4]) && isDigit(d[5]) && (len(d) == 6 || !isDigit(d[6])) {
		us := int(d[0]-'0')*100000 + int(d[1]-'0')*10000 + int(d[2]-'0')*1000 +
			int(d[3]-'0')*100 + int(d[4]-'0')*10 + int(d[5]-'0')
		return us * 1000, i + 6, true
	}
	start := i
	for ; i < len(b) && isDigit(b[i]); i++ {
		if i-start < 9 {
			nsec = nsec*10 + int(b[i]-'0')
		}
	}
	if n := i - start; n < 9 {
		nsec *= pow10[9-n]
	}
	return nsec, i, i > start
}

var pow10 = [...]int{1, 10, 100, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9}

// digits parses between minN and maxN decimal digits at b[i:].
func digits(b []byte, i, minN, maxN int) (v, next int, ok bool) {
	start := i
	for i < len(b) && i-start < maxN && isDigit(b[i]) {
		v = v*10 + int(b[i]-'0')
		i++
	}
	return v, i, i-start >= minN
}

// monthOf maps a three-letter English month abbreviation (any case) to
// 1..12, or 0.
func monthOf(a, b, c byte) int {
	switch uint32(a|0x20)<<16 | uint32(b|0x20)<<8 | uint32(c|0x20) {
	case 'j'<<16 | 'a'<<8 | 'n':
		return 1
	case 'f'<<16 | 'e'<<8 | 'b':
		return 2
	case 'm'<<16 | 'a'<<8 | 'r':
		return 3
	case 'a'<<16 | 'p'<<8 | 'r':
		return 4
	case 'm'<<16 | 'a'<<8 | 'y':
		return 5
	case 'j'<<16 | 'u'<<8 | 'n':
		return 6
	case 'j'<<16 | 'u'<<8 | 'l':
		return 7
	case 'a'<<16 | 'u'<<8 | 'g':
		return 8
	case 's'<<16 | 'e'<<8 | 'p':
		return 9
	case 'o'<<16 | 'c'<<8 | 't':
		return 10
	case 'n'<<16 | 'o'<<8 | 'v':
		return 11
	case 'd'<<16 | 'e'<<8 | 'c':
		return 12
	}
	return 0
}

func isLeap(y int) bool { return y%4 == 0 && (y%100 != 0 || y%400 == 0) }

func daysIn(month, year int) int {
	switch month {
	case 2:
		if isLeap(year) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

// daysFromCivil returns the days since 1970-01-01 of a proleptic Gregorian
// date (Howard Hinnant's algorithm).
func daysFromCivil(y, m, d int) int64 {
	if m <= 2 {
		y--
	}
	era := y / 400
	if y < 0 {
		era = (y - 399) / 400
	}
	yoe := y - era*400
	mp := m + 9
	if m > 2 {
		mp = m - 3
	}
	doy := (153*mp+2)/5 + d - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	return int64(era)*146097 + int64(doe) - 719468
}

// civil is the inverse of daysFromCivil for a wall-clock Unix second.
func civil(wall int64) (y, m, d, h, mi, s int) {
	days := wall / 86400
	rem := int(wall - days*86400)
	if rem < 0 {
		rem += 86400
		days--
	}
	z := days + 719468
	era := z / 146097
	if z < 0 {
		era = (z - 146096) / 146097
	}
	doe := int(z - era*146097)
	yoe := (doe - doe/1460 + doe/36524 - doe/146096) / 365
	doy := doe - (365*yoe + yoe/4 - yoe/100)
	mp := (5*doy + 2) / 153
	d = doy - (153*mp+2)/5 + 1
	m = mp + 3
	if mp >= 10 {
		m = mp - 9
	}
	y = yoe + int(era)*400
	if m <= 2 {
		y++
	}
	return y, m, d, rem / 3600, rem / 60 % 60, rem % 60
}
