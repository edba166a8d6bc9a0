package rules

import (
	"strings"
	"testing"
)

func TestLint(t *testing.T) {
	src := `categories:
  - name: web
    match: {program: nginx}
    rules:
      - {name: errors, substring: " 50", count: e5}
      - {name: server_errors, pattern: '" 50[0-9] ', count: server_errors}
      - {name: any_get, pattern: '^GET'}
      - {name: get_index, pattern: '^GET /index', count: idx}
      - {name: same, pattern: '^GET'}
      - {name: broad, substring: "HTTP", continue: true, count: h}
      - {name: after_continue, substring: "HTTP/1.1", count: h11}
      - {name: narrow_first, program: nginx, substring: "POST"}
      - {name: wider_later, substring: "POST /x"}
      - {name: unprovable, pattern: 'PUT|DELETE'}
      - {name: put, substring: "PUT /a"}
      - {name: folded, pattern: '(?i)^head'}
      - {name: head_x, pattern: '^head x'}
      - {name: bad_prog, program: "a b", substring: z}
  - name: web2
    match: {program: nginx}
  - name: mail
    match: {facility: mail, severity: "<=err"}
  - name: syslogd
    match: {program: "syslogd 1.4*"}
  - name: all
  - name: late
    match: {program: cron}
`
	s, err := Parse("t.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, w := range s.Lint() {
		got = append(got, w.String())
	}
	want := []string{
		`t.yaml:6:9: warning: category "web": rule "server_errors" never matches: the earlier rule "errors" (line 5)`,
		`t.yaml:8:9: warning: category "web": rule "get_index" never matches: the earlier rule "any_get" (line 7)`,
		`t.yaml:9:9: warning: category "web": rule "same" never matches: the earlier rule "any_get" (line 7)`,
		`t.yaml:18:9: warning: category "web": rule "bad_prog": program "a b" never matches`,
		`t.yaml:19:5: warning: category "web2" never gets a line: the earlier category "web" (line 2) has the same match block`,
		`t.yaml:22:13: warning: category "mail": facility holds only on lines that carry a priority`,
		`t.yaml:22:29: warning: category "mail": severity holds only on lines that carry a priority`,
		`t.yaml:24:13: warning: category "syslogd": program "syslogd 1.4*" never matches`,
		`t.yaml:26:5: warning: category "late" never gets a line: the earlier category "all" (line 25) has no match block`,
	}
	if len(got) != len(want) {
		t.Fatalf("got %d warnings, want %d:\n%s", len(got), len(want), strings.Join(got, "\n"))
	}
	for i := range want {
		if !strings.HasPrefix(got[i], want[i]) {
			t.Errorf("warning %d:\n got %s\nwant %s…", i, got[i], want[i])
		}
	}
}

// The shipped examples are free of warnings (facility conditions aside,
// which none uses).
func TestLintExamplesClean(t *testing.T) {
	for _, ex := range []string{"asa", "sshd", "postfix", "cron", "kernel", "nginx", "aireport"} {
		s, err := Load("../examples/" + ex + "/rules.yaml")
		if err != nil {
			t.Fatal(err)
		}
		for _, w := range s.Lint() {
			t.Errorf("%s", w)
		}
	}
}
