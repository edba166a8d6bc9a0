package aireport

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zstd"
)

// ErrNoInput is wrapped when an argument names nothing readable.
var ErrNoInput = errors.New("no input")

// Source is one input stream: a spool file, a plain log file or stdin.
type Source struct {
	Name     string    // path as given or found; "-" for stdin
	Category string    // report section; "" when unknown
	Time     time.Time // from the spool file name; zero when unknown
	Stdin    io.Reader // non-nil for "-"
}

// ExpandInputs turns command-line arguments (files, globs, directories, "-")
// into sources, sorted within each argument. A directory is walked
// recursively; in-progress spool files (*.tmp) and dot files are skipped
// there and in glob results. category, when non-empty, overrides the
// category taken from the spool layout <dir>/<category>/unknown-*.
// Arguments that match nothing are returned as errors next to the sources
// that were found, so the caller can report the rest.
func ExpandInputs(args []string, category string, stdin io.Reader) ([]Source, []error) {
	if len(args) == 0 {
		args = []string{"-"}
	}
	var srcs []Source
	var errs []error
	seen := map[string]bool{}
	add := func(path string) {
		if seen[path] {
			return
		}
		seen[path] = true
		cat, t := spoolInfo(path)
		if category != "" {
			cat = category
		}
		srcs = append(srcs, Source{Name: path, Category: cat, Time: t})
	}
	for _, a := range args {
		if a == "-" {
			srcs = append(srcs, Source{Name: "-", Category: category, Stdin: stdin})
			continue
		}
		st, err := os.Stat(a)
		switch {
		case err == nil && st.IsDir():
			var found []string
			inProgress := 0
			werr := filepath.WalkDir(a, func(p string, d fs.DirEntry, err error) error {
				if err != nil {
					errs = append(errs, fmt.Errorf("walk %s: %w", p, err))
					return nil
				}
				if d.IsDir() {
					if p != a && strings.HasPrefix(d.Name(), ".") {
						return filepath.SkipDir
					}
					return nil
				}
				if skipName(d.Name()) || !d.Type().IsRegular() {
					if isInProgress(d.Name()) {
						inProgress++
					}
					return nil
				}
				found = append(found, p)
				return nil
			})
			if werr != nil {
				errs = append(errs, werr)
			}
			switch {
			case len(found) == 0 && inProgress > 0:
				errs = append(errs, fmt.Errorf("%s: %w yet: %s still being written (%s)", a, ErrNoInput, filesWord(inProgress), completeHint))
			case len(found) == 0:
				errs = append(errs, fmt.Errorf("%s: %w (empty directory)", a, ErrNoInput))
			}
			sort.Strings(found)
			for _, p := range found {
				add(p)
			}
		case err == nil:
			add(a)
		default:
			matches, gerr := filepath.Glob(a)
			if gerr != nil || len(matches) == 0 {
				errs = append(errs, fmt.Errorf("%s: %w: %v", a, ErrNoInput, err))
				continue
			}
			sort.Strings(matches)
			n := 0
			for _, p := range matches {
				if st, err := os.Stat(p); err == nil && st.Mode().IsRegular() && !skipName(filepath.Base(p)) {
					add(p)
					n++
				}
			}
			if n == 0 {
				if k := countInProgress(matches); k > 0 {
					errs = append(errs, fmt.Errorf("%s: %w yet: %s still being written (%s)", a, ErrNoInput, filesWord(k), completeHint))
				} else {
					errs = append(errs, fmt.Errorf("%s: %w (only directories)", a, ErrNoInput))
				}
			}
		}
	}
	return srcs, errs
}

func skipName(name string) bool {
	return strings.HasSuffix(name, ".tmp") || strings.HasPrefix(name, ".")
}

// spoolInfo reads the category and start time from a spool path
// <dir>/<category>/unknown-<UTC timestamp>-<pid>.log[.zst|.gz].
func spoolInfo(path string) (category string, t time.Time) {
	base := filepath.Base(path)
	if !strings.HasPrefix(base, "unknown-") {
		return "", time.Time{}
	}
	category = filepath.Base(filepath.Dir(path))
	if category == "." || category == string(filepath.Separator) {
		category = ""
	}
	rest := strings.TrimPrefix(base, "unknown-")
	if i := strings.Index(rest, ".log"); i >= 0 {
		rest = rest[:i]
	}
	// strip the trailing -<pid>[-N] until a timestamp remains
	for {
		if t := ParseSpoolTime(rest); !t.IsZero() {
			return category, t
		}
		i := strings.LastIndexByte(rest, '-')
		if i <= 0 {
			return category, time.Time{}
		}
		if _, err := strconv.Atoi(rest[i+1:]); err != nil {
			return category, time.Time{}
		}
		rest = rest[:i]
	}
}

// ParseSpoolTime accepts the timestamp spellings a spool file name may use
// (UTC); it returns the zero time when none fits.
func ParseSpoolTime(s string) time.Time {
	for _, layout := range []string{
		"20060102T150405Z", "20060102T150405.000000000Z", "20060102T150405.000Z",
		"2006-01-02T15-04-05Z", "2006-01-02T15:04:05Z", time.RFC3339Nano,
		"20060102-150405", "20060102150405", "2006-01-02T150405Z",
	} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC()
		}
	}
	if n, err := strconv.ParseInt(s, 10, 64); err == nil && n > 1e9 && n < 1e11 {
		return time.Unix(n, 0).UTC()
	}
	return time.Time{}
}

// Counters is shared with the progress reporter; all fields are atomic.
type Counters struct {
	Bytes atomic.Int64 // uncompressed bytes read
	Lines atomic.Int64
	Files atomic.Int64 // files finished
}

type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// MaxLine is the longest line kept whole; longer lines are cut there (and
// still counted as one line).
const MaxLine = 16 << 20

// stream is an opened, decompressing input.
type stream struct {
	name  string
	kind  string // "", "gzip" or "zstd"
	cr    *countingReader
	raw   *bufio.Reader
	dec   io.Reader
	close func()
}

func openSource(src Source) (*stream, error) {
	var r io.Reader
	closeFile := func() {}
	if src.Stdin != nil {
		r = src.Stdin
	} else {
		f, err := os.Open(src.Name)
		if err != nil {
			return nil, err
		}
		r = f
		closeFile = func() { f.Close() }
	}
	st := &stream{name: src.Name, cr: &countingReader{r: r}}
	st.raw = bufio.NewReaderSize(st.cr, 64<<10)
	magic, _ := st.raw.Peek(4)
	switch {
	case len(magic) >= 2 && magic[0] == 0x1f && magic[1] == 0x8b:
		st.kind = "gzip"
		gz, err := gzip.NewReader(st.raw)
		if err != nil {
			closeFile()
			return nil, fmt.Errorf("%s: corrupt gzip header at byte offset 0: %w", src.Name, err)
		}
		st.dec = gz
		st.close = func() { gz.Close(); closeFile() }
	case len(magic) == 4 && bytes.Equal(magic, []byte{0x28, 0xb5, 0x2f, 0xfd}):
		st.kind = "zstd"
		zr, err := zstd.NewReader(st.raw, zstd.WithDecoderConcurrency(1), zstd.WithDecoderMaxMemory(1<<30))
		if err != nil {
			closeFile()
			return nil, fmt.Errorf("%s: zstd: %w", src.Name, err)
		}
		st.dec = zr
		st.close = func() { zr.Close(); closeFile() }
	default:
		st.dec = st.raw
		st.close = closeFile
	}
	return st, nil
}

// fail names the file and where the data went wrong; out is the number
// of uncompressed bytes delivered before.
func (st *stream) fail(err error, out int64) error {
	off := st.cr.n - int64(st.raw.Buffered())
	switch {
	case st.kind == "":
		return fmt.Errorf("%s: read error at byte offset %d: %w", st.name, out, err)
	case errors.Is(err, io.ErrUnexpectedEOF):
		return fmt.Errorf("%s: truncated %s data at compressed byte offset %d (after %d uncompressed bytes): %w", st.name, st.kind, off, out, err)
	}
	return fmt.Errorf("%s: corrupt %s data near compressed byte offset %d (after %d uncompressed bytes): %w", st.name, st.kind, off, out, err)
}

// ReadLines calls fn for every line of src (without the trailing newline;
// a final line without newline counts too), decompressing gzip and zstd by
// their magic bytes. The line slice is valid only during the call. A read
// or decompression error names the file and the compressed byte offset;
// lines before it have been delivered.
func ReadLines(ctx context.Context, src Source, ctr *Counters, fn func(line []byte)) error {
	st, err := openSource(src)
	if err != nil {
		return err
	}
	defer st.close()
	br := bufio.NewReaderSize(st.dec, 1<<20)
	var long []byte
	var out, flushedBytes, lines int64
	defer func() {
		ctr.Bytes.Add(out - flushedBytes)
		ctr.Lines.Add(lines & 4095)
	}()
	for {
		line, rerr := br.ReadSlice('\n')
		if rerr == bufio.ErrBufferFull {
			long = append(long[:0], line...)
			for rerr == bufio.ErrBufferFull {
				line, rerr = br.ReadSlice('\n')
				if len(long) < MaxLine {
					long = append(long, line...)
				}
				out += int64(len(line))
			}
			if len(long) > MaxLine {
				long = long[:MaxLine]
			}
			line = long
		}
		out += int64(len(line))
		if n := len(line); n > 0 {
			if line[n-1] == '\n' {
				line = line[:n-1]
			}
			fn(line)
			lines++
			if lines&4095 == 0 {
				ctr.Lines.Add(4096)
				ctr.Bytes.Add(out - flushedBytes)
				flushedBytes = out
				if err := ctx.Err(); err != nil {
					return fmt.Errorf("%s: stopped after %d lines: %w", src.Name, lines, err)
				}
			}
		}
		if rerr == io.EOF {
			return nil
		}
		if rerr != nil {
			return st.fail(rerr, out)
		}
	}
}

// ReadBlocks is ReadLines for parallel consumers: fn receives blocks of
// about size bytes holding whole lines, each ending in "\n" (one is added
// to a final line without it). A line longer than MaxLine is cut there.
// fn owns the block; get supplies an empty buffer to fill next.
func ReadBlocks(ctx context.Context, src Source, ctr *Counters, size int, get func() []byte, fn func(block []byte)) error {
	st, err := openSource(src)
	if err != nil {
		return err
	}
	defer st.close()
	var out int64
	buf := get()[:0]
	skipping := false // inside a line beyond MaxLine: drop bytes up to its newline
	for {
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("%s: stopped: %w", src.Name, err)
		}
		if cap(buf)-len(buf) < size/4 {
			nb := make([]byte, len(buf), 2*cap(buf)+size)
			copy(nb, buf)
			buf = nb
		}
		n, rerr := st.dec.Read(buf[len(buf):cap(buf)])
		out += int64(n)
		chunk := buf[len(buf) : len(buf)+n]
		if skipping {
			if i := bytes.IndexByte(chunk, '\n'); i >= 0 {
				copy(chunk, chunk[i+1:])
				n -= i + 1
				skipping = false
			} else {
				n = 0
			}
		}
		buf = buf[:len(buf)+n]
		last := bytes.LastIndexByte(buf, '\n')
		if last < 0 && len(buf) >= MaxLine {
			buf = append(buf[:MaxLine], '\n')
			last = MaxLine
			skipping = true
		}
		if rerr != nil && len(buf) > 0 && last < len(buf)-1 {
			buf = append(buf, '\n') // final line without newline
			last = len(buf) - 1
		}
		if last >= 0 && (last+1 >= size || rerr != nil) {
			next := get()[:0]
			next = append(next, buf[last+1:]...)
			block := buf[:last+1]
			ctr.Lines.Add(int64(bytes.Count(block, []byte{'\n'})))
			ctr.Bytes.Add(int64(len(block)))
			fn(block)
			buf = next
		}
		if rerr == io.EOF {
			return nil
		}
		if rerr != nil {
			return st.fail(rerr, out)
		}
	}
}
