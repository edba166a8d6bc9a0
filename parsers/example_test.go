package parsers_test

import (
	"errors"
	"fmt"
	"time"

	"github.com/logtally/logtally/parsers"
)

func ExampleParser_Parse() {
	now := func() time.Time { return time.Date(2026, 11, 22, 2, 0, 0, 0, time.UTC) }
	p := parsers.New(now, time.UTC) // one per goroutine
	var rec parsers.Record
	for _, line := range []string{
		`Nov 22 01:37:32 vm myapp[29808]: disk "sda" at 91% full`,
		`<156>1 2026-11-22T01:37:32.195671+00:00 vm myapp 29808 - -  disk "sda" at 91% full`,
		`{"timereported":"2026-11-22T01:37:32Z","hostname":"vm","syslogtag":"myapp[29808]:","msg":" disk \"sda\" at 91% full"}`,
		"\x00binary",
	} {
		if err := p.Parse([]byte(line), &rec); err != nil {
			fmt.Println(errors.Is(err, parsers.ErrMalformed), err)
			continue
		}
		fmt.Printf("%s %s host=%s program=%s pid=%s sev=%d msg=%s\n", rec.Format,
			rec.Time.Format(time.RFC3339), rec.Host, rec.Program, rec.PID, rec.Severity, rec.Message)
	}
	// Output:
	// traditional-file 2026-11-22T01:37:32Z host=vm program=myapp pid=29808 sev=-1 msg=disk "sda" at 91% full
	// syslog-protocol23 2026-11-22T01:37:32Z host=vm program=myapp pid=29808 sev=4 msg=disk "sda" at 91% full
	// json 2026-11-22T01:37:32Z host=vm program=myapp pid=29808 sev=-1 msg=disk "sda" at 91% full
	// true parsers: unrecognised line start at byte 0
}
