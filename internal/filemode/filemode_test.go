package filemode

import (
	"os"
	"strings"
	"syscall"
	"testing"
)

func TestParse(t *testing.T) {
	for in, want := range map[string]os.FileMode{"0640": 0o640, "600": 0o600, "0o660": 0o660, "0666": 0o666} {
		if got, err := Parse(in); err != nil || got != want {
			t.Errorf("Parse(%q) = %04o, %v; want %04o", in, got, err, want)
		}
	}
	for _, in := range []string{"", "0755", "0640x", "1640", "0440", "8"} {
		if got, err := Parse(in); err == nil {
			t.Errorf("Parse(%q) = %04o, want an error", in, got)
		}
	}
}

// CreateTemp lets the umask narrow perm, where os.CreateTemp+Chmod would
// set perm whatever the umask.
func TestCreateTempHonoursUmask(t *testing.T) {
	defer syscall.Umask(syscall.Umask(0o027))
	dir := t.TempDir()
	f, err := CreateTemp(dir, ".x.tmp*", 0o664)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if !strings.HasPrefix(f.Name(), dir+"/.x.tmp") {
		t.Errorf("name %s", f.Name())
	}
	st, err := f.Stat()
	if err != nil {
		t.Fatal(err)
	}
	if got := st.Mode().Perm(); got != 0o640 {
		t.Errorf("mode %04o, want 0640 (0664 minus umask 027)", got)
	}
	if Dir(0o640) != 0o750 || Dir(0o600) != 0o700 || Dir(0o644) != 0o755 {
		t.Error("Dir")
	}
}
