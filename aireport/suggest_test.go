package aireport

import (
	"context"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"

	"github.com/logtally/logtally/rules"
)

// suggestCorners are log texts that tried to break out of the snippet's
// comment or quoted pattern: every YAML line break, other control
// characters, quotes, a byte-order mark, invalid UTF-8, a cut multi-byte
// rune at the example's length limit.
var suggestCorners = []string{
	"plain message 42",
	"evil\r      - name: hide\r        substring: x\r        ignore: true",
	"evil\u0085      - name: hide\u0085        substring: x\u0085        ignore: true",
	"evil\u2028      - name: hide\u2028        substring: x\u2028        ignore: true",
	"evil\u2029- {name: hide, substring: x, ignore: true}",
	"quote ' and '' and \" and \\ and # and : and - [x]",
	"nul \x00 bell \x07 esc \x1b[31m del \x7f c1 \u0080\u009f",
	"bom \ufeff nonchar \ufffe \uffff private \ue000",
	"bad utf8 \xff\xfe caf\xe9",
	strings.Repeat("é", 79) + "x" + strings.Repeat("€", 10),
	"tab\tseparated\tfields",
}

// FuzzSuggestSnippet: any example text → aireport --suggest snippet →
// the rule file parses and holds exactly the suggested rules, each with
// the suggested pattern, which still matches the example.
func FuzzSuggestSnippet(f *testing.F) {
	for _, c := range suggestCorners {
		f.Add(c, false)
		f.Add(c, true)
	}
	f.Fuzz(func(t *testing.T, text string, exact bool) {
		opt := Options{Header: HeaderAuto, Grouping: GroupTemplates, Masker: Masker{Builtin: true}}
		if exact {
			opt = Options{Header: HeaderNone, Grouping: GroupExact}
		}
		in := "Nov 22 10:00:01 vm app[1]: " + text + "\n"
		if exact {
			in = text + "\n"
		}
		agg := NewAggregator(opt)
		var ctr Counters
		if _, errs := Collect(context.Background(), []Source{{Name: "in", Category: "c", Stdin: strings.NewReader(in)}}, agg, &ctr, 0); len(errs) > 0 {
			t.Fatal(errs)
		}
		r := agg.Build(nil, false, time.Unix(0, 0))
		for _, count := range []bool{false, true} {
			sg := Suggester{Count: count}
			sugg, _ := sg.Suggest(r, 10)
			var file strings.Builder
			file.WriteString("categories:\n  - name: c\n    rules:\n")
			for _, s := range sugg {
				file.WriteString(s.YAML)
			}
			if len(sugg) == 0 {
				file.WriteString("      - {name: placeholder, substring: x}\n")
			}
			set, err := rules.Parse("suggest.yaml", []byte(file.String()))
			if err != nil {
				t.Fatalf("snippet does not parse: %v\n%s", err, file.String())
			}
			var doc struct {
				Categories []struct {
					Rules []map[string]any `yaml:"rules"`
				} `yaml:"categories"`
			}
			if err := yaml.Unmarshal([]byte(file.String()), &doc); err != nil {
				t.Fatal(err)
			}
			if len(sugg) == 0 {
				continue
			}
			got := doc.Categories[0].Rules
			if len(set.Categories) != 1 || len(set.Categories[0].Rules) != len(sugg) || len(got) != len(sugg) {
				t.Fatalf("%d suggestions, the file holds %d rules:\n%s", len(sugg), len(got), file.String())
			}
			for i, s := range sugg {
				want := map[string]any{"name": s.Name, "pattern": s.Pattern, "ignore": true}
				if count {
					want = map[string]any{"name": s.Name, "pattern": s.Pattern, "count": strings.ReplaceAll(s.Name, "-", "_")}
				}
				if len(got[i]) != len(want) {
					t.Fatalf("rule %d = %v, want %v", i, got[i], want)
				}
				for k, v := range want {
					if got[i][k] != v {
						t.Fatalf("rule %d: %s = %#v, want %#v\n%s", i, k, got[i][k], v, file.String())
					}
				}
				if set.Categories[0].Rules[i].Name != s.Name {
					t.Fatalf("rule %d named %q, want %q", i, set.Categories[0].Rules[i].Name, s.Name)
				}
			}
		}
	})
}

// Each corner is refused (C0 and C1 controls make a "binary" template) or
// gives a snippet in which no line of the snippet comes from the log but the comment and the
// pattern.
func TestSuggestCornersStayInside(t *testing.T) {
	for _, c := range suggestCorners {
		agg := NewAggregator(Options{Header: HeaderNone, Grouping: GroupExact})
		var ctr Counters
		if _, errs := Collect(context.Background(), []Source{{Name: "in", Category: "c", Stdin: strings.NewReader(c + "\n")}}, agg, &ctr, 0); len(errs) > 0 {
			t.Fatal(errs)
		}
		sugg, skipped := (&Suggester{}).Suggest(agg.Build(nil, false, time.Unix(0, 0)), 5)
		refused := strings.ContainsFunc(c, func(r rune) bool { return r < 0x20 && r != '\t' || r >= 0x7f && r <= 0x9f || r == utf8.RuneError })
		if refused {
			if len(sugg) != 0 {
				t.Errorf("%q: suggested %q", c, sugg[0].YAML)
			}
			continue
		}
		if len(sugg) == 0 {
			t.Errorf("%q: no suggestion (%v)", c, skipped)
			continue
		}
		for _, s := range sugg {
			lines := strings.Split(strings.TrimSuffix(s.YAML, "\n"), "\n")
			if len(lines) != 4 || !strings.HasPrefix(lines[0], "      # aireport: ") || !strings.HasPrefix(lines[1], "      - name: ai_") ||
				!strings.HasPrefix(lines[2], "        pattern: '") || lines[3] != "        ignore: true" {
				t.Errorf("%q: snippet is not comment, name, pattern, ignore:\n%s", c, s.YAML)
			}
			for _, bad := range []string{"\r", "\u0085", "\u2028", "\u2029", "\x00", "\ufeff"} {
				if strings.Contains(s.YAML, bad) {
					t.Errorf("%q: snippet holds %q:\n%s", c, bad, s.YAML)
				}
			}
		}
	}
}
