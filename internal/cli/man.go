package cli

import (
	"fmt"
	"io"
	"strings"
)

// WriteMan writes the command's man page (section 1, roff -man) from the
// same definitions as the help, so the two cannot drift. It carries no date
// or version: the committed pages compare equal to regenerated ones.
func (c *Command) WriteMan(w io.Writer) {
	fmt.Fprintf(w, ".TH %s 1 \"\" \"logtally\" \"logtally manual\"\n", strings.ToUpper(c.Name))
	fmt.Fprintf(w, ".SH NAME\n%s \\- %s\n", c.Name, roff(c.Summary))
	fmt.Fprintf(w, ".SH SYNOPSIS\n")
	for i, u := range c.Usage {
		if i > 0 {
			fmt.Fprintf(w, ".br\n")
		}
		fmt.Fprintf(w, ".B %s\n%s\n", c.Name, roffOptions(u))
	}
	if len(paragraphs(c.Description)) > 0 {
		fmt.Fprintf(w, ".SH DESCRIPTION\n")
		for i, p := range paragraphs(c.Description) {
			if i > 0 {
				fmt.Fprintf(w, ".PP\n")
			}
			fmt.Fprintf(w, "%s\n", roffText(p))
		}
	}
	fmt.Fprintf(w, ".SH OPTIONS\n")
	for _, g := range c.groups {
		docs := c.docs(g.fs)
		if len(docs) == 0 {
			continue
		}
		fmt.Fprintf(w, ".SS %s\n", roff(g.title))
		for _, d := range docs {
			fmt.Fprintf(w, ".TP\n")
			var names []string
			if d.short != "" {
				names = append(names, `\fB\-`+roff(d.short)+`\fR`)
			}
			names = append(names, `\fB\-\-`+roffOptions(d.long)+`\fR`)
			head := strings.Join(names, ", ")
			if d.arg != "" {
				head += ` \fI` + roff(d.arg) + `\fR`
			}
			fmt.Fprintf(w, "%s\n", head)
			usage := d.usage
			if d.def != "" {
				usage += " (default " + d.def + ")"
			}
			fmt.Fprintf(w, "%s\n", roffText(usage))
		}
	}
	if len(c.ExitCodes) > 0 {
		fmt.Fprintf(w, ".SH EXIT STATUS\n")
		for _, e := range c.ExitCodes {
			fmt.Fprintf(w, ".TP\n.B %d\n%s\n", e.Code, roffText(e.Meaning))
		}
	}
	if len(c.SeeAlso) > 0 {
		fmt.Fprintf(w, ".SH SEE ALSO\n%s\n", roff(strings.Join(c.SeeAlso, ", ")))
	}
}

// roff escapes text for one roff line: backslashes.
func roff(s string) string {
	return strings.ReplaceAll(s, `\`, `\e`)
}

// roffOptions is roff with every hyphen a minus sign, as options are typed.
func roffOptions(s string) string {
	return strings.ReplaceAll(roff(s), "-", `\-`)
}

// roffText escapes a paragraph: a line starting with a dot or quote would
// be read as a request, so it gets a zero-width \& in front; " --flag"
// hyphens become minus signs so the page can be searched and copied.
func roffText(s string) string {
	lines := strings.Split(roff(s), "\n")
	for i, l := range lines {
		l = strings.TrimLeft(l, " \t")
		if strings.HasPrefix(l, ".") || strings.HasPrefix(l, "'") {
			l = `\&` + l
		}
		l = strings.ReplaceAll(l, "--", `\-\-`)
		lines[i] = l
	}
	return strings.Join(lines, "\n")
}
