package integration

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/klauspost/compress/zstd"
)

// idRules counts every "app" line's id in a top table big enough to be
// exact; lines of any other program are unknown and go to the spool.
const idRules = `categories:
  - name: app
    match:
      program: app
    rules:
      - name: event
        pattern: 'id=(?P<id>[0-9]+)'
        top:
          ids: {key: "${id}", k: 65536}
  - name: sentinel
    match:
      program: sentinel
`

// TestKillsLoseNothing SIGKILLs summarize at random moments of a stream
// (confirmations on, the example config, the journal on by default) in
// which every line carries its own id, and counts each id in the
// summaries (known lines) and in the unknown spool: no id may be missing,
// and at most one per kill may be counted twice (the line in flight at the
// kill: journaled, not yet confirmed, so replayed and re-sent).
//
// LOGTALLY_KILLS sets the number of kills (default 5; make soak runs 50).
func TestKillsLoseNothing(t *testing.T) {
	kills := 5
	if v := os.Getenv("LOGTALLY_KILLS"); v != "" {
		var err error
		if kills, err = strconv.Atoi(v); err != nil || kills < 1 {
			t.Fatalf("LOGTALLY_KILLS=%q", v)
		}
	}
	// the example config already writes both, at docs/install.md's paths
	d := newDaemon(t, setup{rules: idRules})
	jsonPath, spoolDir := filepath.Join(d.dir, "log", "summaries.json"), filepath.Join(d.dir, "lib", "spool")
	d.start()

	// The sender paces itself (at most 1,250 lines/s, far below summarize's
	// rate) so the stream goes on through every kill and restart, and a
	// minute holds fewer ids (3/4 of 75,000) than the top table keeps
	// exactly (65,536).
	var sent atomic.Int64
	stop := make(chan struct{})
	sendErr := make(chan error, 1)
	go func() {
		id := 0
		for {
			select {
			case <-stop:
				sendErr <- nil
				return
			default:
			}
			batch := make([]string, 0, 100)
			for range 100 {
				program := "app"
				if id%4 == 3 {
					program = "unk" // no category: the unknown spool
				}
				batch = append(batch, line(program, fmt.Sprintf("event id=%d", id)))
				id++
			}
			if err := d.sendTCPErr(batch); err != nil {
				sendErr <- err
				return
			}
			sent.Store(int64(id))
			time.Sleep(80 * time.Millisecond)
		}
	}()

	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 13))
	last := 0
	for k := range kills {
		// Wait for the next summarize to be at work, then kill it at a
		// random moment: 20–600 ms after it started reading.
		var pid int
		waitForEvery(t, 60*time.Second, 5*time.Millisecond, fmt.Sprintf("summarize %d reading", k+1), func() (bool, string) {
			pid = d.summarizePID()
			return pid != 0 && pid != last && readBytes(pid) > 0, fmt.Sprintf("pid %d", pid)
		})
		time.Sleep(time.Duration(20+rng.IntN(580)) * time.Millisecond)
		if syscall.Kill(pid, syscall.SIGKILL) != nil {
			t.Fatalf("kill %d: summarize %d already gone", k+1, pid)
		}
		last = pid
	}
	close(stop)
	if err := <-sendErr; err != nil {
		t.Fatal(err)
	}
	n := int(sent.Load())
	d.sendTCP([]string{line("sentinel", "end")})
	waitFor(t, 120*time.Second, "the stream's last line counted", func() (bool, string) {
		d.signalSummarize(syscall.SIGUSR1)
		rows := jsonRows(t, jsonPath)
		return rows.lines["sentinel"] >= 1, fmt.Sprintf("%d of %d lines in the summaries", rows.lines["logtally"], n)
	})
	// The last summarize emits its open minutes (SIGUSR1 above: partial
	// rows hold everything counted so far) and completes its spool files
	// when rsyslog stops.
	d.stop()
	rows := jsonRows(t, jsonPath)
	spooled := spoolIDs(t, spoolDir)

	var lost, doubled, lostSpool, doubledSpool []int
	for id := range n {
		var got int
		if id%4 == 3 {
			got = spooled[id]
			delete(spooled, id)
		} else {
			got = int(rows.ids[id])
			delete(rows.ids, id)
		}
		switch {
		case got == 0 && id%4 == 3:
			lostSpool = append(lostSpool, id)
		case got == 0:
			lost = append(lost, id)
		case got == 2 && id%4 == 3:
			doubledSpool = append(doubledSpool, id)
		case got == 2:
			doubled = append(doubled, id)
		case got > 2:
			t.Errorf("id %d counted %d times", id, got)
		}
	}
	t.Logf("%d kills, %d lines sent (%d to the spool): summaries lost %d, doubled %d %v; spool lost %d, doubled %d %v",
		kills, n, n/4, len(lost), len(doubled), doubled, len(lostSpool), len(doubledSpool), doubledSpool)
	if len(lost) > 0 || len(lostSpool) > 0 {
		t.Errorf("lost ids: summaries %v, spool %v", head(lost), head(lostSpool))
	}
	if len(doubled)+len(doubledSpool) > kills {
		t.Errorf("%d ids counted twice in %d kills", len(doubled)+len(doubledSpool), kills)
	}
	if len(rows.ids) > 0 || len(spooled) > 0 {
		t.Errorf("ids never sent were counted: %d in the summaries, %d in the spool", len(rows.ids), len(spooled))
	}
	if rows.other > 0 {
		t.Errorf("the ids top table overflowed (other=%d): counts not exact", rows.other)
	}
}

func head(ids []int) []int { return ids[:min(len(ids), 20)] }

// idCounts is what the JSON summaries say: per id the count of the "ids"
// top table, per category the lines, over the last row of each minute.
type idCounts struct {
	ids   map[int]uint64
	lines map[string]uint64
	other uint64
}

func jsonRows(t *testing.T, path string) idCounts {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		return idCounts{}
	}
	defer f.Close()
	type topTable struct {
		Items []struct {
			Key   string `json:"key"`
			Count uint64 `json:"count"`
		} `json:"items"`
		Other uint64 `json:"other"`
	}
	type summary struct {
		Category string              `json:"category"`
		Minute   string              `json:"minute"`
		Lines    uint64              `json:"lines"`
		Top      map[string]topTable `json:"top"`
	}
	last := map[string]summary{}
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 64<<20)
	for sc.Scan() {
		var s summary
		if json.Unmarshal(sc.Bytes(), &s) != nil {
			continue // a line torn by a kill
		}
		last[s.Category+" "+s.Minute] = s
	}
	c := idCounts{ids: map[int]uint64{}, lines: map[string]uint64{}}
	for _, s := range last {
		c.lines[s.Category] += s.Lines
		top := s.Top["ids"]
		c.other += top.Other
		for _, it := range top.Items {
			id, err := strconv.Atoi(it.Key)
			if err != nil {
				t.Fatalf("id %q", it.Key)
			}
			c.ids[id] += it.Count
		}
	}
	return c
}

var idRE = regexp.MustCompile(`event id=([0-9]+)$`)

// spoolIDs counts the ids in every complete spool file.
func spoolIDs(t *testing.T, dir string) map[int]int {
	t.Helper()
	ids := map[int]int{}
	files, _ := filepath.Glob(filepath.Join(dir, "*", "*"))
	for _, p := range files {
		if !strings.HasSuffix(p, ".log.zst") {
			t.Errorf("spool file not complete after rsyslog stopped: %s", p)
			continue
		}
		f, err := os.Open(p)
		if err != nil {
			t.Fatal(err)
		}
		zr, err := zstd.NewReader(f)
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(zr)
		zr.Close()
		f.Close()
		if err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		for _, l := range strings.Split(string(b), "\n") {
			if m := idRE.FindStringSubmatch(l); m != nil {
				id, _ := strconv.Atoi(m[1])
				ids[id]++
			}
		}
	}
	return ids
}
