package aireport

import "bytes"

// The article's filter, byte for byte (LC_ALL=C):
//
//	cut -c 17- | sed -e 's/port [0-9]* /port PORT /g' \
//	                 -e 's/\[[0-9]*\]/[PID]/g' -e 's/pid=[0-9]*/pid=PID/g'
//
// The three substitutions run in order, each over the result of the one
// before, exactly as sed applies several -e scripts to one pattern space.
// Note that [0-9]* also matches the empty string: "port  " becomes
// "port PORT ", "[]" becomes "[PID]" and "pid=x" becomes "pid=PIDx".

// Cut17 returns line without its first 16 bytes, like `LC_ALL=C cut -c 17-`
// (a shorter line becomes empty).
func Cut17(line []byte) []byte {
	if len(line) <= 16 {
		return line[:0]
	}
	return line[16:]
}

// ArticleMask appends line with the article's three sed substitutions
// applied to dst and returns it. tmp is scratch space (may be nil) that is
// returned for reuse.
func ArticleMask(dst, tmp, line []byte) (out, scratch []byte) {
	cur := line
	if bytes.Contains(cur, []byte("port ")) {
		tmp = maskPort(tmp[:0], cur)
		cur = tmp
	}
	if bytes.IndexByte(cur, '[') >= 0 {
		if cur2, changed := maskBracket(dst[:0], cur); changed {
			// cur2 lives in dst; move it to tmp when more work follows.
			if bytes.Contains(cur2, []byte("pid=")) {
				tmp = append(tmp[:0], cur2...)
				cur = tmp
			} else {
				return cur2, tmp
			}
		}
	}
	if bytes.Contains(cur, []byte("pid=")) {
		return maskPidEq(dst[:0], cur), tmp
	}
	return append(dst[:0], cur...), tmp
}

// maskPort applies s/port [0-9]* /port PORT /g.
func maskPort(dst, s []byte) []byte {
	for {
		i := bytes.Index(s, []byte("port "))
		if i < 0 {
			return append(dst, s...)
		}
		j := i + 5
		for j < len(s) && s[j] >= '0' && s[j] <= '9' {
			j++
		}
		if j < len(s) && s[j] == ' ' {
			dst = append(dst, s[:i]...)
			dst = append(dst, "port PORT "...)
			s = s[j+1:]
			continue
		}
		dst = append(dst, s[:i+1]...)
		s = s[i+1:]
	}
}

// maskBracket applies s/\[[0-9]*\]/[PID]/g; changed reports a match.
func maskBracket(dst, s []byte) (out []byte, changed bool) {
	for {
		i := bytes.IndexByte(s, '[')
		if i < 0 {
			return append(dst, s...), changed
		}
		j := i + 1
		for j < len(s) && s[j] >= '0' && s[j] <= '9' {
			j++
		}
		if j < len(s) && s[j] == ']' {
			dst = append(dst, s[:i]...)
			dst = append(dst, "[PID]"...)
			s = s[j+1:]
			changed = true
			continue
		}
		dst = append(dst, s[:i+1]...)
		s = s[i+1:]
	}
}

// maskPidEq applies s/pid=[0-9]*/pid=PID/g.
func maskPidEq(dst, s []byte) []byte {
	for {
		i := bytes.Index(s, []byte("pid="))
		if i < 0 {
			return append(dst, s...)
		}
		j := i + 4
		for j < len(s) && s[j] >= '0' && s[j] <= '9' {
			j++
		}
		dst = append(dst, s[:i]...)
		dst = append(dst, "pid=PID"...)
		s = s[j:]
	}
}
