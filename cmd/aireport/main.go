// Command aireport turns summarize's unknown-line spool into an
// "artificial ignorance" report: known lines counted per ignore rule,
// everything else masked, grouped and ranked, most frequent first.
// See docs/aireport.md.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/pprof"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/logtally/logtally/aireport"
	"github.com/logtally/logtally/aireport/drain"
	"github.com/logtally/logtally/aireport/rulefile"
	"github.com/logtally/logtally/internal/atomicfile"
	"github.com/logtally/logtally/internal/cli"
	"github.com/logtally/logtally/internal/filemode"
	"github.com/logtally/logtally/rules"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	if p := os.Getenv("AIREPORT_CPUPROFILE"); p != "" {
		// for performance work: go tool pprof -top bin/aireport $AIREPORT_CPUPROFILE
		if f, err := os.Create(p); err == nil {
			pprof.StartCPUProfile(f)
			defer func() { pprof.StopCPUProfile(); f.Close() }()
		}
	}
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	if code != 0 {
		pprof.StopCPUProfile()
		os.Exit(code)
	}
}

// Exit codes.
const (
	exitOK    = 0
	exitInput = 1 // some input could not be read completely; the report covers the rest
	exitUsage = 2 // bad flags, rule file or state file: no report
)

type config struct {
	format, masks, grouping, header string
	rulesPath, category, statePath  string
	since, until, tz, output        string
	assignPath                      string
	progress, fileMode              string
	perm                            os.FileMode
	newOnly, suggestCount, keepHost bool
	noStateUpdate                   bool
	suggest, examples               int
	sim                             float64
	depth                           int
	span                            time.Duration
}

func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	var c config
	cmd := cli.New("aireport", "rank the log lines no rule knows (artificial ignorance report)")
	cmd.Usage = []string{"[options] [file|dir|glob|-]..."}
	cmd.Description = `aireport reads summarize's unknown-line spool (plain, gzip or zstd files; ` +
		`a directory is read as <dir>/<category>/unknown-*), counts the lines an ignore rule ` +
		`knows, masks the variable parts of the rest, groups them and ranks the groups, ` +
		`most frequent first. It is meant for cron (see examples/aireport and docs/aireport.md).`
	cmd.ExitCodes = []cli.ExitCode{
		{Code: exitOK, Meaning: "the report was written"},
		{Code: exitInput, Meaning: "some input could not be read completely; the report covers the rest"},
		{Code: exitUsage, Meaning: "bad flags, rule file or state file: no report"},
	}
	cmd.SeeAlso = []string{"summarize(1)"}

	in := cmd.Group("Input")
	in.StringVar(&c.category, "category", "", "report section for all inputs (default: the spool directory <dir>/<category>/unknown-*)")
	in.StringVar(&c.since, "since", "", "only lines at or after this time (RFC 3339, 2006-01-02[ 15:04], or a duration before now: 24h)")
	in.StringVar(&c.until, "until", "", "only lines before this time (same forms as --since)")
	in.DurationVar(&c.span, "spool-max-age", time.Hour, "longest time one spool file covers (summarize's spool rotation age); older files are skipped unread with --since")
	in.StringVar(&c.tz, "tz", "Local", "zone of timestamps that carry none (traditional syslog)")
	in.StringVar(&c.header, "header", "", "auto (strip every summarize input format, else a header inferred from the line), cut (like cut -c 17-) or none; default auto, cut with --masks article")

	rl := cmd.Group("Rules")
	rl.StringVarP(&c.rulesPath, "rules", "r", "", "summarize's rule `FILE`: ignore rules (counted, not ranked) and masks")
	rl.StringVar(&c.masks, "masks", "default", "masks: default (builtin,user), article (exactly the article's three sed substitutions), none, or a list of builtin,user")
	rl.StringVar(&c.grouping, "grouping", "", "templates (Drain-style) or exact (like uniq); default templates, exact with --masks article")
	rl.BoolVar(&c.keepHost, "keep-host", false, "keep the host name in grouped messages")
	rl.Float64Var(&c.sim, "similarity", drain.Default.SimThreshold, "Drain similarity threshold (0..1)")
	rl.IntVar(&c.depth, "depth", drain.Default.Depth, "Drain tree depth")

	out := cmd.Group("Outputs")
	out.StringVarP(&c.format, "format", "f", "", "output: text, json, html or uniq (bare 'uniq -c' lines; default with --masks article)")
	out.StringVarP(&c.output, "output", "o", "", "write the report to `FILE` (atomically) instead of stdout")
	out.StringVar(&c.assignPath, "assign", "", "also write every input line's group to `FILE`: line number, group id, template (tab-separated)")
	out.IntVar(&c.examples, "examples", 3, "raw examples shown per group")
	out.IntVar(&c.suggest, "suggest", 0, "print rule snippets for the N largest groups instead of the report (append them under the category's rules:)")
	out.BoolVar(&c.suggestCount, "suggest-count", false, "suggest counting rules (count: NAME) instead of ignore rules")
	out.StringVar(&c.fileMode, "file-mode", "0640", "`MODE` of the report (--output) and state files, minus the umask (0640: owner and group; the text comes from logs)")
	out.StringVar(&c.progress, "progress", "auto", "progress on stderr: auto (when stderr is a terminal), always, never")

	st := cmd.Group("State")
	st.StringVar(&c.statePath, "state", "", "state `FILE`: first/last sighting of every template, previous rule counts; marks NEW groups")
	st.BoolVar(&c.noStateUpdate, "no-state-update", false, "read the state file but do not update it")
	st.BoolVar(&c.newOnly, "new-only", false, "only groups never seen before (needs --state); text prints nothing when there are none")

	if done, code := cmd.Parse(args, stdout, stderr); done {
		return code
	}
	perm, err := filemode.Parse(c.fileMode)
	if err != nil {
		return cmd.Fail(stderr, "--file-mode: %v", err)
	}
	c.perm = perm
	if err := execute(ctx, c, cmd.Args(), stdin, stdout, stderr); err != nil {
		var ee exitError
		if errors.As(err, &ee) {
			fmt.Fprintf(stderr, "aireport: %v\n", ee.err)
			return ee.code
		}
		fmt.Fprintf(stderr, "aireport: %v\n", err)
		return exitUsage
	}
	return exitOK
}

type exitError struct {
	code int
	err  error
}

func (e exitError) Error() string { return e.err.Error() }

// clock is the time source: --since/--until durations, year inference for
// traditional timestamps, report and state times. Tests replace it.
var clock = time.Now

func execute(ctx context.Context, c config, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	now := clock()
	loc, err := time.LoadLocation(c.tz)
	if err != nil {
		return fmt.Errorf("--tz: %w", err)
	}
	opt := aireport.Options{MaxExamples: c.examples, KeepHost: c.keepHost,
		Drain: drain.Default}
	opt.Drain.Depth, opt.Drain.SimThreshold = c.depth, c.sim
	article := false
	switch c.masks {
	case "article":
		article = true
		opt.Masker.Article = true
	case "default":
		opt.Masker.Builtin = true
	case "none", "":
	default:
		for _, m := range strings.Split(c.masks, ",") {
			switch m {
			case "builtin":
				opt.Masker.Builtin = true
			case "user":
			default:
				return fmt.Errorf("--masks: unknown mask set %q (default, article, none, builtin, user)", m)
			}
		}
	}
	userMasks := c.masks == "default" || strings.Contains(c.masks, "user")
	if c.format == "" {
		c.format = "text"
		if article {
			c.format = "uniq"
		}
	}
	switch c.format {
	case "text", "json", "html", "uniq":
	default:
		return fmt.Errorf("--format: %q is not text, json, html or uniq", c.format)
	}
	switch c.grouping {
	case "":
		if article {
			opt.Grouping = aireport.GroupExact
		}
	case "templates":
	case "exact":
		opt.Grouping = aireport.GroupExact
	default:
		return fmt.Errorf("--grouping: %q is not templates or exact", c.grouping)
	}
	switch c.header {
	case "":
		if article {
			opt.Header = aireport.HeaderCut
		}
	case "auto":
	case "cut":
		opt.Header = aireport.HeaderCut
	case "none":
		opt.Header = aireport.HeaderNone
	default:
		return fmt.Errorf("--header: %q is not auto, cut or none", c.header)
	}
	if opt.Since, err = parseWhen(c.since, now, loc); err != nil {
		return fmt.Errorf("--since: %w", err)
	}
	if opt.Until, err = parseWhen(c.until, now, loc); err != nil {
		return fmt.Errorf("--until: %w", err)
	}
	if c.newOnly && c.statePath == "" {
		return errors.New("--new-only needs --state")
	}
	if c.suggest > 0 && opt.Header != aireport.HeaderAuto {
		return errors.New("--suggest needs --header auto: rules match the message without its header")
	}

	var set *rules.Set
	if c.rulesPath != "" {
		if set, err = rules.Load(c.rulesPath); err != nil {
			return err
		}
		if userMasks {
			opt.Masker.User = rulefile.Masks(set)
		}
	}
	timeFilter := !opt.Since.IsZero() || !opt.Until.IsZero()
	if set != nil || opt.Header == aireport.HeaderAuto || timeFilter {
		opt.Classifier = rulefile.New(set, func() time.Time { return now }, loc)
	}

	opt.TrackTimes = c.format != "uniq" || c.statePath != ""
	opt.SkipOddities = c.format == "uniq"
	opt.Assign = c.assignPath != ""
	var st *aireport.State
	fresh := false
	if c.statePath != "" {
		if st, fresh, err = aireport.LoadState(c.statePath); err != nil {
			return err
		}
		opt.Seed = st
	}

	srcs, inErrs := aireport.ExpandInputs(args, c.category, stdin)
	if note := aireport.InProgressNote(args); note != "" && len(srcs) > 0 {
		fmt.Fprintf(stderr, "aireport: %s\n", note)
	}
	agg := aireport.NewAggregator(opt)
	var ctr aireport.Counters
	stopProgress := startProgress(c.progress, stderr, &ctr, len(srcs))
	results, readErrs := aireport.Collect(ctx, srcs, agg, &ctr, c.span)
	stopProgress()
	inErrs = append(inErrs, readErrs...)

	if c.assignPath != "" {
		var buf strings.Builder
		if err := agg.WriteAssignments(&buf); err != nil {
			return exitError{exitInput, err}
		}
		if err := atomicfile.Write(c.assignPath, []byte(buf.String()), c.perm); err != nil {
			return exitError{exitInput, fmt.Errorf("--assign: %w", err)}
		}
	}
	if c.format == "uniq" && st == nil && c.suggest == 0 && c.output == "" {
		// fast path: straight from the counting tables
		for _, e := range inErrs {
			fmt.Fprintf(stderr, "aireport: %v\n", e)
		}
		if err := agg.WriteUniq(stdout); err != nil {
			return exitError{exitInput, fmt.Errorf("write report: %w", err)}
		}
		if len(inErrs) > 0 {
			return exitError{exitInput, fmt.Errorf("%d input error(s); the report covers the rest", len(inErrs))}
		}
		return nil
	}
	r := agg.Build(st, fresh, now)
	r.Inputs = results
	r.Masks, r.Grouping, r.Header = c.masks, groupingName(opt.Grouping), headerName(opt.Header)
	r.StateFile, r.FirstRun, r.NewOnly = c.statePath, fresh && st != nil, c.newOnly
	if !opt.Since.IsZero() {
		r.Since = &opt.Since
	}
	if !opt.Until.IsZero() {
		r.Until = &opt.Until
	}
	if c.newOnly {
		for _, s := range r.Sections {
			s.Groups = slices.DeleteFunc(s.Groups, func(g *aireport.Group) bool { return !g.New })
		}
	}
	for _, e := range inErrs {
		r.Errors = append(r.Errors, e.Error())
		fmt.Fprintf(stderr, "aireport: %v\n", e)
	}
	if c.suggest > 0 {
		sg := aireport.Suggester{Count: c.suggestCount, Masks: opt.Masker.User, Article: article}
		var skipped []string
		r.Suggest, skipped = sg.Suggest(r, c.suggest)
		for _, s := range skipped {
			fmt.Fprintf(stderr, "aireport: no suggestion for %s\n", s)
		}
	}

	var out strings.Builder
	var w io.Writer = stdout
	if c.output != "" {
		w = &out
	}
	switch {
	case c.suggest > 0 && c.format != "json":
		err = writeSuggestions(w, r)
	case c.format == "json":
		err = aireport.WriteJSON(w, r)
	case c.format == "html":
		err = aireport.WriteHTML(w, r)
	case c.format == "uniq":
		err = aireport.WriteUniq(w, r)
	default:
		err = aireport.WriteText(w, r)
	}
	if err != nil {
		return exitError{exitInput, fmt.Errorf("write report: %w", err)}
	}
	if c.output != "" {
		if err := atomicfile.Write(c.output, []byte(out.String()), c.perm); err != nil {
			return exitError{exitInput, fmt.Errorf("write %s: %w", c.output, err)}
		}
	}
	// A failed or empty run leaves the state alone: saving it would make
	// the next real run take every group for NEW (or for seen).
	switch {
	case st == nil || c.noStateUpdate || ctx.Err() != nil:
	case len(inErrs) > 0 || len(srcs) == 0:
		fmt.Fprintf(stderr, "aireport: state file %s not updated: the run %s\n", c.statePath, map[bool]string{true: "read no input", false: "had input errors"}[len(srcs) == 0])
	default:
		if err := st.Save(c.statePath, c.perm); err != nil {
			return exitError{exitInput, err}
		}
	}
	if len(inErrs) > 0 {
		return exitError{exitInput, fmt.Errorf("%d input error(s); the report covers the rest", len(inErrs))}
	}
	return nil
}

// uncategorizedSpool is the spool section of lines no category took
// (summarize's pipeline.UncategorizedSpool).
const uncategorizedSpool = "_uncategorized"

func writeSuggestions(w io.Writer, r *aireport.Report) error {
	sg := slices.Clone(r.Suggest)
	slices.SortStableFunc(sg, func(a, b aireport.Suggestion) int {
		if c := strings.Compare(a.Category, b.Category); c != 0 || a.Category != uncategorizedSpool {
			return c
		}
		return strings.Compare(a.Program, b.Program)
	})
	cat, prog := "\x00", "\x00"
	for _, s := range sg {
		if s.Category == uncategorizedSpool {
			// no category to append to: suggest one per program
			if cat != s.Category {
				if _, err := fmt.Fprintf(w, "  # ---- aireport --suggest: lines no category took (spool %q): add these categories under \"categories:\"\n", uncategorizedSpool); err != nil {
					return err
				}
			}
			if cat != s.Category || prog != s.Program {
				if err := writeCategorySkeleton(w, s.Program); err != nil {
					return err
				}
			}
			cat, prog = s.Category, s.Program
		} else if s.Category != cat {
			cat = s.Category
			if _, err := fmt.Fprintf(w, "      # ---- aireport --suggest: rules for category %q (append under its \"rules:\")\n", cat); err != nil {
				return err
			}
		}
		if _, err := io.WriteString(w, s.YAML); err != nil {
			return err
		}
	}
	return nil
}

// writeCategorySkeleton starts a category for one program's lines.
func writeCategorySkeleton(w io.Writer, program string) error {
	if program == "" {
		_, err := io.WriteString(w, "  - name: no_program     # lines without a program tag: pick a match (host:, facility:)\n    rules:\n")
		return err
	}
	var name strings.Builder
	for _, r := range strings.ToLower(program) {
		switch {
		case r >= 'a' && r <= 'z' || r >= '0' && r <= '9':
			name.WriteRune(r)
		case name.Len() > 0 && !strings.HasSuffix(name.String(), "_"):
			name.WriteByte('_')
		}
	}
	n := strings.Trim(name.String(), "_")
	if n == "" {
		n = "program"
	}
	_, err := fmt.Fprintf(w, "  - name: %s\n    match: {program: '%s'}\n    rules:\n", n, strings.ReplaceAll(program, "'", "''"))
	return err
}

func groupingName(g aireport.Grouping) string {
	if g == aireport.GroupExact {
		return "exact"
	}
	return "templates"
}

func headerName(h aireport.HeaderMode) string {
	switch h {
	case aireport.HeaderCut:
		return "cut"
	case aireport.HeaderNone:
		return "none"
	}
	return "auto"
}

// parseWhen reads --since/--until: RFC 3339, a local date and time, a
// date, or a duration meaning that long before now ("24h", "-24h", "7d").
func parseWhen(s string, now time.Time, loc *time.Location) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t, nil
	}
	for _, layout := range []string{"2006-01-02T15:04:05", "2006-01-02 15:04:05", "2006-01-02T15:04", "2006-01-02 15:04", "2006-01-02"} {
		if t, err := time.ParseInLocation(layout, s, loc); err == nil {
			return t, nil
		}
	}
	d := strings.TrimPrefix(s, "-")
	if strings.HasSuffix(d, "d") {
		var n int
		if _, err := fmt.Sscanf(d, "%dd", &n); err == nil && fmt.Sprintf("%dd", n) == d {
			return now.Add(-time.Duration(n) * 24 * time.Hour), nil
		}
	}
	if dur, err := time.ParseDuration(d); err == nil {
		return now.Add(-dur), nil
	}
	return time.Time{}, fmt.Errorf("%q is not a time (RFC 3339, 2006-01-02 15:04, 2006-01-02) or a duration (24h, 7d)", s)
}

// startProgress runs the progress meter when asked (or when stderr is a
// terminal) and returns the function that stops it and waits for it.
func startProgress(mode string, stderr io.Writer, ctr *aireport.Counters, total int) func() {
	on := mode == "always"
	if mode == "auto" {
		if f, ok := stderr.(*os.File); ok {
			if fi, err := f.Stat(); err == nil && fi.Mode()&os.ModeCharDevice != 0 {
				on = true
			}
		}
	}
	if !on {
		return func() {}
	}
	stop, done := make(chan struct{}), make(chan struct{})
	delay := 2 * time.Second
	if mode == "always" {
		delay = 0
	}
	go aireport.Progress(stderr, ctr, total, delay, 500*time.Millisecond, stop, done)
	return func() { close(stop); <-done }
}
