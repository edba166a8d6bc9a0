package parsers

import (
	"fmt"
	"testing"
	"time"
)

var benchLines = []struct{ name, line string }{
	{"traditional-file", `Nov 22 01:37:32 vm myapp[29808]: disk "sda" at 91% full`},
	{"file", `2026-11-22T01:37:32.195671+00:00 vm myapp[29808]: disk "sda" at 91% full`},
	{"syslog-protocol23", `<156>1 2026-11-22T01:37:32.195671+00:00 vm myapp 29808 - -  disk "sda" at 91% full`},
	{"syslog-protocol23-sd", `<165>1 2026-11-22T01:37:32.003Z mymachine.example.com evntslog - ID47 [exampleSDID@32473 iut="3" eventSource="Application" eventID="1011"] An application event log entry`},
	{"traditional-forward", `<156>Nov 22 01:37:32 vm myapp[29808]: disk "sda" at 91% full`},
	{"forward", `<156>2026-11-22T01:37:32.195671+00:00 vm myapp[29808]: disk "sda" at 91% full`},
	{"cisco", `<166>Nov 22 01:37:32 fw1 %ASA-5-304001: 10.0.0.1 Accessed URL 10.0.0.2:/index.html`},
	{"json", `{"msg":" disk \"sda\" at 91% full","rawmsg":"<156>Nov 22 01:37:32 myapp[29808]: disk \"sda\" at 91% full","timereported":"2026-11-22T01:37:32.195671+00:00","hostname":"vm","syslogtag":"myapp[29808]:","inputname":"imuxsock","fromhost":"vm","fromhost-ip":"127.0.0.1","pri":"156","syslogfacility":"19","syslogseverity":"4","timegenerated":"2026-11-22T01:37:32.195671+00:00","programname":"myapp","protocol-version":"0","structured-data":"-","app-name":"myapp","procid":"29808","msgid":"-","uuid":null,"$!":{"disk":"sda","pct":91}}`},
	{"json-jsonf", `{"timestamp":"2026-11-22T01:37:32.195671+00:00","host":"vm","program":"myapp","pid":"29808","severity":"4","facility":"19","message":"disk sda at 91% full"}`},
}

func BenchmarkParse(b *testing.B) {
	now := func() time.Time { return defaultNow }
	for _, bl := range benchLines {
		b.Run(bl.name, func(b *testing.B) {
			p := New(now, time.UTC)
			line := []byte(bl.line)
			var rec Record
			b.ReportAllocs()
			b.SetBytes(int64(len(line)))
			for b.Loop() {
				if err := p.Parse(line, &rec); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
	// Every line a new second: the timestamp caches always miss.
	for _, style := range []struct{ name, layout string }{
		{"traditional-file-new-second", time.Stamp},
		{"file-new-second", "2006-01-02T15:04:05.000000-07:00"},
	} {
		b.Run(style.name, func(b *testing.B) {
			p := New(now, time.UTC)
			lines := make([][]byte, 1024)
			for i := range lines {
				ts := defaultNow.Add(time.Duration(i) * time.Second).Format(style.layout)
				lines[i] = fmt.Appendf(nil, "%s vm myapp[29808]: disk \"sda\" at 91%% full", ts)
			}
			var rec Record
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				if err := p.Parse(lines[i&1023], &rec); err != nil {
					b.Fatal(err)
				}
				i++
			}
		})
	}
}
