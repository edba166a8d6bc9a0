// Package cli gives logtally's binaries the same command-line conventions:
// flags grouped by concern in the help, --help on stdout with exit 0,
// --version from the build info, flag errors on stderr with a hint and
// exit 2, the exit codes listed in the help, and a man page generated from
// the same definitions (--help-man, hidden; `make man` writes docs/man).
//
// A main declares its flags group by group and hands over the arguments:
//
//	cmd := cli.New("rrdgraph", "render a counter's RRD file as a PNG graph")
//	cmd.Usage = []string{"--file FILE [options]"}
//	in := cmd.Group("Input")
//	file := in.String("file", "", "RRD file to graph")
//	cmd.ExitCodes = []cli.ExitCode{{0, "ok"}, {1, "rendering failed"}, {2, "bad usage"}}
//	if done, code := cmd.Parse(args, stdout, stderr); done {
//		return code
//	}
package cli

import (
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/pflag"
)

// ExitUsage is the exit status of a command-line error in every binary.
const ExitUsage = 2

// ExitCode documents one exit status of a command.
type ExitCode struct {
	Code    int
	Meaning string
}

// Command is one binary's command line.
type Command struct {
	Name    string
	Summary string // one line, lower case, no final period: the man page's NAME
	// Usage lists the synopsis lines without the command name.
	Usage []string
	// Description is plain text; blank lines separate paragraphs.
	Description string
	ExitCodes   []ExitCode
	// SeeAlso names related pages, e.g. "summarize(1)".
	SeeAlso []string

	groups      []group
	defaultText map[string]string
	flags       *pflag.FlagSet
	help        bool
	version     bool
	man         bool
}

type group struct {
	title string
	fs    *pflag.FlagSet
}

// New starts a command's definition.
func New(name, summary string) *Command {
	return &Command{Name: name, Summary: summary, defaultText: map[string]string{}}
}

// Group returns the flag set of one concern (Input, Rules, Outputs,
// rsyslog, Tuning, ...); the help and the man page list groups in the order
// they were first asked for and flags in the order they were defined.
func (c *Command) Group(title string) *pflag.FlagSet {
	for _, g := range c.groups {
		if g.title == title {
			return g.fs
		}
	}
	fs := pflag.NewFlagSet(c.Name, pflag.ContinueOnError)
	fs.SortFlags = false
	c.groups = append(c.groups, group{title, fs})
	return fs
}

// DefaultText replaces how the default of flag name is shown, for defaults
// that depend on the machine (the number of CPUs): the help and the man
// page stay the same everywhere.
func (c *Command) DefaultText(name, text string) { c.defaultText[name] = text }

// FlagSet returns the parsed flags (Args, Changed, ...); valid after Parse.
func (c *Command) FlagSet() *pflag.FlagSet { return c.flags }

// Args returns the arguments left after the flags.
func (c *Command) Args() []string { return c.flags.Args() }

// Parse parses args. done reports that the run is over, with code as its
// exit status: --help (help on stdout, 0), --version (0), --help-man (the
// man page on stdout, 0), or a flag error (the error and a hint on stderr,
// ExitUsage).
func (c *Command) Parse(args []string, stdout, stderr io.Writer) (done bool, code int) {
	if c.flags != nil {
		panic("cli: Parse called twice") // a programming error, not input
	}
	other := c.Group("Other")
	other.BoolVarP(&c.help, "help", "h", false, "show this help and exit")
	other.BoolVar(&c.version, "version", false, "print the version (module version and VCS revision) and exit")
	other.BoolVar(&c.man, "help-man", false, "print the man page (roff) and exit")
	_ = other.MarkHidden("help-man")

	c.flags = pflag.NewFlagSet(c.Name, pflag.ContinueOnError)
	c.flags.SortFlags = false
	c.flags.SetOutput(io.Discard) // errors are printed below, once, with the hint
	c.flags.Usage = func() {}
	for _, g := range c.groups {
		c.flags.AddFlagSet(g.fs)
	}
	if err := c.flags.Parse(args); err != nil {
		if errors.Is(err, pflag.ErrHelp) { // -help and friends pflag itself recognizes
			c.WriteHelp(stdout)
			return true, 0
		}
		return true, c.Fail(stderr, "%v", err)
	}
	switch {
	case c.help:
		c.WriteHelp(stdout)
		return true, 0
	case c.version:
		fmt.Fprintln(stdout, Version(c.Name))
		return true, 0
	case c.man:
		c.WriteMan(stdout)
		return true, 0
	}
	return false, 0
}

// Fail prints "name: message" and the help hint on stderr and returns
// ExitUsage, for errors in the command line found after Parse.
func (c *Command) Fail(stderr io.Writer, format string, args ...any) int {
	fmt.Fprintf(stderr, "%s: %s\nRun '%s --help' for usage.\n", c.Name, fmt.Sprintf(format, args...), c.Name)
	return ExitUsage
}

// flagDoc is one flag as the help and the man page show it.
type flagDoc struct {
	short, long, arg, usage, def string
}

func (c *Command) docs(fs *pflag.FlagSet) []flagDoc {
	var out []flagDoc
	fs.VisitAll(func(f *pflag.Flag) {
		if f.Hidden {
			return
		}
		arg, usage := pflag.UnquoteUsage(f)
		if f.Value.Type() == "bool" {
			arg = ""
		}
		d := flagDoc{short: f.Shorthand, long: f.Name, arg: arg, usage: usage}
		if t, ok := c.defaultText[f.Name]; ok {
			d.def = t
		} else if !zeroDefault(f) {
			d.def = f.DefValue
			if f.Value.Type() == "string" {
				d.def = fmt.Sprintf("%q", f.DefValue)
			}
		}
		out = append(out, d)
	})
	return out
}

func zeroDefault(f *pflag.Flag) bool {
	switch f.DefValue {
	case "", "0", "false", "[]", "0s":
		return true
	}
	return false
}

func (d flagDoc) left() string {
	var b strings.Builder
	if d.short != "" {
		b.WriteString("-" + d.short + ", ")
	} else {
		b.WriteString("    ")
	}
	b.WriteString("--" + d.long)
	if d.arg != "" {
		b.WriteString(" " + d.arg)
	}
	return b.String()
}

// WriteHelp writes the help: usage, description, the flag groups and the
// exit codes.
func (c *Command) WriteHelp(w io.Writer) {
	for i, u := range c.Usage {
		if i == 0 {
			fmt.Fprintf(w, "usage: %s %s\n", c.Name, u)
		} else {
			fmt.Fprintf(w, "       %s %s\n", c.Name, u)
		}
	}
	fmt.Fprintf(w, "\n%s: %s.\n", c.Name, c.Summary)
	for _, p := range paragraphs(c.Description) {
		fmt.Fprintf(w, "\n%s\n", wrap(p, 79))
	}
	width := 0
	for _, g := range c.groups {
		for _, d := range c.docs(g.fs) {
			width = max(width, len(d.left()))
		}
	}
	for _, g := range c.groups {
		docs := c.docs(g.fs)
		if len(docs) == 0 {
			continue
		}
		fmt.Fprintf(w, "\n%s:\n", g.title)
		for _, d := range docs {
			usage := d.usage
			if d.def != "" {
				usage += " (default " + d.def + ")"
			}
			fmt.Fprintf(w, "  %-*s   %s\n", width, d.left(), usage)
		}
	}
	if len(c.ExitCodes) > 0 {
		fmt.Fprintf(w, "\nExit status:\n")
		for _, e := range c.ExitCodes {
			fmt.Fprintf(w, "  %d  %s\n", e.Code, e.Meaning)
		}
	}
}

// paragraphs splits text at blank lines.
func paragraphs(text string) []string {
	text = strings.TrimSpace(text)
	if text == "" {
		return nil
	}
	return strings.Split(text, "\n\n")
}

// wrap fills a paragraph to lines of at most width columns (longer words
// stay whole).
func wrap(p string, width int) string {
	var b strings.Builder
	col := 0
	for _, word := range strings.Fields(p) {
		switch {
		case col == 0:
		case col+1+len(word) > width:
			b.WriteByte('\n')
			col = 0
		default:
			b.WriteByte(' ')
			col++
		}
		b.WriteString(word)
		col += len(word)
	}
	return b.String()
}
