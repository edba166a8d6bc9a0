package rules

import (
	"fmt"
	"strings"
	"testing"

	"github.com/logtally/logtally/parsers"
)

var (
	benchVerbs = []string{"Built", "Teardown", "Deny", "Denied", "Accepted", "Failed", "Rejected", "Dropped",
		"Closed", "Opened", "Started", "Stopped", "Received", "Sent", "Reset", "Timeout"}
	benchNouns = []string{"inbound TCP connection", "outbound UDP flow", "ICMP echo", "session for user",
		"password for", "publickey for", "NAT translation", "local-host", "VPN tunnel", "IKE SA",
		"AAA request", "access-list", "xlate", "route", "interface", "certificate", "DHCP lease",
		"DNS query", "HTTP request", "SSL handshake", "failover link", "cluster unit", "IPsec SA",
		"group policy", "management session", "SNMP trap", "syslog server", "NTP peer", "license",
		"threat detection", "botnet filter", "ARP entry"}
)

// benchRules returns a realistic category of n rules: distinct literal
// phrases, a quarter with captures feeding top/distinct, a quarter count
// only, a quarter ignore, the rest claim-only. Rule 0 is the article's URL
// rule; the last rule counts "Teardown TCP connection".
func benchRules(n int) string {
	var b strings.Builder
	b.WriteString("categories:\n  - name: other\n    match: {program: sshd}\n  - name: asa\n    match: {program: \"%ASA-*\"}\n    rules:\n")
	b.WriteString("      - name: url\n        pattern: 'Accessed URL (?P<server>[^/ ]+)(?P<path>[^? ]+)'\n        count: http_connections\n        top: {urls: '${server}${path}', servers: '${server}'}\n")
	for i := 1; i < n-1; i++ {
		v, nn := benchVerbs[i%len(benchVerbs)], benchNouns[(i/len(benchVerbs))%len(benchNouns)]
		fmt.Fprintf(&b, "      - name: r%d\n", i)
		switch i % 4 {
		case 0:
			fmt.Fprintf(&b, "        pattern: '%s %s (?P<id>\\d+) for (?P<src>\\S+) v%d'\n        top: {top%d: '${src}'}\n        count: c%d\n", v, nn, i, i, i)
		case 1:
			fmt.Fprintf(&b, "        pattern: '%s %s \\d+ v%d\\b'\n        count: c%d\n", v, nn, i, i)
		case 2:
			fmt.Fprintf(&b, "        substring: '%s %s v%d '\n        ignore: true\n", v, nn, i)
		default:
			fmt.Fprintf(&b, "        pattern: '^%s %s .* v%d$'\n", v, nn, i)
		}
	}
	b.WriteString("      - name: teardown\n        substring: 'Teardown TCP connection'\n        count: teardowns\n")
	return b.String()
}

var benchMessages = []struct{ name, msg string }{
	{"url_caps", "10.1.2.3 Accessed URL 93.184.216.34:/index.html?q=1"},
	{"last_nocaps", "Teardown TCP connection 4711 for outside:10.0.0.1/443 to inside:192.168.1.5/51234 duration 0:00:01 bytes 5120 TCP FINs"},
	{"unmatched", "Deny inbound TCP connection 55 for outside:203.0.113.9/4444 to inside:10.1.1.1/22 flags SYN on interface outside v99999"},
	{"unmatched_long", strings.Repeat("AAA request denied by server group radius for user someone@example.com ", 4)},
}

func BenchmarkMatch(b *testing.B) {
	for _, n := range []int{10, 100, 500} {
		s, err := Parse("bench.yaml", []byte(benchRules(n)))
		if err != nil {
			b.Fatal(err)
		}
		for _, bm := range benchMessages {
			b.Run(fmt.Sprintf("rules=%d/%s", n, bm.name), func(b *testing.B) {
				m := s.NewMatcher()
				rec := &parsers.Record{Program: []byte("%ASA-6-302014"), Host: []byte("fw1"), Facility: 20, Severity: 6, Message: []byte(bm.msg)}
				key := make([]byte, 0, 256)
				b.SetBytes(int64(len(bm.msg)))
				b.ReportAllocs()
				for b.Loop() {
					c := m.Categorize(rec)
					for i := m.Match(c, rec, 0); i >= 0; i = m.Match(c, rec, i+1) {
						r := s.Categories[c].Rules[i]
						for _, a := range r.Tops {
							key = m.AppendKey(key[:0], a.Key)
						}
						if !r.Continue {
							break
						}
					}
				}
			})
		}
	}
}

func TestBenchRulesMatch(t *testing.T) {
	for _, n := range []int{10, 100, 500} {
		s := mustParse(t, benchRules(n))
		m := s.NewMatcher()
		want := map[string]string{"url_caps": "url", "last_nocaps": "teardown", "unmatched": "", "unmatched_long": ""}
		for _, bm := range benchMessages {
			rec := &parsers.Record{Program: []byte("%ASA-6-302014"), Message: []byte(bm.msg)}
			c := m.Categorize(rec)
			if c != 1 {
				t.Fatalf("category %d", c)
			}
			got := ""
			if i := m.Match(c, rec, 0); i >= 0 {
				got = s.Categories[c].Rules[i].Name
			}
			if got != want[bm.name] || naiveMatch(s.Categories[c], rec.Message, 0) != m.Match(c, rec, 0) {
				t.Errorf("n=%d %s: got rule %q, want %q", n, bm.name, got, want[bm.name])
			}
		}
	}
}
