package holtwinters

import (
	"bufio"
	"fmt"
	"io"
	"os/exec"
	"strconv"
	"strings"
	"testing"

	"github.com/logtally/logtally/internal/testenv"
)

// rrdPipe drives the real rrdtool (and so the real librrd) in pipe mode:
// `rrdtool -` reads one command per line and answers with its output and
// an "OK ..." or "ERROR: ..." line. Every `updatev` is one rrd_update call.
type rrdPipe struct {
	cmd *exec.Cmd
	in  io.WriteCloser
	out *bufio.Reader
}

// needRRDtool fails when rrdtool is missing (skips only under -short): the
// identity test is the proof that holtwinters matches RRDtool.
func needRRDtool(t testing.TB) string {
	t.Helper()
	return testenv.RequireBinary(t, "rrdtool")
}

func startRRDPipe(t testing.TB) *rrdPipe {
	t.Helper()
	cmd := exec.Command(needRRDtool(t), "-")
	in, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatalf("start rrdtool: %v", err)
	}
	p := &rrdPipe{cmd: cmd, in: in, out: bufio.NewReaderSize(stdout, 1<<16)}
	t.Cleanup(func() {
		p.in.Close()
		_ = p.cmd.Wait()
	})
	return p
}

// run sends one command and returns its output lines (without the OK line).
func (p *rrdPipe) run(args ...string) ([]string, error) {
	if _, err := fmt.Fprintln(p.in, strings.Join(args, " ")); err != nil {
		return nil, fmt.Errorf("rrdtool %s: %w", args[0], err)
	}
	var lines []string
	for {
		line, err := p.out.ReadString('\n')
		if err != nil {
			return lines, fmt.Errorf("rrdtool %s: %w", args[0], err)
		}
		line = strings.TrimRight(line, "\n")
		switch {
		case strings.HasPrefix(line, "OK "):
			return lines, nil
		case strings.HasPrefix(line, "ERROR:"):
			return lines, fmt.Errorf("rrdtool %s: %s", args[0], line)
		}
		lines = append(lines, line)
	}
}

// info parses `rrdtool info` output into key → raw value.
func (p *rrdPipe) info(file string) (map[string]string, error) {
	lines, err := p.run("info", file)
	if err != nil {
		return nil, err
	}
	m := make(map[string]string, len(lines))
	for _, l := range lines {
		k, v, ok := strings.Cut(l, " = ")
		if ok {
			m[k] = strings.Trim(v, `"`)
		}
	}
	return m, nil
}

// updatev runs one `updatev` and returns the value each archive wrote,
// keyed by consolidation function (HWPREDICT, SEASONAL, ...).
func (p *rrdPipe) updatev(file string, ts int64, value string) (map[string]float64, error) {
	lines, err := p.run("updatev", file, strconv.FormatInt(ts, 10)+":"+value)
	if err != nil {
		return nil, err
	}
	m := make(map[string]float64)
	for _, l := range lines {
		// [1700000100]RRA[HWPREDICT][1]DS[v] = 1.2340000000e+01
		k, v, ok := strings.Cut(l, " = ")
		if !ok || !strings.Contains(k, "]RRA[") {
			continue
		}
		cf := k[strings.Index(k, "]RRA[")+5:]
		cf = cf[:strings.IndexByte(cf, ']')]
		if !strings.Contains(k, "]["+"1]DS[") {
			continue // only the one-step archives
		}
		f, err := strconv.ParseFloat(v, 64)
		if err != nil {
			return nil, fmt.Errorf("updatev %s: %q: %w", file, l, err)
		}
		m[cf] = f
	}
	return m, nil
}
