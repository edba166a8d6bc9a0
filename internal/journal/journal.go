// Package journal is an append-only log of records that survives the death
// of the process writing it.
//
// A record written with write(2) sits in the kernel's page cache the moment
// the call returns: a SIGKILL, an OOM kill or a panic cannot take it back,
// so the next process finds it without any fsync. summarize appends every
// chunk of lines it accepts before it confirms them to rsyslog, and replays
// the records past its last checkpoint at start (see pipeline and
// docs/rsyslog.md). Power loss is another matter: only Options.Sync (an
// fdatasync per Append) makes a record survive it.
//
// On disk a journal is a series of generation files, BASE.<gen> with gen in
// 16 hex digits. A checkpoint records a Position (generation and offset);
// Rotate starts the next generation so that Release can delete the whole
// files a durable checkpoint covers. Each record is
//
//	length   uint32, little endian: bytes of tag + data
//	checksum uint32, little endian: CRC-32C (Castagnoli) of tag + data
//	tag      uint64, little endian: the caller's (summarize: arrival time and flags)
//	data     length-8 bytes
//
// A record cut short by a crash, or damaged, fails its length or checksum:
// Replay stops reading that generation there and counts the rest as torn.
//
// Concurrency: Append, Rotate, Position, Replay, Reset and Close belong to
// one goroutine (the owner). Release may be called from another one (the
// checkpoint writer) at any time.
package journal

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
)

const (
	headerSize = 16 // length, checksum, tag
	// MaxRecord bounds one record's data: a longer one is refused by
	// Append and, in a file, read as damage.
	MaxRecord = 64 << 20
)

// DefaultMaxBytes bounds the journal's files together: what summarize
// accepts between two checkpoints (200 ms) is far less.
const DefaultMaxBytes = 256 << 20

// ErrFull is returned by Append when the journal's files hold MaxBytes:
// checkpoints have not released the old generations (a failing disk).
var ErrFull = errors.New("journal: full")

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// Options tune a Journal.
type Options struct {
	// Sync makes every Append durable against power loss (fdatasync), and
	// every new generation (directory fsync). Off, records survive a
	// process kill but not a power cut.
	Sync bool
	// MaxBytes bounds the generation files together; 0 means
	// DefaultMaxBytes.
	MaxBytes int64
	// FilePerm of generation files; 0 means 0600 (they hold log lines).
	FilePerm os.FileMode
}

// Position is a place in the journal: everything before it is covered.
type Position struct {
	Gen    uint64
	Offset int64
}

// Less orders positions.
func (p Position) Less(q Position) bool {
	return p.Gen < q.Gen || p.Gen == q.Gen && p.Offset < q.Offset
}

// Stats is what Replay read.
type Stats struct {
	Records   int64 // records handed to the callback
	Bytes     int64 // their data bytes
	Torn      int   // generations whose tail was cut short or damaged
	TornBytes int64 // bytes dropped there
}

// Journal is an open journal. See the package comment.
type Journal struct {
	base string
	opt  Options

	f      *os.File
	gen    uint64 // generation of f
	size   int64  // bytes of f that hold whole records
	broken bool   // f could not be cut back after a failed write: rotate
	buf    []byte

	mu      sync.Mutex
	sizes   map[uint64]int64 // generations not yet released, by size at rotation
	oldSize atomic.Int64     // sum of sizes
}

// Open opens the journal with base name base (the directory must exist),
// without changing any file: Replay reads what a previous process left;
// the first Append after Reset or Rotate writes a new generation.
func Open(base string, opt Options) (*Journal, error) {
	if opt.MaxBytes <= 0 {
		opt.MaxBytes = DefaultMaxBytes
	}
	if opt.FilePerm == 0 {
		opt.FilePerm = 0o600
	}
	j := &Journal{base: base, opt: opt, sizes: map[uint64]int64{}}
	gens, err := j.generations()
	if err != nil {
		return nil, err
	}
	for _, g := range gens {
		if st, err := os.Stat(j.path(g)); err == nil {
			j.sizes[g] = st.Size()
			j.oldSize.Add(st.Size())
		}
		j.gen = max(j.gen, g)
	}
	return j, nil
}

func (j *Journal) path(gen uint64) string {
	return fmt.Sprintf("%s.%016x", j.base, gen)
}

// generations lists the generation files on disk, ascending.
func (j *Journal) generations() ([]uint64, error) {
	dir, prefix := filepath.Dir(j.base), filepath.Base(j.base)+"."
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("journal: %w", err)
	}
	var gens []uint64
	for _, e := range entries {
		rest, ok := strings.CutPrefix(e.Name(), prefix)
		if !ok || len(rest) != 16 {
			continue
		}
		if g, err := strconv.ParseUint(rest, 16, 64); err == nil {
			gens = append(gens, g)
		}
	}
	slices.Sort(gens)
	return gens, nil
}

// Position is the end of what has been appended: a checkpoint taken now
// covers everything before it.
func (j *Journal) Position() Position {
	if j.f == nil {
		return Position{Gen: j.gen + 1} // where the next Append starts
	}
	return Position{Gen: j.gen, Offset: j.size}
}

// Append writes one record with a single write(2) (and an fdatasync with
// Options.Sync). On an error nothing of the record stays in the file, so
// later records are still read: the file is cut back, or, when that fails
// too, the journal refuses Appends until the next Rotate.
func (j *Journal) Append(tag uint64, data []byte) error {
	if len(data) > MaxRecord {
		return fmt.Errorf("journal: record of %d bytes exceeds %d", len(data), MaxRecord)
	}
	if j.broken {
		return fmt.Errorf("journal: %s: unusable after a failed write", j.path(j.gen))
	}
	n := int64(headerSize + len(data))
	if j.oldSize.Load()+j.size+n > j.opt.MaxBytes {
		return ErrFull
	}
	if j.f == nil {
		if err := j.create(j.gen + 1); err != nil {
			return err
		}
	}
	b := slices.Grow(j.buf[:0], int(n))[:n]
	binary.LittleEndian.PutUint32(b[0:], uint32(8+len(data)))
	binary.LittleEndian.PutUint64(b[8:], tag)
	copy(b[headerSize:], data)
	binary.LittleEndian.PutUint32(b[4:], crc32.Checksum(b[8:], castagnoli))
	j.buf = b
	_, err := j.f.Write(b)
	if err == nil && j.opt.Sync {
		err = j.f.Sync()
	}
	if err != nil {
		if terr := j.f.Truncate(j.size); terr != nil {
			j.broken = true
		} else if _, serr := j.f.Seek(j.size, io.SeekStart); serr != nil {
			j.broken = true
		}
		return fmt.Errorf("journal: append %s: %w", j.path(j.gen), err)
	}
	j.size += n
	return nil
}

// create starts generation gen.
func (j *Journal) create(gen uint64) error {
	f, err := os.OpenFile(j.path(gen), os.O_WRONLY|os.O_CREATE|os.O_TRUNC|os.O_APPEND, j.opt.FilePerm)
	if err != nil {
		return fmt.Errorf("journal: %w", err)
	}
	if j.opt.Sync {
		syncDir(filepath.Dir(j.base))
	}
	j.f, j.gen, j.size, j.broken = f, gen, 0, false
	return nil
}

// Rotate closes the current generation; the next Append starts a new one.
// It returns the position where that will begin: a checkpoint taken now
// covers everything before it, and once it is durable, Release(position)
// deletes the older files. Rotating an empty journal changes nothing.
func (j *Journal) Rotate() Position {
	if j.f == nil {
		return Position{Gen: j.gen + 1}
	}
	_ = j.f.Close()
	j.f = nil
	j.mu.Lock()
	j.sizes[j.gen] = j.size
	j.mu.Unlock()
	j.oldSize.Add(j.size)
	j.size, j.broken = 0, false
	return Position{Gen: j.gen + 1}
}

// Release deletes the generations before p.Gen (a durable checkpoint covers
// them). Safe to call from any goroutine, as long as p came from Rotate.
func (j *Journal) Release(p Position) error {
	j.mu.Lock()
	defer j.mu.Unlock()
	var errs []error
	for g, size := range j.sizes {
		if g >= p.Gen {
			continue
		}
		if err := os.Remove(j.path(g)); err != nil && !errors.Is(err, fs.ErrNotExist) {
			errs = append(errs, fmt.Errorf("journal: %w", err))
			continue
		}
		delete(j.sizes, g)
		j.oldSize.Add(-size)
	}
	return errors.Join(errs...)
}

// Reset deletes every generation: the state they would rebuild is already
// counted (replayed and checkpointed) or must not be (no checkpoint to
// continue). The next Append starts a new generation.
func (j *Journal) Reset() error {
	j.Rotate()
	return j.Release(Position{Gen: j.gen + 1})
}

// Size is the bytes the journal's files hold.
func (j *Journal) Size() int64 { return j.oldSize.Load() + j.size }

// Close closes the current file; nothing is deleted.
func (j *Journal) Close() error {
	if j.f == nil {
		return nil
	}
	err := j.f.Close()
	j.f = nil
	return err
}

// Replay hands every whole record from position from on, in order, to fn
// (data is valid only during the call). A generation whose tail is cut
// short or damaged is read up to the damage; the rest of it is counted in
// Stats and dropped, and the next generation is read. fn's error stops
// the replay and is returned.
func (j *Journal) Replay(from Position, fn func(tag uint64, data []byte) error) (Stats, error) {
	var st Stats
	gens, err := j.generations()
	if err != nil {
		return st, err
	}
	for _, g := range gens {
		if g < from.Gen {
			continue
		}
		data, err := os.ReadFile(j.path(g))
		if err != nil {
			return st, fmt.Errorf("journal: %w", err)
		}
		off := int64(0)
		if g == from.Gen {
			off = min(from.Offset, int64(len(data)))
		}
		torn, err := ReadRecords(data[off:], func(tag uint64, d []byte) error {
			st.Records++
			st.Bytes += int64(len(d))
			return fn(tag, d)
		})
		if err != nil {
			return st, err
		}
		if torn > 0 {
			st.Torn++
			st.TornBytes += int64(torn)
		}
	}
	return st, nil
}

// ReadRecords hands each whole record at the start of b to fn and returns
// how many bytes after the last whole record it could not read (a torn or
// damaged tail; 0 when b ends on a record boundary). fn's error stops the
// reading and is returned.
func ReadRecords(b []byte, fn func(tag uint64, data []byte) error) (torn int, err error) {
	for len(b) > 0 {
		if len(b) < headerSize {
			return len(b), nil
		}
		n := binary.LittleEndian.Uint32(b[0:])
		if n < 8 || n > 8+MaxRecord || int64(len(b)-8) < int64(n) {
			return len(b), nil
		}
		body := b[8 : 8+n]
		if crc32.Checksum(body, castagnoli) != binary.LittleEndian.Uint32(b[4:]) {
			return len(b), nil
		}
		if err := fn(binary.LittleEndian.Uint64(body), body[8:]); err != nil {
			return 0, err
		}
		b = b[8+n:]
	}
	return 0, nil
}

// AppendRecord appends the encoding of one record to b (tests, tools).
func AppendRecord(b []byte, tag uint64, data []byte) []byte {
	start := len(b)
	b = binary.LittleEndian.AppendUint32(b, uint32(8+len(data)))
	b = binary.LittleEndian.AppendUint32(b, 0)
	b = binary.LittleEndian.AppendUint64(b, tag)
	b = append(b, data...)
	binary.LittleEndian.PutUint32(b[start+4:], crc32.Checksum(b[start+8:], castagnoli))
	return b
}

func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		_ = d.Close()
	}
}
