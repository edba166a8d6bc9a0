package rules

import (
	"errors"
	"testing"

	"github.com/logtally/logtally/parsers"
)

// FuzzParse: the loader never panics, and either returns a usable Set or an
// ErrorList whose every entry has a position.
func FuzzParse(f *testing.F) {
	f.Add([]byte(asaRules))
	f.Add([]byte("categories: [{name: a, rules: [{name: r, pattern: 'x(?P<y>.)', top: {t: '${y}'}}]}]"))
	f.Add([]byte("categories:\n  - name: a\n   bad: [\n"))
	f.Add([]byte("&a [*a]"))
	f.Add([]byte("categories: [{name: a, match: {severity: '<=warning', facility: [local4, 3]}, forecast: {window: 3}}]"))
	f.Add([]byte("---\n---\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := Parse("f.yaml", data)
		if err != nil {
			var list ErrorList
			if !errors.As(err, &list) || len(list) == 0 {
				t.Fatalf("error is not a non-empty ErrorList: %v", err)
			}
			for _, e := range list {
				if e.Line < 1 || e.Col < 1 || e.File != "f.yaml" || e.Msg == "" {
					t.Fatalf("bad error entry %+v", e)
				}
			}
			return
		}
		m := s.NewMatcher()
		r := &parsers.Record{Program: data, Host: data, Message: data, Facility: 1, Severity: 1}
		if c := m.Categorize(r); c >= 0 {
			for i := m.Match(c, r, 0); i >= 0; i = m.Match(c, r, i+1) {
				for _, a := range s.Categories[c].Rules[i].Tops {
					m.AppendKey(nil, a.Key)
				}
			}
		}
	})
}
