package exactcount

import "bytes"

// MaskArticle returns line with the article's three sed substitutions
// applied (see the package comment): line itself when none applies (no
// copy), else the masked line appended to dst, with dst.
//
// It is one left-to-right pass over the original line, which gives the
// same result as sed's three passes: a match of one pattern can never
// contain, straddle or create a match of another ("port N " holds no '['
// or '=', "[N]" no 'p' or '=', "pid=N" no '[' and no "port "), and each
// replacement keeps the first and last byte class of what it replaces.
// aireport's FuzzArticleMask checks this against the three passes done
// with regexp, and its TestArticleMaskMatchesSed against sed. It is the
// reference for the counting scan (see shardWorker.block), which applies
// the same masks while it looks for line ends.
func MaskArticle(dst, line []byte) (key, dstOut []byte) {
	start := len(dst)
	i, lit := 0, 0
	n := len(line)
	// next 'p' and next '[' at or after i (n: none); found with SIMD
	// IndexByte rather than a byte loop
	nextP, nextB := -1, -1
	for i < n {
		if nextP < i {
			if k := bytes.IndexByte(line[i:], 'p'); k >= 0 {
				nextP = i + k
			} else {
				nextP = n
			}
		}
		if nextB < i {
			if k := bytes.IndexByte(line[i:], '['); k >= 0 {
				nextB = i + k
			} else {
				nextB = n
			}
		}
		i = min(nextP, nextB)
		if i >= n {
			break
		}
		c := line[i]
		if c == '[' {
			j := i + 1
			for j < n && line[j]-'0' < 10 {
				j++
			}
			if j < n && line[j] == ']' {
				dst = append(append(dst, line[lit:i]...), "[PID]"...)
				i, lit = j+1, j+1
				continue
			}
			i++
			continue
		}
		// c == 'p'
		if i+4 < n && line[i+1] == 'o' && line[i+2] == 'r' && line[i+3] == 't' && line[i+4] == ' ' {
			j := i + 5
			for j < n && line[j]-'0' < 10 {
				j++
			}
			if j < n && line[j] == ' ' {
				dst = append(append(dst, line[lit:i]...), "port PORT "...)
				i, lit = j+1, j+1
				continue
			}
		} else if i+3 < n && line[i+1] == 'i' && line[i+2] == 'd' && line[i+3] == '=' {
			j := i + 4
			for j < n && line[j]-'0' < 10 {
				j++
			}
			dst = append(append(dst, line[lit:i]...), "pid=PID"...)
			i, lit = j, j
			continue
		}
		i++
	}
	if lit == 0 {
		return line, dst
	}
	dst = append(dst, line[lit:]...)
	return dst[start:], dst
}
