package aireport

import (
	"bufio"
	"cmp"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"
)

// WriteUniq writes the ranking exactly like `sort | uniq -c | sort -rn`:
// "%7d %s" per group, raw bytes, largest count first, all sections in one
// list (a key present in several sections is listed once per section).
func WriteUniq(w io.Writer, r *Report) error {
	bw := bufio.NewWriterSize(w, 256<<10)
	all := r.Sections
	var groups []*Group
	if len(all) == 1 {
		groups = all[0].Groups // already sorted; NEW first only with a state file
	}
	if len(all) > 1 || anyNew(groups) {
		for _, s := range all {
			groups = append(groups, s.Groups...)
		}
		sortGroupsByCount(groups)
	}
	var line []byte
	for _, g := range groups {
		line = appendCount(line[:0], g.Count)
		line = append(line, g.raw...)
		line = append(line, '\n')
		if _, err := bw.Write(line); err != nil {
			return err
		}
	}
	return bw.Flush()
}

// WriteJSON writes the report as one indented JSON object.
func WriteJSON(w io.Writer, r *Report) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(r)
}

// WriteText writes the human report: per section the ignore-rule counts
// with their change, then the ranking (NEW groups first) in `uniq -c`
// style with up to three examples each. With r.NewOnly only NEW groups are
// written, and nothing at all when there are none (a quiet cron job).
func WriteText(w io.Writer, r *Report) error {
	bw := bufio.NewWriter(w)
	if r.NewOnly {
		for _, s := range r.Sections {
			for _, g := range s.Groups {
				if g.New {
					fmt.Fprintf(bw, "%7d NEW [%s] %s\n", g.Count, sectionName(s.Category), g.Key)
					for _, e := range g.Examples {
						fmt.Fprintf(bw, "            e.g. %s\n", e)
					}
				}
			}
		}
		return bw.Flush()
	}
	fmt.Fprintf(bw, "Unknown-log report, %s", r.Generated.Format(time.RFC3339))
	if r.Since != nil {
		fmt.Fprintf(bw, ", since %s", r.Since.Format(time.RFC3339))
	}
	if r.Until != nil {
		fmt.Fprintf(bw, ", until %s", r.Until.Format(time.RFC3339))
	}
	var lines int64
	for _, in := range r.Inputs {
		lines += in.Lines
	}
	fmt.Fprintf(bw, "\n%d inputs, %d lines; masks %s, grouping %s, header %s\n", len(r.Inputs), lines, r.Masks, r.Grouping, r.Header)
	if r.FirstRun {
		fmt.Fprintf(bw, "state file %s created: nothing is marked NEW on a first run\n", r.StateFile)
	}
	for _, e := range r.Errors {
		fmt.Fprintf(bw, "ERROR: %s\n", e)
	}
	for _, s := range r.Sections {
		fmt.Fprintf(bw, "\n== %s: %d lines, %d ignored, %d claimed by counting rules, %d ranked in %d groups",
			sectionName(s.Category), s.Lines, s.Ignored, s.Claimed, s.Ranked, len(s.Groups))
		if s.NewGroups > 0 {
			fmt.Fprintf(bw, " (%d NEW)", s.NewGroups)
		}
		bw.WriteString("\n")
		if odd := oddities(s); odd != "" {
			fmt.Fprintf(bw, "   (%s)\n", odd)
		}
		if len(s.Rules) > 0 {
			bw.WriteString("\n-- known lines, by rule (count, change since the previous report)\n")
			for _, rc := range s.Rules {
				mark := "  "
				if rc.Alert {
					mark = "! "
				}
				kind := "ignore"
				if !rc.Ignore {
					kind = "count "
				}
				fmt.Fprintf(bw, "%s%7d %-8s %s %s\n", mark, rc.Count, rc.Change, kind, rc.Rule)
			}
		}
		if len(s.Groups) > 0 {
			bw.WriteString("\n-- unknown lines, most frequent first\n")
		}
		for _, g := range s.Groups {
			tag := ""
			if g.New {
				tag = "NEW "
			}
			fmt.Fprintf(bw, "%7d %s%s\n", g.Count, tag, g.Key)
			for _, e := range g.Examples {
				if e != g.Key {
					fmt.Fprintf(bw, "            e.g. %s\n", e)
				}
			}
		}
	}
	if len(r.Suggest) > 0 {
		bw.WriteString("\n-- suggested rules (aireport --suggest)\n")
		for _, sg := range r.Suggest {
			bw.WriteString(sg.YAML)
		}
	}
	return bw.Flush()
}

func sectionName(c string) string {
	if c == "" {
		return "(no category)"
	}
	return c
}

func oddities(s *Section) string {
	var parts []string
	add := func(n int64, what string) {
		if n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", n, what))
		}
	}
	add(s.OutOfRange, "outside the time range")
	add(s.Unparsed, "without a recognised header")
	add(s.Binary, "binary")
	add(s.InvalidUTF8, "invalid UTF-8")
	add(s.LongLines, "over 64 KiB")
	return strings.Join(parts, ", ")
}

func anyNew(gs []*Group) bool {
	for _, g := range gs {
		if g.New {
			return true
		}
	}
	return false
}

// appendCount appends n like printf("%7d ", n), as uniq -c does.
func appendCount(b []byte, n int64) []byte {
	if n >= 0 && n < 1e7 { // the usual case: one 8-byte field
		f := [8]byte{' ', ' ', ' ', ' ', ' ', ' ', '0', ' '}
		for i := 6; n > 0; i-- {
			f[i] = byte('0' + n%10)
			n /= 10
		}
		return append(b, f[:]...)
	}
	var tmp [24]byte
	d := strconv.AppendInt(tmp[:0], n, 10)
	for i := len(d); i < 7; i++ {
		b = append(b, ' ')
	}
	b = append(b, d...)
	return append(b, ' ')
}

func sortGroupsByCount(gs []*Group) {
	// largest first; ties in a reproducible order (uniq allows any)
	slices.SortStableFunc(gs, func(a, b *Group) int {
		return cmp.Compare(b.Count, a.Count)
	})
}

// WriteUniq writes the exact-grouped counts straight from the tables, like
// WriteUniq(w, a.Build(...)) without building a Report (no per-group
// objects): the fast path of --masks article. For template grouping it
// falls back to Build.
func (a *Aggregator) WriteUniq(w io.Writer) error {
	if a.opt.Grouping != GroupExact {
		return WriteUniq(w, a.Build(nil, false, time.Now()))
	}
	if a.onlyExact() {
		return a.writeUniqExact(w)
	}
	a.settleExact()
	type ref struct {
		t   *lineTable
		i   int32
		n   int64
		ord int64 // section, then first appearance: a total order
	}
	names := make([]string, 0, len(a.cats))
	total := 0
	for n, c := range a.cats {
		names = append(names, n)
		total += len(c.table.ents)
	}
	slices.Sort(names)
	refs := make([]ref, 0, total)
	for k, n := range names {
		t := a.cats[n].table
		for i := range t.ents {
			refs = append(refs, ref{t, int32(i), t.count(i), int64(k)<<32 | int64(i)})
		}
	}
	// largest first; equal counts keep their first-appearance order
	slices.SortFunc(refs, func(x, y ref) int {
		if x.n != y.n {
			return cmp.Compare(y.n, x.n)
		}
		return cmp.Compare(x.ord, y.ord)
	})
	bw := bufio.NewWriterSize(w, 256<<10)
	var line []byte
	for _, r := range refs {
		line = appendCount(line[:0], r.n)
		line = append(line, r.t.key(int(r.i))...)
		line = append(line, '\n')
		if _, err := bw.Write(line); err != nil {
			return err
		}
	}
	return bw.Flush()
}
