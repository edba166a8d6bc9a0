package aireport

import (
	"bytes"
	"net/netip"
	"regexp"
)

// Mask is a user mask from the rule file: every match of Regexp is
// replaced by Replace (with $1-style expansion, as regexp.ReplaceAll).
type Mask struct {
	Name    string
	Regexp  *regexp.Regexp
	Replace string
}

// Masker replaces variable fields of a message by placeholders so that
// messages differing only in those fields group together. Not safe for
// concurrent use (it keeps scratch buffers).
type Masker struct {
	Article bool   // only the article's three sed substitutions
	Builtin bool   // the built-in masks (see MaskWord)
	User    []Mask // applied first, in order
	tmp     []byte
	tmp2    []byte
}

// Mask appends the masked form of msg to dst[:0] and returns it.
func (m *Masker) Mask(dst, msg []byte) []byte {
	if m.Article {
		var out []byte
		out, m.tmp = ArticleMask(dst, m.tmp, msg)
		return out
	}
	cur := msg
	for _, u := range m.User {
		if u.Regexp.Match(cur) {
			m.tmp2 = u.Regexp.ReplaceAll(cur, []byte(u.Replace))
			cur = m.tmp2
		}
	}
	if !m.Builtin {
		return append(dst[:0], cur...)
	}
	return maskBuiltin(dst[:0], cur)
}

// isDelim reports bytes that end a word for the built-in masks. '.', ':',
// '-' and '_' stay inside words (addresses, durations, identifiers).
var delimTab = func() (t [256]bool) {
	for _, c := range []byte(" \t\r\n\v\f,;()[]{}<>\"'=/|@#!?*&`\\$~^") {
		t[c] = true
	}
	t[0] = true
	return t
}()

// wordClass classifies bytes for maskBuiltin's word scan in one load:
// a delimiter ends a word, a digit makes it a candidate for maskWord.
const (
	classDelim = 1 << iota
	classDigit
)

var wordClass = func() (t [256]uint8) {
	for c := range t {
		if delimTab[c] {
			t[c] |= classDelim
		}
		if isDigit(byte(c)) {
			t[c] |= classDigit
		}
	}
	return t
}()

// pathStart reports bytes after which a '/' starts a path or URL word.
var pathStart = func() (t [256]bool) {
	for _, c := range []byte(" \t=(\"'[,:") {
		t[c] = true
	}
	return t
}()

// pathEnd returns the end of the path starting at s[i] (a '/'), or i when
// it is not one: at least two '/'-separated parts, up to a blank, quote,
// closing bracket or comma.
func pathEnd(s []byte, i int) int {
	j, slashes, word := i, 0, false
	for j < len(s) {
		c := s[j]
		if c == ' ' || c == '\t' || c == '"' || c == '\'' || c == ')' || c == ']' || c == ',' || c == '>' || c == '<' || c == ';' {
			break
		}
		if c == '/' {
			slashes++
		} else if isAlpha(c) || isDigit(c) {
			word = true
		}
		j++
	}
	for j > i && (s[j-1] == '.' || s[j-1] == ':') {
		j--
	}
	if slashes < 2 || !word {
		return i
	}
	return j
}

func maskBuiltin(dst, s []byte) []byte {
	i := 0
	for i < len(s) {
		c := s[i]
		if delimTab[c] {
			if c == '/' && (i == 0 || pathStart[s[i-1]]) {
				// a path is one variable however many parts it has:
				// /var/log/x, /v2/<id>/servers/detail?x=1
				if j := pathEnd(s, i); j > i {
					dst = append(dst, "<PATH>"...)
					i = j
					continue
				}
			}
			dst = append(dst, c)
			i++
			continue
		}
		// a word starts here (after a delimiter or at the start)
		if (c == 'h' || c == 'f') && i+1 < len(s) && s[i+1] == 't' && (i == 0 || pathStart[s[i-1]]) {
			if k := urlSchemeLen(s[i:]); k > 0 {
				if j := pathEnd(s, i+k-2); j > i+k-2 {
					dst = append(dst, "<URL>"...)
					i = j
					continue
				}
			}
		}
		if c >= 'A' && c <= 'Z' && i+3 < len(s) && s[i+3] == ' ' {
			if j := textDateLen(s[i:]); j > 0 {
				dst = append(dst, "<TS>"...)
				i += j
				continue
			}
		}
		j := i
		var seen uint8
		for j < len(s) {
			k := wordClass[s[j]]
			if k&classDelim != 0 {
				break
			}
			seen |= k
			j++
		}
		w := s[i:j]
		if seen&classDigit == 0 {
			dst = append(dst, w...)
			i = j
			continue
		}
		k := len(w)
		for k > 0 && (w[k-1] == '.' || w[k-1] == ':' || w[k-1] == ',') {
			k--
		}
		dst = maskWord(dst, w[:k])
		dst = append(dst, w[k:]...)
		i = j
	}
	return dst
}

// urlSchemeLen returns the length of "http://", "https://" or "ftp://"
// at the start of s, or 0.
func urlSchemeLen(s []byte) int {
	for _, p := range []string{"http://", "https://", "ftp://"} {
		if bytes.HasPrefix(s, []byte(p)) {
			return len(p)
		}
	}
	return 0
}

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}
func isDigit(c byte) bool { return c >= '0' && c <= '9' }
func isAlpha(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }

// maskWord appends the placeholder for one word that contains a digit:
// <UUID>, <MAC>, <IP> (v4, optional :port, or v6), <TS>, <DATE>, <TIME>,
// <HEX>, <DUR> (1.5s, 200ms, 1h2m), <NUM> (with a short unit kept: 91%,
// 512MB), and the context names <PORT> ("port N"), <PID> ("pid=N",
// "prog[N]"). Anything else is kept: "ssh2", "eth0".
func maskWord(dst, w []byte) []byte {
	n := len(w)
	if n == 0 {
		return dst
	}
	// one pass for what the checks below need: a plain number (the
	// commonest word with a digit) is a <NUM>, <PORT> or <PID> whatever
	// follows; an IPv4 address needs three dots, times and IPv6 two colons
	digitsOnly, dots, colons := true, 0, 0
	for _, c := range w {
		if c < '0' || c > '9' {
			digitsOnly = false
			switch c {
			case '.':
				dots++
			case ':':
				colons++
			}
		}
	}
	if digitsOnly {
		return appendNum(dst, w)
	}
	switch {
	case n == 36 && isUUID(w):
		return append(dst, "<UUID>"...)
	case n == 17 && isMAC(w):
		return append(dst, "<MAC>"...)
	}
	if dots >= 3 {
		if ip, rest := ipv4Prefix(w); ip {
			if len(rest) == 0 {
				return append(dst, "<IP>"...)
			}
			if rest[0] == ':' && len(rest) > 1 && allDigits(rest[1:]) {
				return append(dst, "<IP>:<PORT>"...)
			}
		}
	}
	if colons >= 2 {
		if isTime(w) {
			return append(dst, "<TIME>"...)
		}
		if allHexColonDot(w) {
			if _, err := netip.ParseAddr(string(w)); err == nil {
				return append(dst, "<IP>"...)
			}
		}
	}
	if isDate(w) {
		if n == 10 {
			return append(dst, "<DATE>"...)
		}
		if w[10] == 'T' || w[10] == '_' {
			return append(dst, "<TS>"...)
		}
	}
	if n > 2 && w[0] == '0' && (w[1] == 'x' || w[1] == 'X') && allHex(w[2:]) {
		return append(dst, "<HEX>"...)
	}
	// number with optional fraction and optional unit
	j := 0
	if w[0] == '-' && n > 1 {
		j = 1
	}
	if isDigit(w[j]) {
		k, numDots := j, 0
		for k < n && (isDigit(w[k]) || w[k] == '.') {
			if w[k] == '.' {
				numDots++
			}
			k++
		}
		num, unit := w[:k], w[k:]
		if num[len(num)-1] != '.' && numDots <= 1 {
			switch {
			case len(unit) == 0:
				return appendNum(dst, num)
			case isDuration(unit):
				return append(dst, "<DUR>"...)
			case len(unit) <= 3 && (unit[0] == '%' || allAlpha(unit)) && !(n >= 8 && allHex(w)):
				dst = append(dst, "<NUM>"...)
				return append(dst, unit...)
			}
		}
	}
	if n >= 8 && allHex(w) {
		return append(dst, "<HEX>"...)
	}
	if numericParts(w) {
		// 30059:11, 1.2.3, 4/5: every digit run becomes <NUM>
		for i := 0; i < n; {
			if isDigit(w[i]) {
				for i < n && isDigit(w[i]) {
					i++
				}
				dst = append(dst, "<NUM>"...)
				continue
			}
			dst = append(dst, w[i])
			i++
		}
		return dst
	}
	// identifier with a numeric tail after a separator, however short,
	// so that one variable is masked the same way in every line:
	// session-12345, core.42, blk_-1727475099, host:8080 -> ...<NUM>
	k := n
	for k > 0 && isDigit(w[k-1]) {
		k--
	}
	if k < n && k > 0 {
		p := k
		if w[p-1] == '-' && p > 1 && (w[p-2] == '_' || w[p-2] == '.' || w[p-2] == ':' || w[p-2] == '=') {
			p-- // a signed tail: blk_-123
		}
		if c := w[p-1]; c == '-' || c == '_' || c == '.' || c == ':' || c == '#' {
			dst = maskWordPrefix(dst, w[:p])
			return append(dst, "<NUM>"...)
		}
	}
	return append(dst, w...)
}

// maskWordPrefix masks the part of a word before a numeric tail: the
// numbers in it (R02-M1-N0-C:J12-U11 -> R<NUM>-M<NUM>-...), so that the
// same identifier shape always gives the same text.
func maskWordPrefix(dst, w []byte) []byte {
	if bytes.IndexFunc(w, func(r rune) bool { return r >= '0' && r <= '9' }) < 0 {
		return append(dst, w...)
	}
	end := len(w)
	for end > 0 && !isAlpha(w[end-1]) && !isDigit(w[end-1]) {
		end--
	}
	head, sep := w[:end], w[end:]
	j := len(head)
	for j > 0 && (isAlpha(head[j-1]) || isDigit(head[j-1])) {
		j--
	}
	if j == 0 {
		return append(dst, w...)
	}
	dst = maskWordPrefix(dst, head[:j])
	dst = maskWord(dst, head[j:])
	return append(dst, sep...)
}

func appendNum(dst, num []byte) []byte {
	if len(dst) >= 2 {
		// the byte before the number picks the one context that can apply
		switch dst[len(dst)-1] {
		case ' ':
			if bytes.HasSuffix(dst, []byte("port ")) {
				return append(dst, "<PORT>"...)
			}
		case '=':
			if bytes.HasSuffix(dst, []byte("pid=")) || bytes.HasSuffix(dst, []byte("PID=")) {
				return append(dst, "<PID>"...)
			}
		case '[':
			if p := dst[len(dst)-2]; isAlpha(p) || isDigit(p) || p == '_' || p == '-' {
				return append(dst, "<PID>"...)
			}
		}
	}
	return append(dst, "<NUM>"...)
}

// numericParts reports digits separated by ':', '.', '-' or '_' only.
func numericParts(b []byte) bool {
	for _, c := range b {
		if !isDigit(c) && c != ':' && c != '.' && c != '-' && c != '_' {
			return false
		}
	}
	return true
}

func allDigits(b []byte) bool {
	for _, c := range b {
		if !isDigit(c) {
			return false
		}
	}
	return len(b) > 0
}
func allHex(b []byte) bool {
	for _, c := range b {
		if !isHex(c) {
			return false
		}
	}
	return len(b) > 0
}
func allAlpha(b []byte) bool {
	for _, c := range b {
		if !isAlpha(c) {
			return false
		}
	}
	return len(b) > 0
}
func allHexColonDot(b []byte) bool {
	for _, c := range b {
		if !isHex(c) && c != ':' && c != '.' && c != '%' {
			return false
		}
	}
	return true
}

func isUUID(w []byte) bool {
	for i, c := range w {
		if i == 8 || i == 13 || i == 18 || i == 23 {
			if c != '-' {
				return false
			}
		} else if !isHex(c) {
			return false
		}
	}
	return true
}

func isMAC(w []byte) bool {
	sep := w[2]
	if sep != ':' && sep != '-' {
		return false
	}
	for i, c := range w {
		if i%3 == 2 {
			if c != sep {
				return false
			}
		} else if !isHex(c) {
			return false
		}
	}
	return true
}

// ipv4Prefix reports whether w starts with a dotted quad and returns the rest.
func ipv4Prefix(w []byte) (bool, []byte) {
	i := 0
	for part := 0; part < 4; part++ {
		if part > 0 {
			if i >= len(w) || w[i] != '.' {
				return false, nil
			}
			i++
		}
		start, v := i, 0
		for i < len(w) && isDigit(w[i]) && i-start < 3 {
			v = v*10 + int(w[i]-'0')
			i++
		}
		if i == start || v > 255 {
			return false, nil
		}
	}
	if i < len(w) && (isDigit(w[i]) || w[i] == '.') {
		return false, nil
	}
	return true, w[i:]
}

// isTime matches hh:mm:ss with an optional fraction.
func isTime(w []byte) bool {
	if len(w) < 8 || w[2] != ':' || w[5] != ':' {
		return false
	}
	for _, i := range []int{0, 1, 3, 4, 6, 7} {
		if !isDigit(w[i]) {
			return false
		}
	}
	if len(w) == 8 {
		return true
	}
	return (w[8] == '.' || w[8] == ',') && allDigits(w[9:])
}

// isDate matches yyyy-mm-dd at the start of w.
func isDate(w []byte) bool {
	if len(w) < 10 || w[4] != '-' || w[7] != '-' {
		return false
	}
	for _, i := range []int{0, 1, 2, 3, 5, 6, 8, 9} {
		if !isDigit(w[i]) {
			return false
		}
	}
	return true
}

// isDuration matches a unit suffix after a number: ns us µs ms s m h d,
// sec(s), min(s), or a Go-style compound tail ("m30s", "h2m3.5s").
func isDuration(u []byte) bool {
	switch string(u) {
	case "ns", "us", "µs", "ms", "s", "m", "h", "d", "sec", "secs", "min", "mins":
		return true
	}
	// compound: (unit number)+ unit, e.g. "h2m3.5s"
	i := 0
	for i < len(u) {
		j := i
		for j < len(u) && isAlpha(u[j]) {
			j++
		}
		switch string(u[i:j]) {
		case "h", "m", "s", "ms", "us", "ns":
		default:
			return false
		}
		if j == len(u) {
			return true
		}
		k := j
		for k < len(u) && (isDigit(u[k]) || u[k] == '.') {
			k++
		}
		if k == j {
			return false
		}
		i = k
	}
	return false
}

var monthNames = []string{"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"}
var dayNames = []string{"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"}

func hasWordPrefix(s []byte, names []string) bool {
	if len(s) < 4 || s[3] != ' ' {
		return false
	}
	for _, n := range names {
		if string(s[:3]) == n {
			return true
		}
	}
	return false
}

// textDateLen returns the length of a written-out timestamp at the start
// of s, "[Sun ]Jul 10 03:55:15[ 2005]" (ctime and syslog style), or 0.
func textDateLen(s []byte) int {
	i := 0
	if hasWordPrefix(s, dayNames) {
		i = 4
	}
	if !hasWordPrefix(s[i:], monthNames) {
		return 0
	}
	i += 4
	if i < len(s) && s[i] == ' ' {
		i++ // "Jul  1"
	}
	d := i
	for i < len(s) && isDigit(s[i]) && i-d < 2 {
		i++
	}
	if i == d || i >= len(s) || s[i] != ' ' {
		return 0
	}
	i++
	end := i
	for end < len(s) && !delimTab[s[end]] {
		end++
	}
	if !isTime(s[i:end]) {
		return 0
	}
	i = end
	if i+5 <= len(s) && s[i] == ' ' && allDigits(s[i+1:i+5]) && (i+5 == len(s) || delimTab[s[i+5]]) {
		i += 5
	}
	return i
}
