package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/logtally/logtally/aireport"
)

// TestAssign: --assign writes one row per input line, in input order over
// all inputs, with the group id the JSON report gives that line's group;
// lines a rule takes have "-" and the rule.
func TestAssign(t *testing.T) {
	dir := t.TempDir()
	a := filepath.Join(dir, "a.log")
	b := filepath.Join(dir, "b.log")
	writeFile(t, a, []byte(strings.Join([]string{
		"Nov 22 10:00:01 web1 sshd[100]: Connection closed by 10.0.0.1 port 4242 [preauth]",
		"Nov 22 10:00:02 web1 sshd[101]: pam_unix(sshd:session): session opened for user bob by (uid=0)",
		"Nov 22 10:00:03 web1 sshd[102]: Connection closed by 10.0.0.2 port 4343 [preauth]",
	}, "\n")+"\n"))
	writeFile(t, b, []byte(strings.Join([]string{
		"2026-11-22 10:00:04,001 INFO [main] com.example.App: started in 1200 ms",
		"2026-11-22 10:00:05,002 INFO [main] com.example.App: started in 900 ms",
	}, "\n")+"\n"))
	assign := filepath.Join(dir, "assign.tsv")
	r := runAI(t, nil, "--assign", assign, "--format", "json", "--category", "c", "--rules", "../../examples/aireport/rules.yaml", a, b)
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	var rep aireport.Report
	if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil {
		t.Fatal(err)
	}
	idOf := map[string]string{}
	for _, s := range rep.Sections {
		for _, g := range s.Groups {
			if g.ID != aireport.GroupID(s.Category, g.Key) || len(g.ID) != 12 {
				t.Errorf("group %q: id %q", g.Key, g.ID)
			}
			idOf[g.Key] = g.ID
		}
	}
	data, err := os.ReadFile(assign)
	if err != nil {
		t.Fatal(err)
	}
	rows := strings.Split(strings.TrimSuffix(string(data), "\n"), "\n")
	want := []struct{ id, template string }{
		{"", "sshd: Connection closed by <IP> port <PORT> [preauth]"},
		{"-", "ignored: session-opened"},
		{"", "sshd: Connection closed by <IP> port <PORT> [preauth]"},
		{"", "started in <NUM> ms"},
		{"", "started in <NUM> ms"},
	}
	if len(rows) != len(want) {
		t.Fatalf("%d rows, want %d:\n%s", len(rows), len(want), data)
	}
	for i, row := range rows {
		f := strings.Split(row, "\t")
		if len(f) != 3 || f[0] != strconv.Itoa(i+1) {
			t.Fatalf("row %q", row)
		}
		w := want[i]
		if w.id == "" {
			w.id = idOf[w.template]
		}
		if f[1] != w.id || f[2] != w.template {
			t.Errorf("row %d: %q, want id %q template %q", i+1, row, w.id, w.template)
		}
	}
}
