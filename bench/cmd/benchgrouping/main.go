// Command benchgrouping scores aireport's grouping on the Loghub-2k
// datasets (Zhu et al., "Loghub", ISSRE 2023) through the command line:
// for each <Name>_2k.log_structured.csv in the data directory it runs
// `aireport --assign` once on the message text (the Content column) and
// once on the raw lines (<Name>_2k.log), and prints Grouping Accuracy and
// Parsing Accuracy (as defined by the logparser benchmark and Loghub-2.0),
// the groups found against the true events, Drain's published GA, the
// means and the time taken. `make bench-grouping` runs it.
//
// The data is not part of the repository: it is read from -data, the
// LOGHUB_DIR environment variable, or ../shared/loghub.
package main

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/logtally/logtally/internal/cli"
)

// drainGA is Drain's published GA on Loghub-2k, tuned per dataset (Zhu et
// al., "Tools and Benchmarks for Automated Log Parsing", ICSE-SEIP 2019).
var drainGA = map[string]float64{
	"Android": .911, "Apache": 1.0, "BGL": .9625, "HDFS": .9975, "HPC": .887, "Hadoop": .9475,
	"HealthApp": .780, "Linux": .690, "Mac": .7865, "OpenSSH": .7875, "OpenStack": .7325,
	"Proxifier": .5265, "Spark": .92, "Thunderbird": .955, "Windows": .997, "Zookeeper": .9665,
}

type dataset struct {
	name      string
	raw       string   // path of the raw log
	content   []string // Content column, one per line
	events    []string // EventId
	templates []string // EventTemplate
}

type score struct {
	ga, pa  float64
	groups  int
	elapsed time.Duration
	wrong   map[string]int // lines grouped wrong, by true event
}

func main() { os.Exit(runMain(os.Args[1:], os.Stdout, os.Stderr)) }

func runMain(args []string, stdout, stderr io.Writer) int {
	cmd := cli.New("benchgrouping", "score aireport's grouping on the Loghub-2k datasets")
	cmd.Usage = []string{"[--aireport BIN] [--data DIR] [--only A,B] [-v]"}
	cmd.ExitCodes = []cli.ExitCode{{Code: 0, Meaning: "the table was printed"}, {Code: 1, Meaning: "no data, no binary, or aireport failed"}, {Code: 2, Meaning: "bad usage"}}
	g := cmd.Group("Benchmark")
	bin := g.String("aireport", "bin/aireport", "the aireport binary to score")
	dir := g.String("data", "", "directory of the Loghub-2k files (default $LOGHUB_DIR or ../shared/loghub)")
	only := g.String("only", "", "comma-separated dataset names (default all)")
	verbose := g.BoolP("verbose", "v", false, "list the events grouped wrong")
	if done, code := cmd.Parse(args, stdout, stderr); done {
		return code
	}
	if err := run(*bin, *dir, *only, *verbose, stdout); err != nil {
		fmt.Fprintf(stderr, "benchgrouping: %v\n", err)
		return 1
	}
	return 0
}

func run(bin, dir, only string, verbose bool, w io.Writer) error {
	if dir == "" {
		dir = os.Getenv("LOGHUB_DIR")
	}
	if dir == "" {
		dir = filepath.Join("..", "shared", "loghub")
	}
	files, _ := filepath.Glob(filepath.Join(dir, "*_2k.log_structured.csv"))
	if len(files) == 0 {
		return fmt.Errorf("no Loghub-2k data in %s (want <Name>_2k.log and <Name>_2k.log_structured.csv; set LOGHUB_DIR or --data)", dir)
	}
	if _, err := os.Stat(bin); err != nil {
		return fmt.Errorf("aireport binary: %w (make build)", err)
	}
	sort.Strings(files)
	want := map[string]bool{}
	for _, n := range strings.Split(only, ",") {
		if n != "" {
			want[n] = true
		}
	}
	tmp, err := os.MkdirTemp("", "benchgrouping")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)

	fmt.Fprintf(w, "aireport grouping on Loghub-2k (%s), default configuration\n\n", dir)
	fmt.Fprintln(w, "| dataset | lines | events | message GA | PA | groups | raw GA | PA | groups | Drain GA | time |")
	fmt.Fprintln(w, "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
	var sumMsg, sumRaw, sumDrain, sumMsgPA, sumRawPA float64
	var n int
	var total time.Duration
	var belowDrain []string
	var details strings.Builder
	for _, f := range files {
		ds, err := load(f)
		if err != nil {
			return err
		}
		if len(want) > 0 && !want[ds.name] {
			continue
		}
		msgFile := filepath.Join(tmp, ds.name+".content")
		if err := os.WriteFile(msgFile, []byte(strings.Join(ds.content, "\n")+"\n"), 0o644); err != nil {
			return err
		}
		msg, err := ds.score(bin, msgFile, tmp)
		if err != nil {
			return err
		}
		raw, err := ds.score(bin, ds.raw, tmp)
		if err != nil {
			return err
		}
		total += msg.elapsed + raw.elapsed
		events := map[string]bool{}
		for _, e := range ds.events {
			events[e] = true
		}
		drain := "–"
		if d, ok := drainGA[ds.name]; ok {
			drain = fmt.Sprintf("%.4f", d)
			sumDrain += d
		}
		fmt.Fprintf(w, "| %s | %d | %d | %.4f | %.4f | %d | %.4f | %.4f | %d | %s | %.2f s |\n", ds.name, len(ds.events), len(events),
			msg.ga, msg.pa, msg.groups, raw.ga, raw.pa, raw.groups, drain, (msg.elapsed + raw.elapsed).Seconds())
		if d, ok := drainGA[ds.name]; ok && msg.ga < d {
			belowDrain = append(belowDrain, ds.name)
		}
		sumMsg += msg.ga
		sumRaw += raw.ga
		sumMsgPA += msg.pa
		sumRawPA += raw.pa
		n++
		if verbose {
			for _, kind := range []struct {
				name string
				s    score
			}{{"message", msg}, {"raw", raw}} {
				ids := make([]string, 0, len(kind.s.wrong))
				for id := range kind.s.wrong {
					ids = append(ids, id)
				}
				sort.Slice(ids, func(i, j int) bool { return kind.s.wrong[ids[i]] > kind.s.wrong[ids[j]] })
				for _, id := range ids {
					fmt.Fprintf(&details, "%s %s: %d lines of %s wrong: %s\n", ds.name, kind.name, kind.s.wrong[id], id, ds.templateOf(id))
				}
			}
		}
	}
	if n == 0 {
		return errors.New("no dataset selected")
	}
	fn := float64(n)
	fmt.Fprintf(w, "| **mean** | | | **%.4f** | %.4f | | **%.4f** | %.4f | | %.4f | %.2f s |\n\n", sumMsg/fn, sumMsgPA/fn, sumRaw/fn, sumRawPA/fn, sumDrain/fn, total.Seconds())
	fmt.Fprintf(w, "%d datasets, %d aireport runs (--assign, JSON report) in %.2f s\n", n, 2*n, total.Seconds())
	met := func(ok bool) string {
		if ok {
			return "met"
		}
		return "MISSED"
	}
	fmt.Fprintf(w, "targets: message mean GA >= .95: %s; raw mean GA >= .90: %s; message GA >= Drain on each: %s",
		met(sumMsg/fn >= .95), met(sumRaw/fn >= .90), met(len(belowDrain) == 0))
	if len(belowDrain) > 0 {
		fmt.Fprintf(w, " (below: %s)", strings.Join(belowDrain, ", "))
	}
	fmt.Fprintln(w)
	if details.Len() > 0 {
		fmt.Fprintf(w, "\n%s", details.String())
	}
	return nil
}

// load reads a structured CSV and finds the raw log beside it.
func load(path string) (*dataset, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	r := csv.NewReader(bufio.NewReader(f))
	r.FieldsPerRecord = -1
	head, err := r.Read()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	col := map[string]int{}
	for i, h := range head {
		col[h] = i
	}
	for _, c := range []string{"Content", "EventId", "EventTemplate"} {
		if _, ok := col[c]; !ok {
			return nil, fmt.Errorf("%s: no %s column", path, c)
		}
	}
	ds := &dataset{name: strings.TrimSuffix(filepath.Base(path), "_2k.log_structured.csv"), raw: strings.TrimSuffix(path, "_structured.csv")}
	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		ds.content = append(ds.content, rec[col["Content"]])
		ds.events = append(ds.events, rec[col["EventId"]])
		ds.templates = append(ds.templates, rec[col["EventTemplate"]])
	}
	return ds, nil
}

func (ds *dataset) templateOf(id string) string {
	for i, e := range ds.events {
		if e == id {
			return ds.templates[i]
		}
	}
	return ""
}

// score runs aireport on input and scores its per-line assignments.
func (ds *dataset) score(bin, input, tmp string) (score, error) {
	assign := filepath.Join(tmp, "assign.tsv")
	cmd := exec.Command(bin, "--assign", assign, "--format", "json", "--category", ds.name, input)
	var stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = io.Discard, &stderr
	start := time.Now()
	err := cmd.Run()
	elapsed := time.Since(start)
	if err != nil {
		return score{}, fmt.Errorf("%s %s: %w: %s", bin, input, err, stderr.String())
	}
	data, err := os.ReadFile(assign)
	if err != nil {
		return score{}, err
	}
	lines := strings.Split(strings.TrimSuffix(string(data), "\n"), "\n")
	if len(lines) != len(ds.events) {
		return score{}, fmt.Errorf("%s: %d assignments for %d lines", input, len(lines), len(ds.events))
	}
	groups := make([]string, len(lines))
	templates := make([]string, len(lines))
	for i, l := range lines {
		f := strings.SplitN(l, "\t", 3)
		if len(f) != 3 {
			return score{}, fmt.Errorf("%s: bad assignment line %q", input, l)
		}
		groups[i], templates[i] = f[1], f[2]
	}
	ga, wrong := groupingAccuracy(groups, ds.events)
	s := score{ga: ga, wrong: wrong, elapsed: elapsed}
	distinct := map[string]bool{}
	correct := 0
	for i := range groups {
		distinct[groups[i]] = true
		if samePlaceholders(templates[i], ds.templates[i]) {
			correct++
		}
	}
	s.groups = len(distinct)
	s.pa = float64(correct) / float64(len(groups))
	return s, nil
}

// groupingAccuracy: a line is correct when its predicted group holds
// exactly the lines of its true event.
func groupingAccuracy(pred, truth []string) (float64, map[string]int) {
	predSize, trueSize, pair := map[string]int{}, map[string]int{}, map[[2]string]int{}
	for i := range pred {
		predSize[pred[i]]++
		trueSize[truth[i]]++
		pair[[2]string{pred[i], truth[i]}]++
	}
	correct := 0
	wrong := map[string]int{}
	for i := range pred {
		n := pair[[2]string{pred[i], truth[i]}]
		if n == predSize[pred[i]] && n == trueSize[truth[i]] {
			correct++
		} else {
			wrong[truth[i]]++
		}
	}
	return float64(correct) / float64(len(pred)), wrong
}

var placeholder = regexp.MustCompile(`<[A-Z*]+>`)

// samePlaceholders compares templates with every placeholder spelled <*>
// and blanks collapsed; aireport's "program: " prefix is not part of the
// message template, so a predicted template may match after it.
func samePlaceholders(pred, truth string) bool {
	norm := func(s string) string {
		return strings.Join(strings.Fields(placeholder.ReplaceAllString(s, "<*>")), " ")
	}
	p, t := norm(pred), norm(truth)
	if p == t {
		return true
	}
	if i := strings.Index(p, ": "); i >= 0 && p[i+2:] == t {
		return true
	}
	return false
}
