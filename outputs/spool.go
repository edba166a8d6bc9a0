package outputs

import (
	"bufio"
	"errors"
	"fmt"
	"github.com/logtally/logtally/internal/atomicfile"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zstd"
)

// SpoolConfig configures the unknown-line spool. Zero values take the
// defaults.
type SpoolConfig struct {
	// Dir holds one subdirectory per category (created as needed).
	Dir string
	// Compression is "zstd" (default) or "gzip".
	Compression string
	// MaxSize rotates a file once this many compressed bytes reached the
	// disk (default 64 MiB). The encoders buffer up to a block (~128 KiB),
	// so the check is approximate.
	MaxSize int64
	// MaxAge rotates a file this long after it was opened (default 1h).
	MaxAge time.Duration
	// Now stamps file names and open times (default time.Now).
	Now func() time.Time
	// PID goes in file names (default os.Getpid()), so several summarize
	// processes can share a spool directory.
	PID int
	// FilePerm and DirPerm (defaults 0640 and 0750: unknown lines may be
	// sensitive).
	FilePerm, DirPerm os.FileMode
}

// Spool stores the lines no rule claimed, per category, compressed, for
// the aireport tool. It is not an Output: the pipeline calls Write once per
// unknown line.
//
// Files: <Dir>/<category>/unknown-<YYYYMMDDThhmmssZ>-<pid>[-N].log.zst
// (or .log.gz). A file is written as "<name>.tmp" and renamed to <name>
// only when complete (encoder closed, fsynced), so a reader that skips
// *.tmp only ever sees whole, valid files. Each line is stored followed by
// "\n".
//
// Write is cheap: it appends to a buffered encoder; nothing is fsynced per
// line. Rotation happens only in Rotate (call it every minute; it rotates
// files older than MaxAge or larger than MaxSize) and Close. A category
// whose file cannot be created (or whose write failed) keeps failing its
// Writes cheaply with the same error, counted in Errors, while other
// categories go on; the next Rotate clears the failure so the next Write
// tries again. A file abandoned after a write error stays as "*.tmp".
// Lines still buffered when the process dies are lost with its .tmp file.
//
// Write, Rotate and Close may be called from different goroutines.
type Spool struct {
	cfg    SpoolConfig
	ext    string
	mu     sync.Mutex
	cats   map[string]*spoolFile
	closed bool

	written atomic.Uint64
	errs    atomic.Uint64
}

type spoolFile struct {
	f      *os.File
	cw     countingWriter
	bw     *bufio.Writer
	enc    io.WriteCloser
	tmp    string // path while open
	opened time.Time
	err    error // set: Writes fail with it until the next Rotate
}

type countingWriter struct {
	w io.Writer
	n int64
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

// NewSpool validates cfg and applies defaults. Nothing is created until
// the first Write of a category.
func NewSpool(cfg SpoolConfig) (*Spool, error) {
	if cfg.Dir == "" {
		return nil, errors.New("outputs: spool: no directory")
	}
	s := &Spool{cats: make(map[string]*spoolFile)}
	switch cfg.Compression {
	case "", "zstd":
		cfg.Compression, s.ext = "zstd", ".log.zst"
	case "gzip":
		s.ext = ".log.gz"
	default:
		return nil, fmt.Errorf("outputs: spool: unknown compression %q (want zstd or gzip)", cfg.Compression)
	}
	if cfg.MaxSize <= 0 {
		cfg.MaxSize = 64 << 20
	}
	if cfg.MaxAge <= 0 {
		cfg.MaxAge = time.Hour
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.PID == 0 {
		cfg.PID = os.Getpid()
	}
	if cfg.FilePerm == 0 {
		cfg.FilePerm = 0o640
	}
	if cfg.DirPerm == 0 {
		cfg.DirPerm = 0o750
	}
	s.cfg = cfg
	return s, nil
}

// Write appends line and a newline to the category's open file, opening
// one if needed.
func (s *Spool) Write(category string, line []byte) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		s.errs.Add(1)
		return fmt.Errorf("outputs: spool: write %s: %w", category, ErrClosed)
	}
	sf := s.cats[category]
	if sf == nil {
		sf = &spoolFile{}
		s.cats[category] = sf
	}
	if sf.err != nil {
		s.errs.Add(1)
		return sf.err
	}
	if sf.enc == nil {
		if err := s.open(category, sf); err != nil {
			sf.err = err
			s.errs.Add(1)
			return err
		}
	}
	_, err := sf.enc.Write(line)
	if err == nil {
		_, err = sf.enc.Write(newline)
	}
	if err != nil {
		sf.err = opError("spool", "write", sf.tmp, err)
		sf.abandon()
		s.errs.Add(1)
		return sf.err
	}
	s.written.Add(1)
	return nil
}

var newline = []byte{'\n'}

// Written is the number of lines accepted by Write.
func (s *Spool) Written() uint64 { return s.written.Load() }

// Errors is the number of lines Write could not store.
func (s *Spool) Errors() uint64 { return s.errs.Load() }

// Rotate completes files opened MaxAge or longer before now or grown past
// MaxSize, and clears failed categories so their next Write retries. Call
// it once a minute. It returns every completion error, joined.
func (s *Spool) Rotate(now time.Time) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	var errs []error
	for _, sf := range s.cats {
		if sf.err != nil {
			sf.err = nil
			continue
		}
		if sf.enc != nil && (sf.cw.n >= s.cfg.MaxSize || now.Sub(sf.opened) >= s.cfg.MaxAge) {
			if err := sf.finish(); err != nil {
				errs = append(errs, err)
			}
		}
	}
	return errors.Join(errs...)
}

// Close completes every open file. Write fails after Close.
func (s *Spool) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil
	}
	s.closed = true
	var errs []error
	for _, sf := range s.cats {
		if sf.enc != nil {
			if err := sf.finish(); err != nil {
				errs = append(errs, err)
			}
		}
	}
	return errors.Join(errs...)
}

func validCategoryDir(c string) bool {
	return c != "" && c != "." && c != ".." && !strings.ContainsAny(c, "/\x00")
}

// open creates the category's next .tmp file.
func (s *Spool) open(category string, sf *spoolFile) error {
	if !validCategoryDir(category) {
		return fmt.Errorf("outputs: spool: category %q cannot be a directory name", category)
	}
	dir := filepath.Join(s.cfg.Dir, category)
	if err := os.MkdirAll(dir, s.cfg.DirPerm); err != nil {
		return opError("spool", "create", dir, err)
	}
	now := s.cfg.Now()
	base := "unknown-" + now.UTC().Format("20060102T150405Z") + "-" + strconv.Itoa(s.cfg.PID)
	for n := 1; ; n++ {
		name := base
		if n > 1 {
			name += "-" + strconv.Itoa(n)
		}
		final := filepath.Join(dir, name+s.ext)
		tmp := final + ".tmp"
		if _, err := os.Lstat(final); err == nil {
			continue // a file completed earlier in the same second
		}
		f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, s.cfg.FilePerm)
		if errors.Is(err, os.ErrExist) {
			continue
		}
		if err != nil {
			return opError("spool", "create", tmp, err)
		}
		atomicfile.SyncDir(dir)
		sf.f, sf.tmp, sf.opened = f, tmp, now
		sf.cw = countingWriter{w: f}
		sf.bw = bufio.NewWriterSize(&sf.cw, 64<<10)
		if s.cfg.Compression == "gzip" {
			sf.enc, err = gzip.NewWriterLevel(sf.bw, gzip.DefaultCompression)
		} else {
			sf.enc, err = zstd.NewWriter(sf.bw,
				zstd.WithEncoderConcurrency(1), // encode in Write's goroutine, no per-file workers
				zstd.WithLowerEncoderMem(true),
				zstd.WithEncoderLevel(zstd.SpeedDefault))
		}
		if err != nil {
			sf.abandon()
			_ = os.Remove(tmp)
			return opError("spool", "create", tmp, err)
		}
		return nil
	}
}

// finish closes the encoder, fsyncs and renames the file to its final name.
func (sf *spoolFile) finish() error {
	tmp := sf.tmp
	err := sf.enc.Close()
	if err == nil {
		err = sf.bw.Flush()
	}
	if err == nil {
		err = sf.f.Sync()
	}
	if cerr := sf.f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, strings.TrimSuffix(tmp, ".tmp"))
	}
	sf.f, sf.bw, sf.enc, sf.tmp = nil, nil, nil, ""
	sf.cw = countingWriter{}
	if err != nil {
		if st, serr := os.Stat(tmp); serr == nil && st.Size() == 0 {
			_ = os.Remove(tmp) // nothing to recover: see abandon
		}
		return opError("spool", "complete", tmp, err)
	}
	atomicfile.SyncDir(filepath.Dir(tmp))
	return nil
}

// abandon closes the file without completing it. A file that holds no
// byte is removed — a full disk would otherwise leave an empty .tmp behind
// at every retry; one with data stays as *.tmp (its complete lines are
// recoverable).
func (sf *spoolFile) abandon() {
	if sf.f != nil {
		st, err := sf.f.Stat()
		_ = sf.f.Close()
		if err == nil && st.Size() == 0 {
			_ = os.Remove(sf.tmp)
		}
	}
	sf.f, sf.bw, sf.enc = nil, nil, nil
	sf.cw = countingWriter{}
}
