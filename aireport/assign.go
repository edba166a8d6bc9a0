package aireport

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"strings"
)

// GroupID is a group's stable identifier: the first 12 hex digits of the
// SHA-256 of its report section and key. The same template in the same
// section has the same id in every run, in the JSON report and in the
// per-line assignments.
func GroupID(category, key string) string {
	h := sha256.Sum256([]byte(category + "\n" + key))
	return hex.EncodeToString(h[:6])
}

// assignment is what the aggregator remembers of one line when Options.Assign
// is set: the line's group (zero: not ranked) and the rule that took it.
type assignment struct {
	ref  GroupRef
	cat  *category
	rule string
}

// WriteAssignments writes one line per input line, in input order, when
// the aggregator was made with Options.Assign:
//
//	<line number>\t<group id>\t<template>
//
// Line numbers count from 1 over all inputs in the order they were read
// (as if the inputs were concatenated). The template is the group's final
// key ("program: template", escaped like the report). A line that no group
// ranks has "-" as its group id and, as its template, "ignored: <rule>",
// "counted: <rule>" or "out of range".
func (a *Aggregator) WriteAssignments(w io.Writer) error {
	if !a.opt.Assign {
		return fmt.Errorf("write assignments: the aggregator was not made with Assign")
	}
	a.settleExact()
	bw := bufio.NewWriterSize(w, 64<<10)
	type row struct{ id, key string }
	memo := map[any]row{}
	var sb strings.Builder
	for i, as := range a.assigned {
		sb.Reset()
		fmt.Fprintf(&sb, "%d\t", i+1)
		switch {
		case as.ref.g != nil || as.ref.t != nil:
			var memoKey any = as.ref.g
			if as.ref.t != nil {
				memoKey = [2]any{as.ref.t, as.ref.i}
			}
			r, ok := memo[memoKey]
			if !ok {
				key := Escape(as.ref.Key())
				r = row{GroupID(as.cat.name, key), key}
				memo[memoKey] = r
			}
			sb.WriteString(r.id)
			sb.WriteByte('\t')
			sb.WriteString(r.key)
		case as.rule != "":
			sb.WriteString("-\t")
			sb.WriteString(as.rule)
		default:
			sb.WriteString("-\tout of range")
		}
		sb.WriteByte('\n')
		if _, err := bw.WriteString(sb.String()); err != nil {
			return fmt.Errorf("write assignments: %w", err)
		}
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("write assignments: %w", err)
	}
	return nil
}
