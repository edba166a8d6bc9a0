package outputs

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/logtally/logtally/internal/testenv"
)

// TestSyslogIntoRsyslog sends summaries to a real rsyslogd through a
// dedicated imuxsock socket (the deployment DESIGN.md describes) and checks
// rsyslog parses them: program "summarydata", the kv line as the message.
func TestSyslogIntoRsyslog(t *testing.T) {
	rsyslogd := testenv.RequireBinary(t, "rsyslogd")
	dir := t.TempDir()
	sock := filepath.Join(dir, "summary.sock")
	out := filepath.Join(dir, "out.log")
	conf := filepath.Join(dir, "rsyslog.conf")
	err := os.WriteFile(conf, []byte(`
global(workDirectory="`+dir+`")
module(load="imuxsock" SysSock.Use="off")
input(type="imuxsock" Socket="`+sock+`" CreatePath="on" Ruleset="summaries")
template(name="t" type="string" string="%programname%|%procid%|%syslogfacility-text%.%syslogseverity-text%|%msg:2:$%\n")
ruleset(name="summaries") {
  action(type="omfile" file="`+out+`" template="t")
}
`), 0o644)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	cmd := exec.CommandContext(ctx, rsyslogd, "-n", "-f", conf, "-i", filepath.Join(dir, "pid"))
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { cancel(); _ = cmd.Wait() }()

	cfg := testSyslogConfig("unixgram", sock) // the socket may not exist yet: lines queue
	s := newSyslog(t, cfg)
	if err := s.Write(fixture()); err != nil {
		t.Fatal(err)
	}
	var want strings.Builder
	for _, sum := range fixture() {
		want.WriteString("summarydata|4242|daemon.info|" + string(AppendKV(nil, &sum)) + "\n")
	}
	end := time.Now().Add(deadline)
	for {
		got, _ := os.ReadFile(out)
		if string(got) == want.String() {
			break
		}
		if time.Now().After(end) {
			t.Fatalf("rsyslog wrote\n%s\nwant\n%s", got, want.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
}
