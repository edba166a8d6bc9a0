package exactcount

import (
	"encoding/binary"
	"hash/maphash"
)

// batchSize lines are masked and hashed before their table slots are
// looked up, so that the cache misses of a batch overlap instead of
// queueing one after the other.
const batchSize = 32

const (
	outboxSize = 256 << 10
	inboxLen   = 4
)

type seqBlock struct {
	b   []byte
	seq int64 // position of b[0] over the run
}

type shardWorker struct {
	id    int
	w     int
	seed  maphash.Seed
	tab   *keyTable
	inbox chan []byte
	peers []chan []byte
	out   [][]byte
	free  chan []byte
	scr   []byte
	marks marks
	cut   bool
	// maxLine, longLine: see Config
	maxLine, longLine int
	lines             int64
	long              int64
	keys              [batchSize][]byte
	hs                [batchSize]uint64
	seqs              [batchSize]int64
	nbatch            int
}

func shardOf(h uint64, w int) int { return int(uint64(uint32(h)) * uint64(w) >> 32) }

// block counts the lines of one block (ending in '\n'): its own shard's
// in batches (slot loads first, so their cache misses overlap), the
// others' into outboxes. The scan jumps between the bytes the article's
// masks and the line ends start with (see marks), and masks as it goes,
// byte for byte like MaskArticle.
func (sw *shardWorker) block(blk seqBlock) {
	b := blk.b
	seq := blk.seq
	scr := sw.scr[:0]
	skip := 0
	if sw.cut {
		skip = 16
	}
	maxLine, longLine := sw.maxLine, sw.longLine
	mk := &sw.marks
	mk.reset(b)
	n := len(b)
	ls := 0
	for ls < n {
		i := ls + skip
		e := -1 // end of a line of fewer than skip bytes
		for j := mk.next(ls); j < i; j = mk.next(j + 1) {
			if b[j] == '\n' {
				e = j
				break
			}
		}
		var key []byte
		if e >= 0 {
			key = b[e:e]
		} else {
			lit, st := i, len(scr)
			for {
				// mk.next(i), by hand: the inliner finds it too big
				if j := mk.inWord(i); j >= 0 {
					i = j
				} else if j := mk.inWord((i | 63) + 1); j >= 0 {
					i = j
				} else {
					i = mk.nextSlow(i)
				}
				c := b[i]
				if c == '\n' {
					break
				}
				if c == '[' {
					j := digitsEnd(b, i+1)
					if b[j] == ']' {
						scr = append(append(scr, b[lit:i]...), "[PID]"...)
						i, lit = j+1, j+1
						continue
					}
				} else if c == 'p' {
					// b ends in '\n', so the checks stop inside b
					if b[i+1] == 'o' {
						if b[i+2] == 'r' && b[i+3] == 't' && b[i+4] == ' ' {
							if j := digitsEnd(b, i+5); b[j] == ' ' {
								scr = append(append(scr, b[lit:i]...), "port PORT "...)
								i, lit = j+1, j+1
								continue
							}
						}
					} else if b[i+1] == 'i' && b[i+2] == 'd' && b[i+3] == '=' {
						j := digitsEnd(b, i+4)
						scr = append(append(scr, b[lit:i]...), "pid=PID"...)
						i, lit = j, j
						continue
					}
				}
				i++
			}
			e = i
			switch {
			case e-ls > maxLine: // cut there, as the caller's reader does
				key, scr = MaskArticle(scr[:st], sw.cutLine(b[ls:ls+maxLine]))
			case lit == ls+skip:
				key = b[lit:e]
			default:
				scr = append(scr, b[lit:e]...)
				key = scr[st:]
			}
		}
		lseq := seq + int64(ls)
		if min(e-ls, maxLine) > longLine {
			sw.long++
		}
		ls = e + 1
		sw.lines++
		h := maphash.Bytes(sw.seed, key)
		if s := shardOf(h, sw.w); s != sw.id {
			o := sw.out[s]
			if o == nil {
				o = binary.LittleEndian.AppendUint32(sw.getOut(), uint32(sw.id)) // the origin
			}
			o = binary.LittleEndian.AppendUint64(o, h)
			o = binary.LittleEndian.AppendUint64(o, uint64(lseq))
			o = binary.LittleEndian.AppendUint32(o, uint32(len(key)))
			sw.out[s] = append(o, key...)
			if len(sw.out[s]) >= outboxSize {
				sw.send(s)
			}
			continue
		}
		k := sw.nbatch
		sw.keys[k], sw.hs[k], sw.seqs[k] = key, h, lseq
		sw.tab.prefetchSlot(h)
		sw.nbatch++
		if sw.nbatch == batchSize {
			sw.flush()
			scr = scr[:0]
			// count what peers sent after every batch, not only while
			// sending: a peer whose outbox finds this inbox full waits
			select {
			case m := <-sw.inbox:
				sw.records(m)
			default:
			}
		}
	}
	sw.flush()
	sw.scr = scr
}

// digitsEnd returns the first position from j on that is not an ASCII
// digit; b ends in '\n', so there is one.
func digitsEnd(b []byte, j int) int {
	for b[j]-'0' < 10 {
		j++
	}
	return j
}

func (sw *shardWorker) cutLine(line []byte) []byte {
	if !sw.cut {
		return line
	}
	if len(line) <= 16 {
		return line[:0]
	}
	return line[16:]
}

const (
	lo8     = 0x0101010101010101
	hi8     = 0x8080808080808080
	nlBytes = lo8 * '\n'
	pBytes  = lo8 * 'p'
	brBytes = lo8 * '['
)

// zeroBytes has the high bit of each zero byte of x set; the lowest set
// bit is exact (higher ones may be false, above a zero byte).
func zeroBytes(x uint64) uint64 { return (x - lo8) &^ x & hi8 }

func le64(b []byte) uint64 { return binary.LittleEndian.Uint64(b) }

func (sw *shardWorker) flush() {
	for i := range sw.nbatch {
		sw.tab.prefetchRecord(sw.hs[i])
	}
	for i := range sw.nbatch {
		sw.tab.insert(sw.hs[i], sw.keys[i], sw.seqs[i], uint32(sw.id))
		sw.keys[i] = nil
	}
	sw.nbatch = 0
}

func (sw *shardWorker) getOut() []byte {
	select {
	case o := <-sw.free:
		return o
	default:
		return make([]byte, 0, outboxSize+outboxSize/4)
	}
}

// send hands outbox s to its owner, counting what arrives meanwhile (two
// workers sending to each other never wait for each other).
func (sw *shardWorker) send(s int) {
	o := sw.out[s]
	sw.out[s] = nil
	for {
		select {
		case sw.peers[s] <- o:
			return
		case m := <-sw.inbox:
			sw.records(m)
		}
	}
}

// records counts the records of an outbox another worker sent: its
// worker id, then hash, position, length and key of each line.
func (sw *shardWorker) records(m []byte) {
	t := sw.tab
	buf := m
	origin := binary.LittleEndian.Uint32(m)
	m = m[4:]
	var (
		keys [batchSize][]byte
		hs   [batchSize]uint64
		seqs [batchSize]int64
	)
	for len(m) > 0 {
		n := 0
		for n < batchSize && len(m) > 0 {
			h := binary.LittleEndian.Uint64(m)
			seq := int64(binary.LittleEndian.Uint64(m[8:]))
			ln := int(binary.LittleEndian.Uint32(m[16:]))
			keys[n], hs[n], seqs[n] = m[20:20+ln], h, seq
			t.prefetchSlot(h)
			m = m[20+ln:]
			n++
		}
		for i := range n {
			t.prefetchRecord(hs[i])
		}
		for i := range n {
			t.insert(hs[i], keys[i], seqs[i], origin)
		}
	}
	select {
	case sw.free <- buf[:0]:
	default:
	}
}
