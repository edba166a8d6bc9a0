package outputs

import (
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Alert lines go out through Send with the output's own header (here the
// warning priority summarize uses for alerts).
func TestSyslogSend(t *testing.T) {
	path := filepath.Join(t.TempDir(), "log.sock")
	ln, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: path, Net: "unixgram"})
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	cfg := testSyslogConfig("unixgram", path)
	cfg.Priority = "daemon.warning"
	s := newSyslog(t, cfg)
	if err := s.Send("aberration state=on category=asa counter=denied"); err != nil {
		t.Fatal(err)
	}
	got := readDatagrams(t, ln, 1)
	if want := "<28>Nov 22 10:02:00 summarydata[4242]: aberration state=on category=asa counter=denied"; got[0] != want {
		t.Errorf("got %q, want %q", got[0], want)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
}

// An alert record is a line of its own between the minutes' records.
func TestJSONLinesWriteRecord(t *testing.T) {
	path := filepath.Join(t.TempDir(), "summaries.jsonl")
	j, err := NewJSONLines(JSONLinesConfig{Path: path})
	if err != nil {
		t.Fatal(err)
	}
	if err := j.Write(fixture()); err != nil {
		t.Fatal(err)
	}
	if err := j.WriteRecord([]byte(`{"category":"asa","on":true}`)); err != nil {
		t.Fatal(err)
	}
	if err := j.Close(); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(string(data), "\n"), "\n")
	if len(lines) != len(fixture())+1 || lines[len(lines)-1] != `{"category":"asa","on":true}` {
		t.Fatalf("file:\n%s", data)
	}
}
