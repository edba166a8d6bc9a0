package rules

import (
	"os"
	"strings"
	"testing"

	"github.com/logtally/logtally/parsers"
)

// TestDocsExample parses the full example of docs/rules.md and runs the
// article's ASA line through it.
func TestDocsExample(t *testing.T) {
	data, err := os.ReadFile("../docs/rules.md")
	if err != nil {
		t.Fatal(err)
	}
	_, rest, ok := strings.Cut(string(data), "```yaml\n")
	if !ok {
		t.Fatal("no yaml block in docs/rules.md")
	}
	src, _, _ := strings.Cut(rest, "```")
	s, err := Parse("docs/rules.md", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	m := s.NewMatcher()
	r := &parsers.Record{Program: []byte("%ASA-5-304001"), Message: []byte("10.1.1.1 Accessed URL 192.0.2.7:/index.html")}
	c := m.Categorize(r)
	if c != 0 {
		t.Fatalf("category %d", c)
	}
	i := m.Match(c, r, 0)
	if i != 0 {
		t.Fatalf("rule %d", i)
	}
	rule := s.Categories[c].Rules[i]
	var got []string
	for _, a := range rule.Tops {
		got = append(got, string(m.AppendKey(nil, a.Key)))
	}
	if strings.Join(got, " ") != "192.0.2.7:/index.html 192.0.2.7:" {
		t.Errorf("keys %q", got)
	}
	if tf := s.Categories[0].TopFiles; len(tf) != 2 || tf[0].Name != "urlcount" || tf[1].Name != "servercount" {
		t.Errorf("top files %+v", tf)
	}
	if got := m.Match(c, &parsers.Record{Message: []byte("Built outbound TCP connection 1 for x")}, 0); got != 1 {
		t.Errorf("built: %d", got)
	}
}
