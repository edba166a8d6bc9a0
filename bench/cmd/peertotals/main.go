// Command peertotals checks that logtally, SEC and mtail counted the same
// things on the bench-peers job (bench/peers): it reads each tool's output,
// reduces it to totals ("name=value" and "name{label}=value"), and exits 1
// when any two differ.
//
//	peertotals --logtally summaries.jsonl --sec sec.out --mtail mtail.json
//
// logtally: summarize's --json output (categories asa, sshd, postfix of
// bench/peers/job.yaml or job-hc.yaml), summed over minutes; --tops names
// which top tables hold which labelled counter (every table must have kept
// all its keys). sec: the lines job.sec prints
// at SEC_SHUTDOWN. mtail: the JSON of `mtail --one_shot`. A labelled
// counter's total ("http_connections") is the sum of its labels.
package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"os"
	"slices"
	"strconv"
	"strings"

	"github.com/logtally/logtally/internal/benchutil"
	"github.com/logtally/logtally/internal/cli"
)

func main() { os.Exit(run(os.Args[1:], os.Stdout, os.Stderr)) }

// totals maps "name" or "name{label}" to a count.
type totals map[string]uint64

func run(args []string, stdout, stderr io.Writer) int {
	cmd := cli.New("peertotals", "check that logtally, SEC and mtail counted the same on the bench-peers job")
	cmd.Usage = []string{"--logtally summaries.jsonl --sec sec.out --mtail mtail.json"}
	cmd.ExitCodes = []cli.ExitCode{{Code: 0, Meaning: "all outputs agree"}, {Code: 1, Meaning: "some totals differ, or an output could not be read"}, {Code: 2, Meaning: "bad usage"}}
	var paths []struct{ tool, path string }
	in := cmd.Group("Input")
	lt := in.StringSlice("logtally", nil, "summarize --json output (repeatable: every file must agree)")
	sec := in.String("sec", "", "output of sec with bench/peers/job.sec")
	mt := in.String("mtail", "", "JSON output of mtail --one_shot with bench/peers/job.mtail")
	tops := in.StringToString("tops", map[string]string{"servers": "http_connections", "users": "ssh_accepted"},
		"logtally top table = the labelled counter it holds (job-hc: add urls=url_hits)")
	out := cmd.Group("Output")
	quiet := out.BoolP("quiet", "q", false, "print only differences")
	if done, code := cmd.Parse(args, stdout, stderr); done {
		return code
	}
	for _, p := range *lt {
		paths = append(paths, struct{ tool, path string }{"logtally", p})
	}
	if *sec != "" {
		paths = append(paths, struct{ tool, path string }{"sec", *sec})
	}
	if *mt != "" {
		paths = append(paths, struct{ tool, path string }{"mtail", *mt})
	}
	if len(paths) < 2 {
		return cmd.Fail(stderr, "give at least two outputs to compare")
	}
	var all []totals
	for _, p := range paths {
		var t totals
		var err error
		switch p.tool {
		case "logtally":
			t, err = fromLogtally(p.path, *tops)
		case "sec":
			t, err = fromSEC(p.path)
		default:
			t, err = fromMtail(p.path)
		}
		if err != nil {
			fmt.Fprintf(stderr, "peertotals: %s: %v\n", p.tool, err)
			return 1
		}
		addLabelTotals(t)
		all = append(all, t)
	}

	keys := map[string]bool{}
	for _, t := range all {
		for k := range t {
			keys[k] = true
		}
	}
	bad := 0
	for _, k := range slices.Sorted(maps.Keys(keys)) {
		same := true
		for _, t := range all[1:] {
			if v, ok := t[k]; !ok || v != all[0][k] {
				same = false
			}
		}
		if _, ok := all[0][k]; !ok {
			same = false
		}
		if same {
			continue
		}
		if bad++; bad <= 20 {
			var b strings.Builder
			for i, t := range all {
				v, ok := t[k]
				fmt.Fprintf(&b, " %s=%s", paths[i].tool, map[bool]string{true: strconv.FormatUint(v, 10), false: "absent"}[ok])
			}
			fmt.Fprintf(stdout, "DIFFERS %s:%s\n", k, b.String())
		}
	}
	if !*quiet {
		fmt.Fprintf(stdout, "%-18s", "total")
		for _, p := range paths {
			fmt.Fprintf(stdout, " %12s", p.tool)
		}
		fmt.Fprintln(stdout)
		for _, k := range slices.Sorted(maps.Keys(keys)) {
			if strings.Contains(k, "{") {
				continue
			}
			fmt.Fprintf(stdout, "%-18s", k)
			for _, t := range all {
				fmt.Fprintf(stdout, " %12d", t[k])
			}
			fmt.Fprintln(stdout)
		}
		labelled := 0
		for k := range keys {
			if strings.Contains(k, "{") {
				labelled++
			}
		}
		fmt.Fprintf(stdout, "%-18s %12d (per-key counts, compared one by one)\n", "labelled keys", labelled)
	}
	if bad > 0 {
		fmt.Fprintf(stdout, "MISMATCH: %d totals differ\n", bad)
		return 1
	}
	if !*quiet {
		fmt.Fprintln(stdout, "totals agree")
	}
	return 0
}

// addLabelTotals sets "name" to the sum of "name{…}" when name has labels.
func addLabelTotals(t totals) {
	sums := totals{}
	for k, v := range t {
		if name, _, ok := strings.Cut(k, "{"); ok {
			sums[name] += v
		}
	}
	for k, v := range sums {
		t[k] = v
	}
}

func fromLogtally(path string, tops map[string]string) (totals, error) {
	sums, err := benchutil.ReadJSONL(path)
	if err != nil {
		return nil, err
	}
	t := totals{}
	for i := range sums {
		s := &sums[i]
		switch s.Category {
		case "asa":
			t["asa_lines"] += s.Lines
		case "sshd", "postfix":
		default:
			continue
		}
		for name, v := range s.Counters {
			if v != 0 {
				t[name] += v
			}
		}
		for top, label := range tops {
			m, complete := s.TopMap(top)
			if m == nil {
				continue
			}
			if !complete {
				return nil, fmt.Errorf("%s: minute %s: top %s dropped keys: raise its k", path, s.Minute, top)
			}
			for k, v := range m {
				t[label+"{"+k+"}"] += v
			}
		}
	}
	return t, nil
}

func fromSEC(path string) (totals, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	t := totals{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		eq := strings.LastIndexByte(line, '=')
		if eq < 0 {
			return nil, fmt.Errorf("%s: unexpected line %q", path, line)
		}
		v, err := strconv.ParseUint(line[eq+1:], 10, 64)
		if err != nil {
			return nil, fmt.Errorf("%s: %q: %w", path, line, err)
		}
		t[line[:eq]] += v
	}
	return t, sc.Err()
}

// mtailMetric is the part of mtail's --one_shot JSON read here.
type mtailMetric struct {
	Name        string
	Keys        []string
	LabelValues []struct {
		Labels []string
		Value  struct{ Value json.Number }
	}
}

func fromMtail(path string) (totals, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var doc map[string][]mtailMetric
	if err := json.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	t := totals{}
	for name, ms := range doc {
		for _, m := range ms {
			for _, lv := range m.LabelValues {
				v, err := strconv.ParseUint(lv.Value.Value.String(), 10, 64)
				if err != nil {
					return nil, fmt.Errorf("%s: %s: %w", path, name, err)
				}
				key := name
				if len(lv.Labels) > 0 {
					key += "{" + strings.Join(lv.Labels, ",") + "}"
				}
				t[key] += v
			}
		}
	}
	return t, nil
}
