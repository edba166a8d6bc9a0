package outputs

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zstd"
	"github.com/logtally/logtally/internal/atomicfile"
)

// SpoolConfig configures the unknown-line spool. Zero values take the
// defaults.
type SpoolConfig struct {
	// Dir holds one subdirectory per category (created as needed).
	Dir string
	// Compression of completed files: "zstd" (default) or "gzip".
	Compression string
	// MaxSize rotates a file once its in-progress (uncompressed) part
	// holds this many bytes (default 64 MiB).
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
	// SyncFlush makes Flush fdatasync what it wrote: the lines survive a
	// power loss too (summarize --journal-sync).
	SyncFlush bool
}

// Spool stores the lines no rule claimed, per category, compressed, for
// the aireport tool. It is not an Output: the pipeline calls Write once per
// unknown line and Flush before it confirms the lines it counted.
//
// Files: <Dir>/<category>/unknown-<YYYYMMDDThhmmssZ>-<pid>[-N].log.zst (or
// .log.gz), complete and fsynced; a reader that skips *.tmp only ever sees
// whole, valid files. While a file is in progress its lines are plain text
// in "unknown-….log.tmp", appended with write(2) by Flush and locked
// (flock) by the process writing it: a process kill loses nothing that
// Flush wrote (the page cache keeps it), and Recover, at the next start,
// completes what a dead process left — its whole lines kept, a torn last
// line dropped and counted. Rotation compresses the in-progress file into
// the final name (fsync, rename) and removes it.
//
// Write buffers the line in memory (a category's buffer is written out
// when it reaches 64 KiB); nothing is fsynced per line. Rotation happens
// only in Rotate (call it every minute; it rotates files older than MaxAge
// or larger than MaxSize) and Close. A category whose file cannot be
// created (or whose write failed) keeps failing its Writes cheaply with the
// same error, counted in Errors, while other categories go on; the next
// Rotate clears the failure so the next Write tries again. A file that
// failed keeps the lines written before the failure and is completed by
// the next start's Recover; an empty one is removed.
//
// Write, Flush, Rotate and Close may be called from different goroutines.
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
	f      *os.File // the in-progress file, locked
	path   string   // its name: <base>.log.tmp
	final  string   // <base>.log.zst or .log.gz
	size   int64    // bytes written to f
	buf    []byte   // lines not written yet
	lines  int      // lines in buf
	opened time.Time
	err    error // set: Writes fail with it until the next Rotate
}

// spoolBufSize is how much a category buffers before Write writes it out.
const spoolBufSize = 64 << 10

// inProgressSuffix ends the name of a file being written (plain text).
const inProgressSuffix = ".log.tmp"

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

// Write appends line and a newline to the category's buffer, opening the
// category's file if needed.
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
	if sf.f == nil {
		if err := s.open(category, sf); err != nil {
			sf.err = err
			s.errs.Add(1)
			return err
		}
	}
	sf.buf = append(sf.buf, line...)
	sf.buf = append(sf.buf, '\n')
	sf.lines++
	s.written.Add(1)
	if len(sf.buf) >= spoolBufSize {
		if n, err := s.flushFile(sf); err != nil {
			return &LostLinesError{Lines: n, Err: err}
		}
	}
	return nil
}

// LostLinesError is a Write that failed writing out earlier buffered lines
// with its own: Lines were lost (this one included).
type LostLinesError struct {
	Lines int
	Err   error
}

func (e *LostLinesError) Error() string { return e.Err.Error() }

// LostLines is how many lines the failure lost (the engine counts them).
func (e *LostLinesError) LostLines() int { return e.Lines }
func (e *LostLinesError) Unwrap() error  { return e.Err }

var newline = []byte{'\n'}

// Flush writes every buffered line to its file (one write(2) per
// category): once it returns, a process kill no longer loses them. It
// returns how many lines could not be written (counted in Errors too) and
// why.
func (s *Spool) Flush() (lost int, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var errs []error
	for _, sf := range s.cats {
		if sf.lines == 0 {
			continue
		}
		n, err := s.flushFile(sf)
		lost += n
		if err != nil {
			errs = append(errs, err)
		}
	}
	return lost, errors.Join(errs...)
}

// flushFile writes sf's buffer. On a failure the file is cut back to its
// last whole line and abandoned; the buffered lines are lost and counted.
func (s *Spool) flushFile(sf *spoolFile) (lost int, err error) {
	if len(sf.buf) == 0 {
		return 0, nil
	}
	n, err := sf.f.Write(sf.buf)
	if err == nil && s.cfg.SyncFlush {
		if err = sf.f.Sync(); err != nil {
			n = len(sf.buf) // written, but not durable: cut back below
		}
	}
	if err == nil {
		sf.size += int64(n)
		sf.buf, sf.lines = sf.buf[:0], 0
		return 0, nil
	}
	lost = sf.lines
	sf.err = opError("spool", "write", sf.path, err)
	s.errs.Add(uint64(lost))
	s.written.Add(^uint64(lost - 1))
	if n > 0 {
		_ = sf.f.Truncate(sf.size)
	}
	sf.abandon()
	return lost, sf.err
}

// Written is the number of lines accepted by Write (less those a failed
// write lost).
func (s *Spool) Written() uint64 { return s.written.Load() }

// Errors is the number of lines Write or Flush could not store.
func (s *Spool) Errors() uint64 { return s.errs.Load() }

// Rotate writes what is buffered, completes files opened MaxAge or longer
// before now or grown past MaxSize, and clears failed categories so their
// next Write retries. Call it once a minute. It returns every error,
// joined.
func (s *Spool) Rotate(now time.Time) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	var errs []error
	for _, sf := range s.cats {
		if sf.err != nil {
			sf.err = nil
			continue
		}
		if sf.f == nil {
			continue
		}
		if _, err := s.flushFile(sf); err != nil {
			errs = append(errs, err)
			continue
		}
		if sf.size >= s.cfg.MaxSize || now.Sub(sf.opened) >= s.cfg.MaxAge {
			if err := s.finish(sf); err != nil {
				errs = append(errs, err)
			}
		}
	}
	return errors.Join(errs...)
}

// RotateAll completes every open file now, whatever its age or size, so
// that a report can read every line spooled so far (summarize does this on
// SIGUSR1 and SIGUSR2). The next Write of a category opens a new file.
func (s *Spool) RotateAll() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	var errs []error
	for _, sf := range s.cats {
		if sf.f == nil || sf.err != nil {
			continue
		}
		if _, err := s.flushFile(sf); err != nil {
			errs = append(errs, err)
			continue
		}
		if err := s.finish(sf); err != nil {
			errs = append(errs, err)
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
		if sf.f == nil {
			continue
		}
		if _, err := s.flushFile(sf); err != nil {
			errs = append(errs, err)
			continue
		}
		if err := s.finish(sf); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// Abandon closes every file without completing it and drops what is
// buffered, as the death of the process would: the files stay in progress
// for the next start's Recover. Write fails afterwards. (Tests stand it in
// for SIGKILL.)
func (s *Spool) Abandon() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.closed = true
	for _, sf := range s.cats {
		if sf.f != nil {
			_ = sf.f.Close()
			sf.f = nil
		}
	}
}

func validCategoryDir(c string) bool {
	return c != "" && c != "." && c != ".." && !strings.ContainsAny(c, "/\x00")
}

// open creates and locks the category's next in-progress file.
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
		path := filepath.Join(dir, name+inProgressSuffix)
		if _, err := os.Lstat(final); err == nil {
			continue // a file completed earlier in the same second
		}
		f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL|os.O_APPEND, s.cfg.FilePerm)
		if errors.Is(err, os.ErrExist) {
			continue
		}
		if err != nil {
			return opError("spool", "create", path, err)
		}
		// The lock tells Recover in another process that this file is
		// alive; the kernel drops it when this process dies.
		if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
			_ = f.Close()
			_ = os.Remove(path)
			return opError("spool", "lock", path, err)
		}
		atomicfile.SyncDir(dir)
		sf.f, sf.path, sf.final, sf.size, sf.opened = f, path, final, 0, now
		return nil
	}
}

// finish compresses the in-progress file into its final name and removes
// it. A failure leaves the in-progress file for Recover.
func (s *Spool) finish(sf *spoolFile) error {
	f, path, final := sf.f, sf.path, sf.final
	sf.f, sf.path, sf.final, sf.size = nil, "", "", 0
	defer f.Close() // releases the lock last
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return opError("spool", "complete", path, err)
	}
	if _, err := s.compressTo(final, f); err != nil {
		return err
	}
	if err := os.Remove(path); err != nil {
		return opError("spool", "complete", path, err)
	}
	return nil
}

// compressTo writes r, compressed, to final via final.tmp (fsync, rename,
// directory fsync) and returns the bytes read.
func (s *Spool) compressTo(final string, r io.Reader) (int64, error) {
	tmp := final + ".tmp"
	out, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, s.cfg.FilePerm)
	if err != nil {
		return 0, opError("spool", "complete", tmp, err)
	}
	var enc io.WriteCloser
	if strings.HasSuffix(final, ".gz") {
		enc, err = gzip.NewWriterLevel(out, gzip.DefaultCompression)
	} else {
		enc, err = zstd.NewWriter(out,
			zstd.WithEncoderConcurrency(1), // no per-file workers
			zstd.WithLowerEncoderMem(true),
			zstd.WithEncoderLevel(zstd.SpeedDefault))
	}
	n := int64(0)
	if err == nil {
		n, err = io.Copy(enc, r)
		if cerr := enc.Close(); err == nil {
			err = cerr
		}
	}
	if err == nil {
		err = out.Sync()
	}
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, final)
	}
	if err != nil {
		_ = os.Remove(tmp)
		return n, opError("spool", "complete", final, err)
	}
	atomicfile.SyncDir(filepath.Dir(final))
	return n, nil
}

// abandon closes the file without completing it: Recover completes it at
// the next start, or it is removed now when it holds nothing.
func (sf *spoolFile) abandon() {
	if sf.f != nil {
		if sf.size == 0 {
			_ = os.Remove(sf.path)
		}
		_ = sf.f.Close()
	}
	sf.f, sf.buf, sf.lines, sf.size = nil, sf.buf[:0], 0, 0
}

// RecoverStats is what Recover did.
type RecoverStats struct {
	Files     int   // in-progress files completed
	Lines     int64 // whole lines they held
	TornBytes int64 // bytes after their last newline, dropped
}

// Recover completes the in-progress files that no live process holds (a
// process killed while writing them): their whole lines go to the final
// compressed name as at a rotation, a torn last line is dropped and
// counted. Call it at start, before the first Write. Files of processes
// still running (several may share Dir) are left alone.
func (s *Spool) Recover() (RecoverStats, error) {
	var st RecoverStats
	cats, err := os.ReadDir(s.cfg.Dir)
	if errors.Is(err, os.ErrNotExist) {
		return st, nil
	}
	if err != nil {
		return st, opError("spool", "recover", s.cfg.Dir, err)
	}
	var errs []error
	for _, c := range cats {
		if !c.IsDir() {
			continue
		}
		dir := filepath.Join(s.cfg.Dir, c.Name())
		files, err := os.ReadDir(dir)
		if err != nil {
			errs = append(errs, opError("spool", "recover", dir, err))
			continue
		}
		for _, e := range files {
			name := e.Name()
			var err error
			if base, ok := strings.CutSuffix(name, inProgressSuffix); ok {
				err = s.recoverFile(filepath.Join(dir, name), filepath.Join(dir, base), &st)
			} else if strings.HasSuffix(name, ".log.zst.tmp") || strings.HasSuffix(name, ".log.gz.tmp") {
				err = s.recoverCompressed(filepath.Join(dir, name), &st)
			}
			if err != nil {
				errs = append(errs, err)
			}
		}
	}
	return st, errors.Join(errs...)
}

func (s *Spool) recoverFile(path, base string, st *RecoverStats) error {
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if errors.Is(err, os.ErrNotExist) {
		return nil // completed meanwhile
	}
	if err != nil {
		return opError("spool", "recover", path, err)
	}
	defer f.Close()
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		return nil // a live process writes it
	}
	if _, err := os.Stat(path); err != nil {
		return nil // completed and removed between our open and lock
	}
	// A kill between the rename and the removal leaves both: the final
	// file is whole (fsynced before its rename).
	for _, ext := range []string{".log.zst", ".log.gz"} {
		if _, err := os.Lstat(base + ext); err == nil {
			return removeFile(path)
		}
	}
	data, err := io.ReadAll(f)
	if err != nil {
		return opError("spool", "recover", path, err)
	}
	whole := bytes.LastIndexByte(data, '\n') + 1
	st.TornBytes += int64(len(data) - whole)
	if whole > 0 {
		if _, err := s.compressTo(base+s.ext, bytes.NewReader(data[:whole])); err != nil {
			return err
		}
		st.Files++
		st.Lines += int64(bytes.Count(data[:whole], newline))
	}
	return removeFile(path)
}

// recoverCompressed completes a compressed file left in progress: by an
// earlier summarize that compressed while writing, or by a compression
// whose process died (its plain in-progress file is then still there and
// recovered instead). The stream is read as far as it decodes; its whole
// lines are kept.
func (s *Spool) recoverCompressed(path string, st *RecoverStats) error {
	final := strings.TrimSuffix(path, ".tmp")
	base := strings.TrimSuffix(strings.TrimSuffix(final, ".zst"), ".gz")
	if _, err := os.Lstat(strings.TrimSuffix(base, ".log") + inProgressSuffix); err == nil {
		return nil // a compression in progress, or its source is recovered
	}
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return opError("spool", "recover", path, err)
	}
	var plain []byte
	if len(data) > 0 {
		var r io.Reader
		if strings.HasSuffix(final, ".gz") {
			gr, gerr := gzip.NewReader(bytes.NewReader(data))
			if gerr == nil {
				r = gr
			}
		} else if zr, zerr := zstd.NewReader(bytes.NewReader(data)); zerr == nil {
			defer zr.Close()
			r = zr
		}
		if r != nil {
			plain, _ = io.ReadAll(r) // what decodes before the torn end
		}
	}
	whole := bytes.LastIndexByte(plain, '\n') + 1
	st.TornBytes += int64(len(plain) - whole)
	if whole > 0 {
		if _, err := os.Lstat(final); err == nil {
			return removeFile(path) // a complete file took the name meanwhile
		}
		if _, err := s.compressTo(final, bytes.NewReader(plain[:whole])); err != nil {
			return err
		}
		st.Files++
		st.Lines += int64(bytes.Count(plain[:whole], newline))
	}
	return removeFile(path)
}

func removeFile(path string) error {
	if err := os.Remove(path); err != nil && !errors.Is(err, os.ErrNotExist) {
		return opError("spool", "recover", path, err)
	}
	return nil
}
