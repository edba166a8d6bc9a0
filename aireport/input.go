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
					return nil
				}
				found = append(found, p)
				return nil
			})
			if werr != nil {
				errs = append(errs, werr)
			}
			if len(found) == 0 {
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
				errs = append(errs, fmt.Errorf("%s: %w (only directories or in-progress files)", a, ErrNoInput))
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

// ReadLines calls fn for every line of src (without the trailing newline;
// a final line without newline counts too), decompressing gzip and zstd by
// their magic bytes. The line slice is valid only during the call. A read
// or decompression error names the file and the compressed byte offset;
// lines before it have been delivered.
func ReadLines(ctx context.Context, src Source, ctr *Counters, fn func(line []byte)) (err error) {
	var r io.Reader
	if src.Stdin != nil {
		r = src.Stdin
	} else {
		f, err := os.Open(src.Name)
		if err != nil {
			return err
		}
		defer f.Close()
		r = f
	}
	cr := &countingReader{r: r}
	raw := bufio.NewReaderSize(cr, 64<<10)
	magic, _ := raw.Peek(4)
	var (
		dec  io.Reader
		kind string
	)
	switch {
	case len(magic) >= 2 && magic[0] == 0x1f && magic[1] == 0x8b:
		kind = "gzip"
		gz, err := gzip.NewReader(raw)
		if err != nil {
			return fmt.Errorf("%s: corrupt gzip header at byte offset 0: %w", src.Name, err)
		}
		defer gz.Close()
		dec = gz
	case len(magic) == 4 && bytes.Equal(magic, []byte{0x28, 0xb5, 0x2f, 0xfd}):
		kind = "zstd"
		zr, err := zstd.NewReader(raw, zstd.WithDecoderConcurrency(1), zstd.WithDecoderMaxMemory(1<<30))
		if err != nil {
			return fmt.Errorf("%s: zstd: %w", src.Name, err)
		}
		defer zr.Close()
		dec = zr
	default:
		dec = raw
	}
	br := bufio.NewReaderSize(dec, 1<<20)
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
			break
		}
		if rerr != nil {
			off := cr.n - int64(raw.Buffered())
			if kind == "" {
				return fmt.Errorf("%s: read error at byte offset %d: %w", src.Name, out, rerr)
			}
			if errors.Is(rerr, io.ErrUnexpectedEOF) {
				return fmt.Errorf("%s: truncated %s data at compressed byte offset %d (after %d uncompressed bytes): %w", src.Name, kind, off, out, rerr)
			}
			return fmt.Errorf("%s: corrupt %s data near compressed byte offset %d (after %d uncompressed bytes): %w", src.Name, kind, off, out, rerr)
		}
	}
	return nil
}
