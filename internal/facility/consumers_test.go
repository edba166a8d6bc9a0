package facility_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/logtally/logtally/internal/facility"
	"github.com/logtally/logtally/internal/syslogpri"
	"github.com/logtally/logtally/parsers"
	"github.com/logtally/logtally/rules"
)

// Every facility and severity name means the same code in the JSON
// parser, the rule file's match block and --syslog-priority: "security"
// was 4 in two of them and 13 in the syslog output, which also refused
// "audit" and "alert".
func TestOneTableEverywhere(t *testing.T) {
	p := parsers.New(func() time.Time { return time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC) }, time.UTC)
	for _, name := range facility.Names() {
		want, ok := facility.Code(name)
		if !ok {
			t.Fatalf("%s: not in the table", name)
		}
		t.Run(name, func(t *testing.T) {
			var rec parsers.Record
			line := fmt.Sprintf(`{"timereported":"2026-11-22T10:00:00Z","hostname":"h","programname":"p","syslogfacility-text":%q,"syslogseverity-text":"info","msg":"m"}`, name)
			if err := p.Parse([]byte(line), &rec); err != nil {
				t.Fatal(err)
			}
			if int(rec.Facility) != want {
				t.Errorf("parser: facility %d, want %d", rec.Facility, want)
			}
			set, err := rules.Parse("r.yaml", []byte(fmt.Sprintf("categories:\n  - name: c\n    match: {facility: %s}\n", name)))
			if err != nil {
				t.Fatalf("rules: %v", err)
			}
			if got := set.NewMatcher().Categorize(&rec); got != 0 {
				t.Errorf("rules: facility %s does not match a line of facility %s", name, name)
			}
			pri, err := syslogpri.Parse(name + ".info")
			if err != nil {
				t.Fatalf("syslog output: %v", err)
			}
			if pri != want*8+6 {
				t.Errorf("syslog output: PRI %d, want %d", pri, want*8+6)
			}
		})
	}
	for _, name := range facility.SeverityNamesAll() {
		want, _ := facility.SeverityCode(name)
		var rec parsers.Record
		line := fmt.Sprintf(`{"timereported":"2026-11-22T10:00:00Z","hostname":"h","programname":"p","syslogseverity-text":%q,"msg":"m"}`, name)
		if err := p.Parse([]byte(line), &rec); err != nil || int(rec.Severity) != want {
			t.Errorf("parser: severity %s = %d (err %v), want %d", name, rec.Severity, err, want)
		}
		if _, err := rules.Parse("r.yaml", []byte(fmt.Sprintf("categories:\n  - name: c\n    match: {severity: %s}\n", name))); err != nil {
			t.Errorf("rules: severity %s: %v", name, err)
		}
		if pri, err := syslogpri.Parse("user." + name); err != nil || pri != 8+want {
			t.Errorf("syslog output: user.%s = %d, %v; want %d", name, pri, err, 8+want)
		}
	}
}

func TestNames(t *testing.T) {
	for c := range 24 {
		if got, ok := facility.Code(facility.Name(c)); !ok || got != c {
			t.Errorf("Code(Name(%d)) = %d, %v", c, got, ok)
		}
	}
	for _, in := range []string{"", "nope", "local8", "LOCAL0x", "averyveryverylongname"} {
		if c, ok := facility.Code(in); ok {
			t.Errorf("Code(%q) = %d, want unknown", in, c)
		}
	}
	if c, _ := facility.Code("SeCuRiTy"); c != 4 {
		t.Errorf("security = %d, want 4 (auth, as rsyslog and glibc)", c)
	}
	if n := testing.AllocsPerRun(100, func() { facility.Lookup([]byte("local7")) }); n != 0 {
		t.Errorf("Lookup allocates %v times", n)
	}
}
