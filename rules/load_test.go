package rules

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name string
		src  string
		want []string // exact error lines, in order
	}{
		{
			name: "many errors at once",
			src: `categories:
  - name: asa
    match:
      program: "%ASA-*"
      severity: "<=warnin"
      facility: [local4, 24]
    unknown: keep
    rules:
      - name: url
        pattern: 'Accessed URL (?P<server>[^/ ]+)(?P<path>[^? ]+)'
        count: http_connections
        top: {urls: "${srv}${path}"}
        cont: true
      - name: url
        pattern: 'broken (['
      - name: nothing
        count: x
      - name: ign
        substring: "Built outbound"
        ignore: true
        count: built
  - name: asa
    forecast: {alpha: 1.5, model: cubic, threshold: 10, window: 9, period: 1}
`,
			want: []string{
				`r.yaml:5:17: category "asa": match severity: unknown severity "warnin" (want a name like warning or a number 0-7, optionally after <=, >=, < or >)`,
				`r.yaml:6:26: category "asa": match facility: unknown facility "24" (want a name like local4 or a number 0-23)`,
				`r.yaml:7:14: category "asa": "unknown" must be spool or drop, got "keep"`,
				`r.yaml:12:21: category "asa": rule "url": template references unknown capture "srv"`,
				`r.yaml:13:9: category "asa": rule "url": unknown key "cont" (did you mean "continue"?)`,
				`r.yaml:14:15: category "asa": duplicate rule name "url" (first at 9:15)`,
				`r.yaml:15:18: category "asa": rule "url": bad pattern: error parsing regexp: missing closing ]: ` + "`[`",
				`r.yaml:16:9: category "asa": rule "nothing": needs a "substring" or a "pattern" (or both)`,
				`r.yaml:21:9: category "asa": rule "ign": "ignore: true" excludes "count"`,
				`r.yaml:22:11: duplicate category name "asa" (first at 2:11)`,
				`r.yaml:23:23: category "asa": forecast: "alpha" must be strictly between 0 and 1, got 1.5`,
				`r.yaml:23:35: category "asa": forecast: "model" must be additive or multiplicative, got "cubic"`,
				`r.yaml:23:53: category "asa": forecast: threshold (10) must not exceed window (9)`,
				`r.yaml:23:76: category "asa": forecast: "period" must be between 2 and 527040, got 1`,
			},
		},
		{
			name: "types and names",
			src: `masks:
  - {name: Session, pattern: 'x(', replace: y}
  - {name: s2, pattern: 'x'}
categories:
  - name: web
    rules:
      - name: r1
        pattern: '(?P<bytes>\d+) (?P<ip>\S+)'
        count: [hits, hits, lines, Bad]
        ignore: "yes"
        stats: {size: "${bytes} b", size2: "${ip}"}
        distinct: {ips: {key: "${ip}", exact: -1, extra: 1}}
      - name: r2
        substring: ""
        top: {ips: "${ip}", tops: {k: 5}}
        stats: {size2: "${zz}"}
        distinct: {bad: "$x"}
  - name: web2
    rules: {}
`,
			want: []string{
				`r.yaml:2:12: mask name "Session" must match [a-z0-9_]+`,
				`r.yaml:2:30: mask: bad pattern: error parsing regexp: missing closing ): ` + "`x(`",
				`r.yaml:3:5: mask "s2": missing key "replace"`,
				`r.yaml:9:23: category "web": rule "r1": counter "hits" listed twice`,
				`r.yaml:9:29: category "web": rule "r1": counter name "lines" is reserved for a built-in summary value`,
				`r.yaml:9:36: category "web": rule "r1": counter name "Bad" must match [a-z0-9_]+`,
				`r.yaml:10:17: category "web": rule "r1": "ignore" must be true or false, got string "yes"`,
				`r.yaml:11:23: category "web": rule "r1": stats "size": template must be exactly one capture, like "${bytes}", got "${bytes} b"`,
				`r.yaml:12:47: category "web": rule "r1": distinct "ips": "exact" must be between 0 and 65536, got -1`,
				`r.yaml:12:51: category "web": rule "r1": unknown key "extra" in distinct "ips"`,
				`r.yaml:14:20: category "web": rule "r2": "substring" must not be empty`,
				`r.yaml:15:20: category "web": rule "r2": template references capture "ip" but the rule has no pattern`,
				`r.yaml:15:35: category "web": rule "r2": top "tops": missing key "key"`,
				`r.yaml:16:17: category "web": rule "r2": duplicate stats name "size2" in this category (first at 11:37)`,
				`r.yaml:17:25: category "web": rule "r2": distinct "bad": bad template "$x": a lone $ at offset 0 (write ${name} for a capture, $$ for a dollar)`,
				`r.yaml:19:12: category "web2": "rules" must be a list, got a mapping`,
			},
		},
		{
			name: "yaml syntax",
			src:  "categories:\n  - name: a\n   bad: [\n",
			want: []string{`r.yaml:2:1: yaml syntax: did not find expected '-' indicator (in the collection starting on this line)`},
		},
		{
			name: "empty",
			src:  "",
			want: []string{`r.yaml:1:1: empty rule file: no categories`},
		},
		{
			name: "top level",
			src:  "category: []\nmasks: x\n",
			want: []string{
				`r.yaml:1:1: unknown key "category" in the rule file (did you mean "categories"?)`,
				`r.yaml:1:1: missing key "categories"`,
				`r.yaml:2:8: "masks" must be a list, got string "x"`,
			},
		},
		{
			name: "aliases",
			src:  "categories:\n  - &a {name: a}\n  - *a\n",
			want: []string{`r.yaml:3:5: YAML aliases (*a) are not supported in rule files`},
		},
		{
			name: "duplicate keys and top files",
			src: `categories:
  - name: a
    name: b
    rules:
      - {name: r, pattern: '(?P<x>.)', top: {t: {key: "${x}", file: same}}}
  - name: c
    rules:
      - {name: r, pattern: '(?P<x>.)', top: {t: {key: "${x}", file: same}, u: {key: "${x}", file: ../etc}}}
`,
			want: []string{
				`r.yaml:3:5: category "a": duplicate key "name" in category (first at 2:5)`,
				`r.yaml:8:69: category "c": rule "r": top "t": file "same" already used (at 5:69)`,
				`r.yaml:8:99: category "c": rule "r": top "u": file "../etc" must be a plain file name ([A-Za-z0-9_.-], no directory)`,
			},
		},
		{
			// What summarize used to start with and then mishandle: a
			// reserved category, colliding output names, limits clamped in
			// silence, forecast parameters the RRD output refused.
			name: "names, limits and forecast summarize could not honour",
			src: `categories:
  - name: logtally
  - name: _uncategorized
  - name: web
    forecast: {delta_pos: 0.05}
    rules:
      - name: r1
        pattern: 'user (?P<u>\S+)'
        count: [users_total, _lines, ips_distinct]
        top: {users: "${u}", big: {key: "${u}", k: 100000}}
        distinct: {ips: "${u}", many: {key: "${u}", exact: 1000000}}
        stats: {n: "${u}"}
      - name: r2
        pattern: 'n=(?P<n>\d+)'
        count: n_p95
`,
			want: []string{
				`r.yaml:2:11: category name "logtally" is reserved ("logtally" is summarize's own category, names starting with "_" are its spool's)`,
				`r.yaml:3:11: category name "_uncategorized" is reserved ("logtally" is summarize's own category, names starting with "_" are its spool's)`,
				`r.yaml:5:27: category "web": forecast: "delta_pos" must be between 0.1 and 1e+06, got 0.05`,
				`r.yaml:9:30: category "web": rule "r1": counter "_lines": output name "_lines" is the RRD output's built-in series`,
				`r.yaml:10:15: category "web": rule "r1": top "users": output name "users_total" is already counter "users_total"'s (at 9:17)`,
				`r.yaml:10:52: category "web": rule "r1": top "big": "k" must be between 1 and 65536, got 100000`,
				`r.yaml:11:20: category "web": rule "r1": distinct "ips": output name "ips_distinct" is already counter "ips_distinct"'s (at 9:38)`,
				`r.yaml:11:60: category "web": rule "r1": distinct "many": "exact" must be between 0 and 65536, got 1000000`,
				`r.yaml:15:16: category "web": rule "r2": counter "n_p95": output name "n_p95" is already stats "n"'s (at 12:17)`,
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := Parse("r.yaml", []byte(tt.src))
			if err == nil {
				t.Fatalf("Parse succeeded: %+v", s)
			}
			var list ErrorList
			if !errors.As(err, &list) {
				t.Fatalf("error %T is not an ErrorList: %v", err, err)
			}
			if !errors.Is(err, ErrInvalid) {
				t.Errorf("errors.Is(err, ErrInvalid) = false")
			}
			got := strings.Split(err.Error(), "\n")
			if strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
				t.Errorf("errors:\n got: %s\nwant: %s", strings.Join(got, "\n      "), strings.Join(tt.want, "\n      "))
			}
		})
	}
}

const asaRules = `masks:
  - {name: session, pattern: 'session [0-9a-f]+', replace: 'session <ID>'}
categories:
  - name: asa
    match: {program: "%ASA-*"}
    forecast: {period: 10080, model: multiplicative, window: 12}
    rules:
      - name: url
        substring: "Accessed URL"
        pattern: 'Accessed URL (?P<server>[^/ ]+)(?P<path>[^? ]+)'
        count: http_connections
        top:
          urls: {key: "${server}${path}", k: 5000, file: urlcount}
          servers: {key: "${server}", k: 1000, file: servercount}
        distinct: {urls_accessed: "${server}${path}", servers_accessed: {key: "${server}", exact: 50}}
      - name: built
        pattern: 'Built (?:inbound|outbound) TCP connection'
        ignore: true
      - name: bytes
        pattern: 'Teardown TCP connection \d+ .* bytes (?P<bytes>\d+)'
        count: [teardowns, http_connections]
        stats: {bytes: "${bytes}"}
        continue: true
  - name: rest
`

func TestParseSchema(t *testing.T) {
	s, err := Parse("asa.yaml", []byte(asaRules))
	if err != nil {
		t.Fatal(err)
	}
	if s.Path != "asa.yaml" || len(s.Masks) != 1 || s.Masks[0].Replace != "session <ID>" {
		t.Errorf("set: %+v", s)
	}
	c := s.Categories[0]
	sc := c.Schema
	if sc.Category != "asa" || strings.Join(sc.Counters, ",") != "http_connections,teardowns" ||
		len(sc.Tops) != 2 || sc.Tops[0].Name != "urls" || sc.Tops[0].K != 5000 || sc.Tops[1].K != 1000 ||
		len(sc.Distincts) != 2 || sc.Distincts[0].Exact != 1000 || sc.Distincts[1].Exact != 50 ||
		strings.Join(sc.Stats, ",") != "bytes" {
		t.Errorf("schema: %+v", sc)
	}
	if len(c.TopFiles) != 2 || c.TopFiles[0] != (TopFile{0, "urlcount"}) || c.TopFiles[1] != (TopFile{1, "servercount"}) {
		t.Errorf("top files: %+v", c.TopFiles)
	}
	want := DefaultForecast
	want.Period, want.Multiplicative, want.Window = 10080, true, 12
	if c.Forecast != want {
		t.Errorf("forecast: %+v", c.Forecast)
	}
	r := c.Rules[2]
	if r.Name != "bytes" || r.Line != 19 || !r.Continue || len(r.Counters) != 2 || r.Counters[0] != 1 || r.Counters[1] != 0 {
		t.Errorf("rule: %+v", r)
	}
	if !c.Rules[1].Ignore || c.Unknown != UnknownSpool {
		t.Errorf("ignore/unknown")
	}
	if s.Categories[1].Forecast != DefaultForecast || s.Categories[1].Index != 1 {
		t.Errorf("defaults: %+v", s.Categories[1])
	}
}

func TestLoad(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "rules.yaml")
	if err := os.WriteFile(p, []byte(asaRules), 0o644); err != nil {
		t.Fatal(err)
	}
	s, err := Load(p)
	if err != nil || s.Path != p {
		t.Fatalf("Load: %v", err)
	}
	if _, err := Load(filepath.Join(dir, "missing.yaml")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing file: %v", err)
	}
	if err := os.WriteFile(p, []byte("categories: [{name: x, bogus: 1}]"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err = Load(p)
	if err == nil || !strings.HasPrefix(err.Error(), p+":1:24: ") {
		t.Errorf("Load error position: %v", err)
	}
}

func TestSuggest(t *testing.T) {
	for key, want := range map[string]string{
		"cont": "continue", "pattren": "pattern", "substr": "substring", "ignor": "ignore", "zzzzzz": "",
	} {
		got := suggest(key, ruleKeys)
		if (want == "") != (got == "") || want != "" && !strings.Contains(got, `"`+want+`"`) {
			t.Errorf("suggest(%q) = %q, want %q", key, got, want)
		}
	}
}
