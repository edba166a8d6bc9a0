package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/logtally/logtally/aireport"
	"github.com/logtally/logtally/parsers"
	"github.com/logtally/logtally/rules"
)

const sshRules = `categories:
  - name: sshd
    match:
      program: sshd
    rules:
      - name: session
        substring: "session opened for user"
        ignore: true
`

func spoolFile(t *testing.T, dir, cat, stamp string, lines ...string) {
	t.Helper()
	writeFile(t, filepath.Join(dir, cat, "unknown-"+stamp+"-1.log"), []byte(strings.Join(lines, "\n")+"\n"))
}

func report(t *testing.T, r result) *aireport.Report {
	t.Helper()
	var rep aireport.Report
	if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil {
		t.Fatalf("exit %d: %v\nstderr: %s", r.code, err, r.stderr)
	}
	return &rep
}

func TestStateNewAndRuleChanges(t *testing.T) {
	dir := t.TempDir()
	rulesPath := filepath.Join(dir, "rules.yaml")
	writeFile(t, rulesPath, []byte(sshRules))
	state := filepath.Join(dir, "aireport.state")
	day1, day2 := filepath.Join(dir, "day1"), filepath.Join(dir, "day2")
	var l1 []string
	for i := 0; i < 30; i++ {
		l1 = append(l1, "Nov 22 10:00:00 vm sshd[10]: pam_unix(sshd:session): session opened for user bob(uid=1000) by (uid=0)")
	}
	l1 = append(l1, "Nov 22 10:00:01 vm sshd[11]: Connection closed by 10.0.0.1 port 2222 [preauth]",
		"Nov 22 10:00:02 vm sshd[12]: Connection closed by 10.0.0.9 port 2223 [preauth]")
	spoolFile(t, day1, "sshd", "20261122T100000Z", l1...)

	r1 := report(t, runAI(t, nil, "-f", "json", "--rules", rulesPath, "--state", state, day1))
	if !r1.FirstRun || r1.Sections[0].NewGroups != 0 {
		t.Errorf("first run: FirstRun %v, %d NEW", r1.FirstRun, r1.Sections[0].NewGroups)
	}
	if rc := r1.Sections[0].Rules; len(rc) != 1 || rc[0].Count != 30 || rc[0].Previous != nil {
		t.Errorf("first run rules %+v", rc)
	}

	var l2 []string
	for i := 0; i < 90; i++ {
		l2 = append(l2, "Nov 23 10:00:00 vm sshd[10]: pam_unix(sshd:session): session opened for user eve(uid=1001) by (uid=0)")
	}
	l2 = append(l2, "Nov 23 10:00:01 vm sshd[11]: Connection closed by 10.0.0.3 port 2224 [preauth]",
		"Nov 23 10:00:03 vm sshd[13]: error: kex_exchange_identification: banner line contains invalid characters")
	spoolFile(t, day2, "sshd", "20261123T100000Z", l2...)
	// text shows the change (without touching the state)
	r3 := runAI(t, nil, "--rules", rulesPath, "--state", state, "--no-state-update", day2)
	if !strings.Contains(r3.stdout, "!      90 +200.0%") || !strings.Contains(r3.stdout, "NEW sshd: error: kex_exchange_identification") {
		t.Errorf("text lacks rule change or NEW:\n%s", r3.stdout)
	}
	html := runAI(t, nil, "-f", "html", "--rules", rulesPath, "--state", state, "--no-state-update", day2)
	for _, want := range []string{"<h3>NEW: never seen before</h3>", "<h3>Known lines, by rule</h3>", `<tr class="alert"><td>session</td>`, `<table class="sortable">`, "<script>", "kex_exchange_identification"} {
		if !strings.Contains(html.stdout, want) {
			t.Errorf("HTML lacks %q", want)
		}
	}
	if strings.Contains(html.stdout, "http://") || strings.Contains(html.stdout, "https://") {
		t.Error("HTML refers to external resources")
	}
	r2 := report(t, runAI(t, nil, "-f", "json", "--rules", rulesPath, "--state", state, day2))
	s := r2.Sections[0]
	if s.NewGroups != 1 || !s.Groups[0].New || !strings.Contains(s.Groups[0].Key, "kex_exchange_identification") {
		t.Fatalf("NEW group not listed first: %+v", s.Groups)
	}
	if s.Groups[1].New || s.Groups[1].FirstSeen == nil || s.Groups[1].FirstSeen.Day() != 22 || s.Groups[1].LastSeen.Day() != 23 {
		t.Errorf("known group: %+v", s.Groups[1])
	}
	rc := s.Rules[0]
	if rc.Count != 90 || rc.Previous == nil || *rc.Previous != 30 || rc.Change != "+200.0%" || !rc.Alert {
		t.Errorf("rule change %+v", rc)
	}
	// --new-only shows only what is new, once
	spoolFile(t, filepath.Join(dir, "day3"), "sshd", "20261124T100000Z",
		"Nov 24 10:00:00 vm sshd[1]: Connection closed by 10.0.0.7 port 9 [preauth]",
		"Nov 24 10:00:00 vm sshd[1]: fatal: Timeout before authentication for 10.0.0.7 port 9")
	r4 := runAI(t, nil, "--rules", rulesPath, "--state", state, "--new-only", filepath.Join(dir, "day3"))
	if r4.code != 0 || strings.Count(r4.stdout, " NEW ") != 1 || !strings.Contains(r4.stdout, "Timeout before authentication") {
		t.Errorf("--new-only: exit %d\n%s", r4.code, r4.stdout)
	}
	r5 := runAI(t, nil, "--rules", rulesPath, "--state", state, "--new-only", filepath.Join(dir, "day3"))
	if r5.stdout != "" {
		t.Errorf("--new-only repeats known groups:\n%s", r5.stdout)
	}
}

func TestStateFileErrors(t *testing.T) {
	dir := t.TempDir()
	in := []byte("Nov 22 10:00:00 vm a[1]: hello\n")
	corrupt := filepath.Join(dir, "corrupt.state")
	writeFile(t, corrupt, []byte(`{"version":1,"categories":{`))
	empty := filepath.Join(dir, "empty.state")
	writeFile(t, empty, nil)
	unreadable := filepath.Join(dir, "isadir.state")
	os.Mkdir(unreadable, 0o755)
	for _, path := range []string{corrupt, empty, unreadable} {
		before, _ := os.ReadFile(path)
		r := runAI(t, in, "--state", path)
		if r.code != 2 || !strings.Contains(r.stderr, "state file "+path) || !strings.Contains(r.stderr, "never reset silently") {
			t.Errorf("%s: exit %d, stderr %q", path, r.code, r.stderr)
		}
		if r.stdout != "" {
			t.Errorf("%s: a report was written anyway", path)
		}
		after, _ := os.ReadFile(path)
		if !bytes.Equal(before, after) {
			t.Errorf("%s was modified", path)
		}
	}
}

// TestSuggestClosesTheLoop: the snippets --suggest prints are appended to
// the rule file unchanged; the rule file still loads, every line of those
// groups now matches one of the new rules (so summarize no longer spools
// them), and the next report counts them as known.
func TestSuggestClosesTheLoop(t *testing.T) {
	dir := t.TempDir()
	rulesPath := filepath.Join(dir, "rules.yaml")
	writeFile(t, rulesPath, []byte(sshRules))
	var lines []string
	users := []string{"bob", "eve", "mallory", "trent"}
	for i := 0; i < 200; i++ {
		u := users[i%len(users)]
		lines = append(lines,
			"Nov 22 10:00:00 vm sshd[10]: Connection closed by 10.0."+itoa(i%7)+"."+itoa(i)+" port "+itoa(1000+i)+" [preauth]",
			"Nov 22 10:00:00 vm sshd[11]: Invalid user "+u+" from 192.168.1."+itoa(i%250)+" port "+itoa(2000+i))
		if i%2 == 0 {
			lines = append(lines, "Nov 22 10:00:00 vm sshd[12]: Received disconnect from 10.1.1."+itoa(i%9)+" port "+itoa(3000+i)+":11: Bye Bye [preauth]")
		}
		if i%10 == 0 {
			lines = append(lines, "Nov 22 10:00:00 vm sshd[13]: error: maximum authentication attempts exceeded for root from 10.9.9.9 port "+itoa(i)+" ssh2 [preauth]")
		}
	}
	spool := filepath.Join(dir, "spool")
	spoolFile(t, spool, "sshd", "20261122T100000Z", lines...)

	before := report(t, runAI(t, nil, "-f", "json", "--rules", rulesPath, spool))
	sg := runAI(t, nil, "--suggest", "3", "--rules", rulesPath, spool)
	if sg.code != 0 || strings.Count(sg.stdout, "- name:") != 3 {
		t.Fatalf("--suggest: exit %d\n%s\n%s", sg.code, sg.stdout, sg.stderr)
	}
	f, err := os.OpenFile(rulesPath, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString(sg.stdout)
	f.Close()
	set, err := rules.Load(rulesPath)
	if err != nil {
		t.Fatalf("rule file with suggestions does not load: %v\n%s", err, sg.stdout)
	}
	// the lines of the three largest groups are now claimed by the new rules
	top := before.Sections[0].Groups[:3]
	var claimed int64
	for _, g := range top {
		claimed += g.Count
	}
	p := parsers.New(func() time.Time { return time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC) }, time.UTC)
	m := set.NewMatcher()
	var rec parsers.Record
	matched := int64(0)
	for _, l := range lines {
		if err := p.Parse([]byte(l), &rec); err != nil {
			t.Fatal(err)
		}
		cat := m.Categorize(&rec)
		if cat < 0 {
			t.Fatalf("no category for %q", l)
		}
		if i := m.Match(cat, &rec, 0); i >= 0 && strings.HasPrefix(set.Categories[cat].Rules[i].Name, "ai_") {
			if !set.Categories[cat].Rules[i].Ignore {
				t.Errorf("suggested rule %s is not an ignore rule", set.Categories[cat].Rules[i].Name)
			}
			matched++
		}
	}
	if matched != claimed {
		t.Errorf("new rules match %d lines, the three groups hold %d", matched, claimed)
	}
	after := report(t, runAI(t, nil, "-f", "json", "--rules", rulesPath, spool))
	s := after.Sections[0]
	if s.Ranked != before.Sections[0].Ranked-claimed || s.Ignored != before.Sections[0].Ignored+claimed {
		t.Errorf("after: ranked %d ignored %d; before: ranked %d ignored %d; claimed %d",
			s.Ranked, s.Ignored, before.Sections[0].Ranked, before.Sections[0].Ignored, claimed)
	}
	for _, g := range s.Groups {
		for _, old := range top {
			if g.Key == old.Key {
				t.Errorf("group %q still ranked", g.Key)
			}
		}
	}
	// counting rules load too
	sgc := runAI(t, nil, "--suggest", "2", "--suggest-count", spool)
	writeFile(t, rulesPath, []byte(sshRules+sgc.stdout))
	if _, err := rules.Load(rulesPath); err != nil {
		t.Errorf("count suggestions do not load: %v\n%s", err, sgc.stdout)
	}
}

func itoa(i int) string { return strconv.Itoa(i) }

// TestStateReplayedSpool: a spool file is named by the time summarize
// opened it, but its lines may be older (a replay with --clock event, a
// relay delivering a backlog). A first run up to T must count the lines
// before T even in a file named after T, so that a second run over the
// same file marks none of their groups NEW and keeps their ids.
func TestStateReplayedSpool(t *testing.T) {
	dir := t.TempDir()
	state := filepath.Join(dir, "aireport.state")
	spool := filepath.Join(dir, "spool")
	// opened at 18:05 on Dec 4, holding lines of Nov 22 10:00-10:02
	spoolFile(t, spool, "kernel", "20261204T180531Z",
		"Nov 22 10:00:00 app6 kernel: EXT4-fs (sda4): mounted filesystem with ordered data mode. Quota mode: none.",
		"Nov 22 10:00:30 app2 kernel: EXT4-fs (sda3): mounted filesystem with ordered data mode. Quota mode: none.",
		"Nov 22 10:02:00 app3 kernel: EXT4-fs (sda2): mounted filesystem with ordered data mode. Quota mode: none.")
	spoolFile(t, spool, "sshd", "20261204T180531Z",
		"Nov 22 10:00:07 app1 sshd[7]: Received disconnect from 10.0.0.2 port 30059:11: disconnected by user",
		"Nov 22 10:02:07 app1 sshd[8]: Received disconnect from 10.0.0.19 port 24663:11: disconnected by user",
		"Nov 22 10:02:09 app1 sshd[9]: error: maximum authentication attempts exceeded for eve from 10.0.0.5 port 2 ssh2 [preauth]")
	withClock(t, time.Date(2026, 12, 4, 18, 10, 0, 0, time.UTC))
	common := []string{"-f", "json", "--tz", "UTC", "--state", state}
	r1 := report(t, runAI(t, nil, append(common, "--until", "2026-11-22 10:01", spool)...))
	ids := map[string]string{}
	for _, s := range r1.Sections {
		for _, g := range s.Groups {
			ids[g.Key] = g.ID
		}
	}
	if len(ids) != 2 {
		t.Fatalf("first run up to 10:01: groups %v, want the kernel and the sshd disconnect (the file's name is later than --until, its lines are not)", ids)
	}
	r2 := report(t, runAI(t, nil, append(common, spool)...))
	var news []string
	for _, s := range r2.Sections {
		for _, g := range s.Groups {
			if id, seen := ids[g.Key]; seen && (g.New || g.ID != id) {
				t.Errorf("%s: seen in the first run, now NEW %v, id %s (was %s)", g.Key, g.New, g.ID, id)
			}
			if g.New {
				news = append(news, g.Key)
			}
		}
	}
	if len(news) != 1 || !strings.Contains(news[0], "maximum authentication attempts") {
		t.Errorf("second run: NEW %q, want only the sshd error that came after 10:01", news)
	}
}

// TestStateKeysAcrossRuns: a template the state knows keeps its key and id
// when a later run brings more lines of it. Few lines of "Started" and
// "Paused" are one group ("<*>"); many would split it by the word, which
// must not turn the lines seen before into NEW groups with new ids. A
// known template that generalizes (new words at a position) carries its
// state entry over: its lines are not NEW.
func TestStateKeysAcrossRuns(t *testing.T) {
	dir := t.TempDir()
	lines := func(words ...string) []string {
		var out []string
		for i, w := range words {
			out = append(out, "Nov 22 10:00:"+fmt.Sprintf("%02d", i)+" vm app[1]: vm state "+w+" now")
		}
		return out
	}
	run := func(state, stamp string, words ...string) map[string]*aireport.Group {
		t.Helper()
		in := filepath.Join(dir, stamp)
		spoolFile(t, in, "app", stamp, lines(words...)...)
		rep := report(t, runAI(t, nil, "-f", "json", "--tz", "UTC", "--state", state, in))
		out := map[string]*aireport.Group{}
		for _, g := range rep.Sections[0].Groups {
			out[g.Key] = g
		}
		return out
	}

	split := filepath.Join(dir, "split.state")
	r1 := run(split, "20261122T100000Z", "Started", "Paused")
	r2 := run(split, "20261123T100000Z", "Started", "Paused", "Started", "Paused", "Started", "Paused")
	g1 := r1["app: vm state <*> now"]
	g2 := r2["app: vm state <*> now"]
	if g1 == nil || g2 == nil || len(r2) != 1 {
		t.Fatalf("run 1 %v, run 2 %v: want one group \"app: vm state <*> now\" in both", keys(r1), keys(r2))
	}
	if g2.New || g2.ID != g1.ID || g2.Count != 6 {
		t.Errorf("run 2: NEW %v, id %s (run 1 %s), count %d", g2.New, g2.ID, g1.ID, g2.Count)
	}

	general := filepath.Join(dir, "general.state")
	run(general, "20261124T100000Z", "Started", "Started")
	r2 = run(general, "20261125T100000Z", "Started", "Resumed", "Halted", "Gone", "Bad")
	if g := r2["app: vm state <*> now"]; g == nil || g.New || len(r2) != 1 {
		t.Errorf("run 2 after a generalization: %v (NEW %v), want one known group", keys(r2), g != nil && g.New)
	}
}

func keys(m map[string]*aireport.Group) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}
