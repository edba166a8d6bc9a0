package outputs

import (
	"cmp"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"sync"
	"unicode/utf8"

	"github.com/logtally/logtally/internal/atomicfile"
	"github.com/logtally/logtally/internal/filemode"
	"github.com/logtally/logtally/tally"
)

// TopFile maps one top-N table of a category to a file.
type TopFile struct {
	// Top is the table's name in the category's schema. When empty, Index
	// selects the table by position in Summary.Tops instead.
	Top   string
	Index int
	// Path is the file to write; relative paths are joined to
	// TopFilesConfig.Dir.
	Path string
}

// TopFilesConfig configures a TopFiles output.
type TopFilesConfig struct {
	// Files maps a category name to the tables written for it.
	Files map[string][]TopFile
	// Dir is the base of relative paths (default: the working directory).
	Dir string
	// Perm is the files' mode (default 0640, minus the umask).
	Perm os.FileMode
}

// TopFiles writes, each minute, one file per configured top-N table, like
// the article's /var/log/urlcount and /var/log/servercount:
//
//	www.example.com/index.html=120
//	www.example.com/a.png=64
//	# other=17 total=201
//
// One "key=count" line per item, sorted by count descending then key
// ascending. Keys may contain '=' (URLs do): split a line at its LAST '='.
// A key that is empty, starts with '#' or '"', contains a control character, or is
// not valid UTF-8 is written Go-quoted ("\"#x\"=3", "\"a\\nb\"=1") so a line
// is always one item. When the table dropped keys (Other > 0) a final
// comment line "# other=N total=N" carries the remainder and the total: it
// is a comment, never "other=N", because "other" may be a real key.
// A table with no items yields an empty file (or only the comment line).
//
// Each file is replaced atomically (temp file in the same directory, fsync,
// rename): readers see the previous minute or this one, never a mix. A file
// that fails does not stop the others; Write returns all errors joined.
// Categories absent from a minute leave their files untouched.
type TopFiles struct {
	cfg TopFilesConfig
	mu  sync.Mutex // SetFiles may come from a signal goroutine
	buf []byte
}

// NewTopFiles validates cfg and applies defaults. Dir is created by Write
// when missing (and again if it disappears), so a directory that cannot be
// made yet is retried every minute.
func NewTopFiles(cfg TopFilesConfig) (*TopFiles, error) {
	if cfg.Perm == 0 {
		cfg.Perm = filemode.Default
	}
	t := &TopFiles{cfg: cfg}
	files, err := t.resolve(cfg.Files)
	if err != nil {
		return nil, err
	}
	t.cfg.Files = files
	return t, nil
}

// SetFiles replaces the tables written (a reloaded rule file); the next
// Write uses them.
func (t *TopFiles) SetFiles(files map[string][]TopFile) error {
	resolved, err := t.resolve(files)
	if err != nil {
		return err
	}
	t.mu.Lock()
	t.cfg.Files = resolved
	t.mu.Unlock()
	return nil
}

// resolve checks files and joins relative paths to Dir.
func (t *TopFiles) resolve(in map[string][]TopFile) (map[string][]TopFile, error) {
	files := make(map[string][]TopFile, len(in))
	for cat, tfs := range in {
		out := make([]TopFile, len(tfs))
		for i, tf := range tfs {
			if tf.Path == "" {
				return nil, fmt.Errorf("outputs: topfiles: category %q table %d: empty path", cat, i)
			}
			if tf.Top == "" && tf.Index < 0 {
				return nil, fmt.Errorf("outputs: topfiles: category %q path %s: negative index %d", cat, tf.Path, tf.Index)
			}
			if !filepath.IsAbs(tf.Path) && t.cfg.Dir != "" {
				tf.Path = filepath.Join(t.cfg.Dir, tf.Path)
			}
			out[i] = tf
		}
		files[cat] = out
	}
	return files, nil
}

// Write rewrites every configured file of the categories in minute.
func (t *TopFiles) Write(minute []tally.Summary) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	var errs []error
	madeDir := false
	for i := range minute {
		s := &minute[i]
		for _, tf := range t.cfg.Files[s.Category] {
			top, ok := findTop(s, tf)
			if !ok {
				which := strconv.Quote(tf.Top)
				if tf.Top == "" {
					which = "#" + strconv.Itoa(tf.Index)
				}
				errs = append(errs, fmt.Errorf("outputs: topfiles: write %s: category %q has no top table %s", tf.Path, s.Category, which))
				continue
			}
			t.buf = AppendTopFile(t.buf[:0], top)
			err := atomicfile.Write(tf.Path, t.buf, t.cfg.Perm)
			if errors.Is(err, fs.ErrNotExist) && t.cfg.Dir != "" && !madeDir {
				madeDir = true
				if err = os.MkdirAll(t.cfg.Dir, filemode.Dir(t.cfg.Perm)); err == nil {
					err = atomicfile.Write(tf.Path, t.buf, t.cfg.Perm)
				}
			}
			if err != nil {
				errs = append(errs, opError("topfiles", "write", tf.Path, err))
			}
		}
	}
	return errors.Join(errs...)
}

// Close does nothing: every Write leaves complete files behind.
func (t *TopFiles) Close() error { return nil }

func findTop(s *tally.Summary, tf TopFile) (*tally.Top, bool) {
	if tf.Top == "" {
		if tf.Index < len(s.Tops) {
			return &s.Tops[tf.Index], true
		}
		return nil, false
	}
	for i := range s.Tops {
		if s.Tops[i].Name == tf.Top {
			return &s.Tops[i], true
		}
	}
	return nil, false
}

// AppendTopFile appends the file contents for one top-N table to dst.
func AppendTopFile(dst []byte, t *tally.Top) []byte {
	items := slices.Clone(t.Items)
	slices.SortStableFunc(items, func(a, b tally.KeyCount) int {
		if c := cmp.Compare(b.Count, a.Count); c != 0 {
			return c
		}
		return cmp.Compare(a.Key, b.Key)
	})
	for _, it := range items {
		if topKeyNeedsQuote(it.Key) {
			dst = strconv.AppendQuote(dst, it.Key)
		} else {
			dst = append(dst, it.Key...)
		}
		dst = append(dst, '=')
		dst = strconv.AppendUint(dst, it.Count, 10)
		dst = append(dst, '\n')
	}
	if t.Other > 0 {
		dst = append(dst, "# other="...)
		dst = strconv.AppendUint(dst, t.Other, 10)
		dst = append(dst, " total="...)
		dst = strconv.AppendUint(dst, t.Total, 10)
		dst = append(dst, '\n')
	}
	return dst
}

func topKeyNeedsQuote(k string) bool {
	if k == "" || k[0] == '#' || k[0] == '"' || !utf8.ValidString(k) {
		return true
	}
	for i := 0; i < len(k); i++ {
		if c := k[i]; c < 0x20 || c == 0x7f {
			return true
		}
	}
	return false
}
