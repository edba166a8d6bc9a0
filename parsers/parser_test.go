package parsers

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"time"
	_ "time/tzdata" // the zone tests need no system tzdata
)

// defaultNow is the injected clock of most cases: shortly after the
// DESIGN.md example line.
var defaultNow = time.Date(2026, 11, 22, 2, 0, 0, 0, time.UTC)

type want struct {
	format   Format
	time     time.Time
	fac, sev int8
	host     string
	prog     string
	pid      string
	msg      string
	err      string // substring of the error; "" = no error
}

type parseCase struct {
	name string
	line string
	now  time.Time // zero: defaultNow
	want want
}

func utc(y int, mo time.Month, d, h, mi, s, ns int) time.Time {
	return time.Date(y, mo, d, h, mi, s, ns, time.UTC)
}

const exampleMsg = `disk "sda" at 91% full`

var long = strings.Repeat("x", 100<<10)

var parseCases = []parseCase{
	// RSYSLOG_TraditionalFileFormat
	{name: "trad/example", line: `Nov 22 01:37:32 vm myapp[29808]: ` + exampleMsg,
		want: want{format: FormatTraditionalFile, time: utc(2026, 11, 22, 1, 37, 32, 0), fac: -1, sev: -1, host: "vm", prog: "myapp", pid: "29808", msg: exampleMsg}},
	{name: "trad/padded-day", line: `Nov  2 01:37:32 vm sshd[1]: Accepted publickey`,
		want: want{format: FormatTraditionalFile, time: utc(2026, 11, 2, 1, 37, 32, 0), fac: -1, sev: -1, host: "vm", prog: "sshd", pid: "1", msg: "Accepted publickey"}},
	{name: "trad/unpadded-day", line: `Nov 2 01:37:32 vm sshd[1]: x`,
		want: want{format: FormatTraditionalFile, time: utc(2026, 11, 2, 1, 37, 32, 0), fac: -1, sev: -1, host: "vm", prog: "sshd", pid: "1", msg: "x"}},
	{name: "trad/fraction", line: `Nov 22 01:37:32.250 vm a: x`,
		want: want{format: FormatTraditionalFile, time: utc(2026, 11, 22, 1, 37, 32, 250e6), fac: -1, sev: -1, host: "vm", prog: "a", msg: "x"}},
	{name: "trad/no-pid", line: `Nov 22 01:37:32 vm CRON: (root) CMD (run-parts)`,
		want: want{format: FormatTraditionalFile, time: utc(2026, 11, 22, 1, 37, 32, 0), fac: -1, sev: -1, host: "vm", prog: "CRON", msg: "(root) CMD (run-parts)"}},
	{name: "trad/no-tag", line: `Nov 22 01:37:32 vm -- MARK --`,
		want: want{format: FormatTraditionalFile, time: utc(2026, 11, 22, 1, 37, 32, 0), fac: -1, sev: -1, host: "vm", msg: "-- MARK --"}},
	{name: "trad/no-tag-bracket", line: `Nov 22 01:37:32 vm [INFO] started`,
		want: want{format: FormatTraditionalFile, time: utc(2026, 11, 22, 1, 37, 32, 0), fac: -1, sev: -1, host: "vm", msg: "[INFO] started"}},
	{name: "trad/colon-only", line: `Nov 22 01:37:32 vm : odd`,
		want: want{format: FormatTraditionalFile, time: utc(2026, 11, 22, 1, 37, 32, 0), fac: -1, sev: -1, host: "vm", msg: ": odd"}},
	{name: "trad/pid-no-colon", line: `Nov 22 01:37:32 vm myapp[12] hello`,
		want: want{format: FormatTraditionalFile, time: utc(2026, 11, 22, 1, 37, 32, 0), fac: -1, sev: -1, host: "vm", prog: "myapp", pid: "12", msg: "hello"}},
	{name: "trad/cisco", line: `Nov 22 01:37:32 fw1 %ASA-5-304001: 10.0.0.1 Accessed URL 10.0.0.2:/index.html`,
		want: want{format: FormatTraditionalFile, time: utc(2026, 11, 22, 1, 37, 32, 0), fac: -1, sev: -1, host: "fw1", prog: "%ASA-5-304001", msg: "10.0.0.1 Accessed URL 10.0.0.2:/index.html"}},
	{name: "trad/slash-tag", line: `Nov 22 01:37:32 mx postfix/smtpd[123]: connect from unknown[10.0.0.1]`,
		want: want{format: FormatTraditionalFile, time: utc(2026, 11, 22, 1, 37, 32, 0), fac: -1, sev: -1, host: "mx", prog: "postfix/smtpd", pid: "123", msg: "connect from unknown[10.0.0.1]"}},
	{name: "trad/kernel", line: `Nov 22 01:37:32 vm kernel: [ 12.345] eth0: link up`,
		want: want{format: FormatTraditionalFile, time: utc(2026, 11, 22, 1, 37, 32, 0), fac: -1, sev: -1, host: "vm", prog: "kernel", msg: "[ 12.345] eth0: link up"}},
	{name: "trad/escaped-lf", line: `Nov 22 01:37:32 vm app: line1#012line2`,
		want: want{format: FormatTraditionalFile, time: utc(2026, 11, 22, 1, 37, 32, 0), fac: -1, sev: -1, host: "vm", prog: "app", msg: "line1#012line2"}},
	{name: "trad/two-spaces-after-colon", line: `Nov 22 01:37:32 vm app:  indented`,
		want: want{format: FormatTraditionalFile, time: utc(2026, 11, 22, 1, 37, 32, 0), fac: -1, sev: -1, host: "vm", prog: "app", msg: " indented"}},
	{name: "trad/empty-msg", line: `Nov 22 01:37:32 vm app:`,
		want: want{format: FormatTraditionalFile, time: utc(2026, 11, 22, 1, 37, 32, 0), fac: -1, sev: -1, host: "vm", prog: "app"}},
	{name: "trad/host-only", line: `Nov 22 01:37:32 vm`,
		want: want{format: FormatTraditionalFile, time: utc(2026, 11, 22, 1, 37, 32, 0), fac: -1, sev: -1, host: "vm"}},
	{name: "trad/lowercase-month", line: `nov 22 01:37:32 vm a: b`,
		want: want{format: FormatTraditionalFile, time: utc(2026, 11, 22, 1, 37, 32, 0), fac: -1, sev: -1, host: "vm", prog: "a", msg: "b"}},
	{name: "trad/invalid-utf8", line: "Nov 22 01:37:32 vm app: \xff\xfe\x00bin",
		want: want{format: FormatTraditionalFile, time: utc(2026, 11, 22, 1, 37, 32, 0), fac: -1, sev: -1, host: "vm", prog: "app", msg: "\xff\xfe\x00bin"}},
	{name: "trad/100KiB", line: `Nov 22 01:37:32 vm app: ` + long,
		want: want{format: FormatTraditionalFile, time: utc(2026, 11, 22, 1, 37, 32, 0), fac: -1, sev: -1, host: "vm", prog: "app", msg: long}},

	// Year inference.
	{name: "year/dec-seen-in-jan", line: `Dec 31 23:59:50 vm a: b`, now: utc(2027, 1, 1, 0, 0, 30, 0),
		want: want{format: FormatTraditionalFile, time: utc(2026, 12, 31, 23, 59, 50, 0), fac: -1, sev: -1, host: "vm", prog: "a", msg: "b"}},
	{name: "year/jan-seen-in-dec", line: `Jan  1 00:00:01 vm a: b`, now: utc(2026, 12, 31, 23, 59, 59, 0),
		want: want{format: FormatTraditionalFile, time: utc(2027, 1, 1, 0, 0, 1, 0), fac: -1, sev: -1, host: "vm", prog: "a", msg: "b"}},
	{name: "year/slightly-future", line: `Feb 10 00:00:00 vm a: b`, now: utc(2027, 1, 15, 0, 0, 0, 0),
		want: want{format: FormatTraditionalFile, time: utc(2027, 2, 10, 0, 0, 0, 0), fac: -1, sev: -1, host: "vm", prog: "a", msg: "b"}},
	{name: "year/far-future-is-last-year", line: `Mar  1 00:00:00 vm a: b`, now: utc(2027, 1, 15, 0, 0, 0, 0),
		want: want{format: FormatTraditionalFile, time: utc(2026, 3, 1, 0, 0, 0, 0), fac: -1, sev: -1, host: "vm", prog: "a", msg: "b"}},
	{name: "year/feb29", line: `Feb 29 12:00:00 vm a: b`, now: utc(2027, 3, 5, 0, 0, 0, 0),
		want: want{format: FormatTraditionalFile, time: utc(2024, 2, 29, 12, 0, 0, 0), fac: -1, sev: -1, host: "vm", prog: "a", msg: "b"}},

	// Bad traditional lines.
	{name: "trad/bad-month", line: `Foo 22 01:37:32 vm a: b`, want: want{fac: -1, sev: -1, err: "bad timestamp at byte 0"}},
	{name: "trad/bad-day", line: `Nov 32 01:37:32 vm a: b`, want: want{fac: -1, sev: -1, err: "bad timestamp"}},
	{name: "trad/bad-hour", line: `Nov 22 25:37:32 vm a: b`, want: want{fac: -1, sev: -1, err: "bad timestamp"}},
	{name: "trad/truncated", line: `Nov 22 01:37`, want: want{fac: -1, sev: -1, err: "bad timestamp"}},
	{name: "trad/no-host", line: `Nov 22 01:37:32`, want: want{format: FormatTraditionalFile, time: utc(2026, 11, 22, 1, 37, 32, 0), fac: -1, sev: -1, err: "missing hostname at byte 15"}},
	{name: "trad/empty-host", line: `Nov 22 01:37:32  a: b`, want: want{format: FormatTraditionalFile, time: utc(2026, 11, 22, 1, 37, 32, 0), fac: -1, sev: -1, err: "missing hostname"}},
	{name: "trad/plain-text", line: `hello world`, want: want{fac: -1, sev: -1, err: "bad timestamp"}},

	// RSYSLOG_FileFormat
	{name: "file/example", line: `2026-11-22T01:37:32.195671+00:00 vm myapp[29808]: ` + exampleMsg,
		want: want{format: FormatFile, time: utc(2026, 11, 22, 1, 37, 32, 195671000), fac: -1, sev: -1, host: "vm", prog: "myapp", pid: "29808", msg: exampleMsg}},
	{name: "file/offset", line: `2026-11-22T03:37:32.5+02:00 vm a: b`,
		want: want{format: FormatFile, time: utc(2026, 11, 22, 1, 37, 32, 5e8), fac: -1, sev: -1, host: "vm", prog: "a", msg: "b"}},
	{name: "file/negative-offset", line: `2026-11-21T20:07:32-05:30 vm a: b`,
		want: want{format: FormatFile, time: utc(2026, 11, 22, 1, 37, 32, 0), fac: -1, sev: -1, host: "vm", prog: "a", msg: "b"}},
	{name: "file/zulu-nanos", line: `2026-11-22T01:37:32.123456789123Z vm a: b`,
		want: want{format: FormatFile, time: utc(2026, 11, 22, 1, 37, 32, 123456789), fac: -1, sev: -1, host: "vm", prog: "a", msg: "b"}},
	{name: "file/no-offset", line: `2026-11-22T01:37:32 vm a: b`,
		want: want{format: FormatFile, time: utc(2026, 11, 22, 1, 37, 32, 0), fac: -1, sev: -1, host: "vm", prog: "a", msg: "b"}},
	{name: "file/leap-day", line: `2028-02-29T00:00:00Z vm a: b`,
		want: want{format: FormatFile, time: utc(2028, 2, 29, 0, 0, 0, 0), fac: -1, sev: -1, host: "vm", prog: "a", msg: "b"}},
	{name: "file/cisco-no-tag", line: `2026-11-22T01:37:32Z fw1 %ASA-6-302013: Built outbound TCP connection`,
		want: want{format: FormatFile, time: utc(2026, 11, 22, 1, 37, 32, 0), fac: -1, sev: -1, host: "fw1", prog: "%ASA-6-302013", msg: "Built outbound TCP connection"}},
	{name: "file/bad-month", line: `2026-13-22T01:37:32Z vm a: b`, want: want{fac: -1, sev: -1, err: "bad timestamp at byte 7"}},
	{name: "file/feb-30", line: `2026-02-30T01:37:32Z vm a: b`, want: want{fac: -1, sev: -1, err: "bad timestamp"}},
	{name: "file/empty-fraction", line: `2026-11-22T01:37:32.+00:00 vm a: b`, want: want{fac: -1, sev: -1, err: "bad timestamp at byte 20"}},
	{name: "file/bad-offset", line: `2026-11-22T01:37:32+0x:00 vm a: b`, want: want{fac: -1, sev: -1, err: "bad timestamp"}},
	{name: "file/short", line: `2026-11-22`, want: want{fac: -1, sev: -1, err: "bad timestamp"}},
	{name: "file/digits", line: `12345678901234567890123`, want: want{fac: -1, sev: -1, err: "bad timestamp"}},

	// RSYSLOG_SyslogProtocol23Format
	{name: "5424/example", line: `<156>1 2026-11-22T01:37:32.195671+00:00 vm myapp 29808 - -  ` + exampleMsg,
		want: want{format: FormatSyslogProtocol23, time: utc(2026, 11, 22, 1, 37, 32, 195671000), fac: 19, sev: 4, host: "vm", prog: "myapp", pid: "29808", msg: exampleMsg}},
	{name: "5424/sd-bom", line: "<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog - ID47 [exampleSDID@32473 iut=\"3\" eventSource=\"Application\" eventID=\"1011\"] \xEF\xBB\xBFAn application event log entry",
		want: want{format: FormatSyslogProtocol23, time: utc(2003, 10, 11, 22, 14, 15, 3e6), fac: 20, sev: 5, host: "mymachine.example.com", prog: "evntslog", msg: "An application event log entry"}},
	{name: "5424/sd-escapes", line: `<13>1 2026-11-22T01:37:32Z h app 7 m [a@1 x="q\"]uo\\te" y="]"][b@2] msg [not sd]`,
		want: want{format: FormatSyslogProtocol23, time: utc(2026, 11, 22, 1, 37, 32, 0), fac: 1, sev: 5, host: "h", prog: "app", pid: "7", msg: "msg [not sd]"}},
	{name: "5424/sd-no-msg", line: `<13>1 2026-11-22T01:37:32Z h app 7 m [a@1 x="1"]`,
		want: want{format: FormatSyslogProtocol23, time: utc(2026, 11, 22, 1, 37, 32, 0), fac: 1, sev: 5, host: "h", prog: "app", pid: "7"}},
	{name: "5424/all-nil", line: `<0>1 - - - - - -`,
		want: want{format: FormatSyslogProtocol23, fac: 0, sev: 0}},
	{name: "5424/escaped-lf", line: `<14>1 2026-11-22T01:37:32+01:00 h a - - - one#012two`,
		want: want{format: FormatSyslogProtocol23, time: utc(2026, 11, 22, 0, 37, 32, 0), fac: 1, sev: 6, host: "h", prog: "a", msg: "one#012two"}},
	{name: "5424/bad-sd", line: `<13>1 - h a p m [x`, want: want{format: FormatSyslogProtocol23, fac: 1, sev: 5, host: "h", prog: "a", pid: "p", err: "bad structured data"}},
	{name: "5424/bad-sd-start", line: `<13>1 - h a p m x y`, want: want{format: FormatSyslogProtocol23, fac: 1, sev: 5, host: "h", prog: "a", pid: "p", err: "bad structured data at byte 16"}},
	{name: "5424/sd-garbage-after", line: `<13>1 - h a p m [x]y`, want: want{format: FormatSyslogProtocol23, fac: 1, sev: 5, host: "h", prog: "a", pid: "p", err: "bad structured data"}},
	{name: "5424/truncated", line: `<13>1 2026-11-22T01:37:32Z host`, want: want{format: FormatSyslogProtocol23, time: utc(2026, 11, 22, 1, 37, 32, 0), fac: 1, sev: 5, host: "host", err: "truncated header"}},
	{name: "5424/bad-ts", line: `<13>1 yesterday h a p m - x`, want: want{format: FormatSyslogProtocol23, fac: 1, sev: 5, err: "bad timestamp at byte 6"}},

	// RSYSLOG_TraditionalForwardFormat and RSYSLOG_ForwardFormat
	{name: "tradfwd/example", line: `<156>Nov 22 01:37:32 vm myapp[29808]: ` + exampleMsg,
		want: want{format: FormatTraditionalForward, time: utc(2026, 11, 22, 1, 37, 32, 0), fac: 19, sev: 4, host: "vm", prog: "myapp", pid: "29808", msg: exampleMsg}},
	{name: "tradfwd/cisco", line: `<166>Nov  2 01:37:32 fw1 %ASA-6-302013: Built`,
		want: want{format: FormatTraditionalForward, time: utc(2026, 11, 2, 1, 37, 32, 0), fac: 20, sev: 6, host: "fw1", prog: "%ASA-6-302013", msg: "Built"}},
	{name: "fwd/example", line: `<156>2026-11-22T01:37:32.195671+00:00 vm myapp[29808]: ` + exampleMsg,
		want: want{format: FormatForward, time: utc(2026, 11, 22, 1, 37, 32, 195671000), fac: 19, sev: 4, host: "vm", prog: "myapp", pid: "29808", msg: exampleMsg}},
	{name: "file/empty-tag", line: `2026-11-22T01:37:32Z vm  msg without tag`,
		want: want{format: FormatFile, time: utc(2026, 11, 22, 1, 37, 32, 0), fac: -1, sev: -1, host: "vm", msg: "msg without tag"}},
	{name: "fwd/no-tag", line: `<0>2026-11-22T01:37:32Z vm hello there`,
		want: want{format: FormatForward, time: utc(2026, 11, 22, 1, 37, 32, 0), fac: 0, sev: 0, host: "vm", msg: "hello there"}},
	{name: "pri/too-big", line: `<192>Nov 22 01:37:32 vm a: b`, want: want{fac: -1, sev: -1, err: "bad priority at byte 4"}},
	{name: "pri/empty", line: `<>Nov 22 01:37:32 vm a: b`, want: want{fac: -1, sev: -1, err: "bad priority at byte 1"}},
	{name: "pri/unterminated", line: `<13`, want: want{fac: -1, sev: -1, err: "bad priority"}},
	{name: "pri/only", line: `<13>`, want: want{fac: 1, sev: 5, err: "missing timestamp"}},
	{name: "pri/no-timestamp", line: `<13>myapp: hello`, want: want{fac: 1, sev: 5, err: "bad timestamp"}},
	{name: "pri/punct", line: `<13>#x`, want: want{fac: 1, sev: 5, err: "bad timestamp at byte 4"}},

	// JSON
	{name: "json/jsonmesg", line: `{"msg":" disk \"sda\" at 91% full","rawmsg":"<30>Nov 22 01:37:32 myapp[29808]: x","timereported":"2026-11-22T01:37:32.195671+00:00","hostname":"vm","syslogtag":"myapp[29808]:","inputname":"imuxsock","fromhost":"vm","fromhost-ip":"127.0.0.1","pri":"30","syslogfacility":"3","syslogseverity":"6","timegenerated":"2026-11-22T01:37:33.000000+00:00","programname":"myapp","protocol-version":"0","structured-data":"-","app-name":"myapp","procid":"29808","msgid":"-","uuid":null,"$!":{"msg":"nested","n":[1,{"x":"]"}]}}`,
		want: want{format: FormatJSON, time: utc(2026, 11, 22, 1, 37, 32, 195671000), fac: 3, sev: 6, host: "vm", prog: "myapp", pid: "29808", msg: exampleMsg}},
	{name: "json/aliases", line: `{ "timestamp" : "2026-11-22T01:37:32Z", "host": "vm", "program": "app", "message": "hi", "severity": 3, "facility": "local0" }`,
		want: want{format: FormatJSON, time: utc(2026, 11, 22, 1, 37, 32, 0), fac: 16, sev: 3, host: "vm", prog: "app", msg: "hi"}},
	{name: "json/rank", line: `{"message":"second","msg":"first","timegenerated":"2026-11-22T01:00:00Z","timereported":"2026-11-22T01:37:32Z"}`,
		want: want{format: FormatJSON, time: utc(2026, 11, 22, 1, 37, 32, 0), fac: -1, sev: -1, msg: "first"}},
	{name: "json/escapes", line: `{"msg":"a\"b\\c\/d\nE\u00e9\ud83d\ude00\t#012","programname":"x\u0041"}`,
		want: want{format: FormatJSON, fac: -1, sev: -1, prog: "xA", msg: "a\"b\\c/d\nEé😀\t#012"}},
	{name: "json/escaped-quotes", line: `{"a":"x\\","b":"\\\"","msg":"\\\\\"q\"","host":"h"}`,
		want: want{format: FormatJSON, fac: -1, sev: -1, host: "h", msg: `\\"q"`}},
	{name: "json/lone-surrogate", line: `{"msg":"\ud800x\udc00"}`,
		want: want{format: FormatJSON, fac: -1, sev: -1, msg: "\uFFFDx\uFFFD"}},
	{name: "json/tag-derived", line: `{"syslogtag":"postfix/smtpd[77]:","msg":"connect","syslogseverity-text":"warning","syslogfacility-text":"mail"}`,
		want: want{format: FormatJSON, fac: 2, sev: 4, prog: "postfix/smtpd", pid: "77", msg: "connect"}},
	{name: "json/pri-only", line: `{"pri":156,"msg":"x"}`,
		want: want{format: FormatJSON, fac: 19, sev: 4, msg: "x"}},
	{name: "json/epoch", line: `{"ts":1795311452.5,"msg":"x"}`,
		want: want{format: FormatJSON, time: time.Unix(1795311452, 5e8), fac: -1, sev: -1, msg: "x"}},
	{name: "json/epoch-ms", line: `{"ts":1795311452500,"msg":"x"}`,
		want: want{format: FormatJSON, time: time.Unix(1795311452, 5e8), fac: -1, sev: -1, msg: "x"}},
	{name: "json/traditional-time", line: `{"timereported":"Nov 22 01:37:32","msg":"x"}`,
		want: want{format: FormatJSON, time: utc(2026, 11, 22, 1, 37, 32, 0), fac: -1, sev: -1, msg: "x"}},
	{name: "json/bad-time", line: `{"time":"yesterday","severity":"9","msg":"x"}`,
		want: want{format: FormatJSON, fac: -1, sev: -1, msg: "x"}},
	{name: "json/empty-object", line: `{}`,
		want: want{format: FormatJSON, fac: -1, sev: -1, msg: "{}"}},
	{name: "json/truncated", line: `{"msg":`, want: want{format: FormatJSON, fac: -1, sev: -1, err: "bad JSON value at byte 7"}},
	{name: "json/unterminated-string", line: `{"msg":"abc`, want: want{format: FormatJSON, fac: -1, sev: -1, err: "bad JSON string"}},
	{name: "json/bad-escape", line: `{"msg":"a\qb"}`, want: want{format: FormatJSON, fac: -1, sev: -1, err: "bad JSON string"}},
	{name: "json/trailing", line: `{"msg":"x"} junk`, want: want{format: FormatJSON, fac: -1, sev: -1, err: "trailing data"}},
	{name: "json/brace-only", line: `{`, want: want{format: FormatJSON, fac: -1, sev: -1, err: "bad JSON key"}},
	{name: "json/array-unterminated", line: `{"a":[1,2`, want: want{format: FormatJSON, fac: -1, sev: -1, err: "bad JSON value"}},

	// Garbage.
	{name: "empty", line: ``, want: want{fac: -1, sev: -1, err: "empty line at byte 0"}},
	{name: "binary", line: "\x00\x01\x02\xff", want: want{fac: -1, sev: -1, err: "unrecognised line start"}},
	{name: "invalid-utf8-start", line: "\xc3\x28 hello", want: want{fac: -1, sev: -1, err: "unrecognised line start"}},
	{name: "100KiB-garbage", line: strings.Repeat("A", 100<<10), want: want{fac: -1, sev: -1, err: "bad timestamp"}},
}

func TestParse(t *testing.T) {
	for _, tc := range parseCases {
		t.Run(tc.name, func(t *testing.T) {
			now := tc.now
			if now.IsZero() {
				now = defaultNow
			}
			p := New(func() time.Time { return now }, time.UTC)
			var rec Record
			err := p.Parse([]byte(tc.line), &rec)
			checkRecord(t, tc.line, rec, err, tc.want)
			// Parsing again hits the timestamp caches: same result.
			var again Record
			err2 := p.Parse([]byte(tc.line), &again)
			checkRecord(t, tc.line, again, err2, tc.want)
		})
	}
}

// TestWarmParser runs every case through one parser, twice, so each line
// meets caches left by unrelated lines.
func TestWarmParser(t *testing.T) {
	p := New(func() time.Time { return defaultNow }, time.UTC)
	for range 2 {
		for _, tc := range parseCases {
			if !tc.now.IsZero() {
				continue
			}
			var rec Record
			err := p.Parse([]byte(tc.line), &rec)
			checkRecord(t, tc.line, rec, err, tc.want)
		}
	}
}

func checkRecord(t *testing.T, line string, rec Record, err error, w want) {
	t.Helper()
	if w.err == "" {
		if err != nil {
			t.Fatalf("Parse(%.80q) = %v, want no error", line, err)
		}
	} else {
		if err == nil || !strings.Contains(err.Error(), w.err) {
			t.Fatalf("Parse(%.80q) error = %v, want %q", line, err, w.err)
		}
		if !errors.Is(err, ErrMalformed) {
			t.Errorf("error %v does not wrap ErrMalformed", err)
		}
		if string(rec.Message) != line {
			t.Errorf("Message on error = %.80q, want the whole line", rec.Message)
		}
	}
	if rec.Format != w.format {
		t.Errorf("Format = %v, want %v", rec.Format, w.format)
	}
	if !rec.Time.Equal(w.time) {
		t.Errorf("Time = %v, want %v", rec.Time, w.time)
	}
	if rec.Facility != w.fac || rec.Severity != w.sev {
		t.Errorf("Facility, Severity = %d, %d, want %d, %d", rec.Facility, rec.Severity, w.fac, w.sev)
	}
	for _, f := range []struct {
		name      string
		got, want string
	}{
		{"Host", string(rec.Host), w.host},
		{"Program", string(rec.Program), w.prog},
		{"PID", string(rec.PID), w.pid},
	} {
		if f.got != f.want {
			t.Errorf("%s = %q, want %q", f.name, f.got, f.want)
		}
	}
	if w.err == "" && string(rec.Message) != w.msg {
		t.Errorf("Message = %.80q, want %.80q", rec.Message, w.msg)
	}
}

func TestParseZones(t *testing.T) {
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 11, 22, 2, 0, 0, 0, ny)
	p := New(func() time.Time { return now }, ny)
	var rec Record
	// Traditional timestamps are in loc, DST included.
	for _, tc := range []struct {
		line string
		want time.Time
	}{
		{"Nov 22 01:37:32 vm a: b", time.Date(2026, 11, 22, 6, 37, 32, 0, time.UTC)},
		{"Jul  4 12:00:00 vm a: b", time.Date(2026, 7, 4, 16, 0, 0, 0, time.UTC)},
		{"2026-07-04T12:00:00 vm a: b", time.Date(2026, 7, 4, 16, 0, 0, 0, time.UTC)},
		{"2026-07-04T12:00:00+02:00 vm a: b", time.Date(2026, 7, 4, 10, 0, 0, 0, time.UTC)},
	} {
		if err := p.Parse([]byte(tc.line), &rec); err != nil {
			t.Fatal(err)
		}
		if !rec.Time.Equal(tc.want) {
			t.Errorf("%q: Time = %v, want %v", tc.line, rec.Time, tc.want)
		}
	}
	// The offset of an RFC 3339 timestamp is kept in its location.
	if err := p.Parse([]byte("2026-07-04T12:00:00+02:00 vm a: b"), &rec); err != nil {
		t.Fatal(err)
	}
	if _, off := rec.Time.Zone(); off != 7200 {
		t.Errorf("zone offset = %d, want 7200", off)
	}
	// A nil loc means time.Local, a nil clock time.Now: it must not crash.
	if err := New(nil, nil).Parse([]byte("Nov 22 01:37:32 vm a: b"), &rec); err != nil {
		t.Fatal(err)
	}
	if rec.Time.Location() != time.Local {
		t.Errorf("location = %v, want Local", rec.Time.Location())
	}
}

// TestCacheAcrossSeconds feeds consecutive seconds and days in both
// timestamp styles so cached and recomputed results must agree.
func TestCacheAcrossSeconds(t *testing.T) {
	now := time.Date(2026, 12, 31, 23, 59, 59, 0, time.UTC)
	p := New(func() time.Time { return now }, time.UTC)
	start := time.Date(2026, 12, 31, 23, 59, 50, 0, time.UTC)
	var rec Record
	for i := range 20 {
		want := start.Add(time.Duration(i) * time.Second)
		for _, line := range []string{
			want.Format(time.Stamp) + " vm a: b",
			want.Format("2006-01-02T15:04:05.000000-07:00") + " vm a: b",
			want.In(time.FixedZone("", -3600)).Format(time.RFC3339Nano) + " vm a: b",
		} {
			for range 2 {
				if err := p.Parse([]byte(line), &rec); err != nil {
					t.Fatalf("%q: %v", line, err)
				}
				if !rec.Time.Equal(want) {
					t.Fatalf("%q: Time = %v, want %v", line, rec.Time, want)
				}
			}
		}
	}
}

func TestCivil(t *testing.T) {
	for _, d := range []time.Time{
		time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(1969, 12, 31, 23, 59, 59, 0, time.UTC),
		time.Date(2000, 2, 29, 12, 0, 0, 0, time.UTC),
		time.Date(2100, 3, 1, 1, 2, 3, 0, time.UTC),
		time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(9999, 12, 31, 23, 59, 59, 0, time.UTC),
	} {
		wall := daysFromCivil(d.Year(), int(d.Month()), d.Day())*86400 + int64(d.Hour()*3600+d.Minute()*60+d.Second())
		if wall != d.Unix() {
			t.Errorf("%v: daysFromCivil gives %d, want %d", d, wall, d.Unix())
		}
		y, m, dd, h, mi, s := civil(wall)
		if got := time.Date(y, time.Month(m), dd, h, mi, s, 0, time.UTC); !got.Equal(d) {
			t.Errorf("civil(%d) = %v, want %v", wall, got, d)
		}
	}
}

func TestFormatString(t *testing.T) {
	if got := FormatSyslogProtocol23.String(); got != "syslog-protocol23" {
		t.Errorf("String = %q", got)
	}
	if got := Format(200).String(); got != "unknown" {
		t.Errorf("String = %q", got)
	}
}

// TestScratchStable checks that JSON values unescaped earlier in a line
// stay intact while later ones are unescaped, whatever the buffer's history.
func TestScratchStable(t *testing.T) {
	p := New(func() time.Time { return defaultNow }, time.UTC)
	var rec Record
	small := `{"msg":"a\nb"}`
	if err := p.Parse([]byte(small), &rec); err != nil {
		t.Fatal(err)
	}
	big := `{"programname":"p\u0041","hostname":"h\/` + strings.Repeat("z", 5000) + `","msg":"m\tn` + strings.Repeat("y", 5000) + `"}`
	if err := p.Parse([]byte(big), &rec); err != nil {
		t.Fatal(err)
	}
	if string(rec.Program) != "pA" || !bytes.HasPrefix(rec.Host, []byte("h/zz")) || len(rec.Host) != 5002 ||
		!bytes.HasPrefix(rec.Message, []byte("m\tnyy")) || len(rec.Message) != 5003 {
		t.Errorf("got Program %q, Host %.10q (%d), Message %.10q (%d)", rec.Program, rec.Host, len(rec.Host), rec.Message, len(rec.Message))
	}
}
