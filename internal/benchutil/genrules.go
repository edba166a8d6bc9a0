// Package benchutil holds the benchmarks' helpers: realistic rule files of N
// rules and the examples merged into one (WriteRules, MergeRules, for
// bench/cmd/genrules and the scaling curves), and a reader of summarize's
// JSON lines output (ReadJSONL, for bench/cmd/peertotals and the SEC
// equivalence test). Internal: its API changes with the benchmarks.
package benchutil

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"os"
	"strings"
)

// category is one category of the generated file.
type category struct {
	name, match string
	phrases     []phrase
	job         string // the job's rules, last
}

// phrase is a rule template; %d is replaced by a variant number so that no
// two rules are the same. A pattern phrase counts into counter and keys a
// top table on its first capture.
type phrase struct {
	substring string
	pattern   string
	counter   string
}

func sub(s string) phrase            { return phrase{substring: s} }
func pat(counter, p string) phrase   { return phrase{pattern: p, counter: counter} }
func variant(s string, v int) string { return strings.ReplaceAll(s, "%d", fmt.Sprint(v)) }
func quoteSingle(s string) string    { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }
func quoteDouble(s string) string    { return fmt.Sprintf("%q", s) }
func firstCapture(p string) string {
	i := strings.Index(p, "(?P<")
	return p[i+4 : i+4+strings.IndexByte(p[i+4:], '>')]
}
func ruleName(cat string, n int) string { return fmt.Sprintf("%s_%03d", cat, n) }

var genCategories = []category{
	{name: "asa", match: `program: "%ASA-*"`, phrases: []phrase{
		sub("Deny udp src dmz%d:"),
		pat("udp_teardowns", `^Teardown UDP connection \d+ for vlan%d:(?P<src>[0-9.]+)/\d+`),
		sub("Built inbound UDP connection for vlan%d"),
		pat("vpn_rejects", `^Group <vpn%d> User <(?P<user>[^>]+)> IP <(?P<ip>[0-9.]+)> Authentication: rejected`),
		sub("No matching connection for ICMP error message: icmp src vlan%d"),
		pat("tcp_discards", `^TCP request discarded from (?P<src>[0-9.]+)/\d+ to vlan%d:`),
		sub("Embryonic connection limit exceeded %d/"),
		pat("aaa_rejects", `^AAA user authentication Rejected : reason = (?P<reason>[^:]+) : server = 10\.%d\.`),
		sub("IPS:%d "),
		pat("icmp_denied", `^Denied ICMP type=(?P<type>\d+), code=\d+ from [0-9.]+ on interface vlan%d`),
	}, job: `
      - name: url
        substring: "Accessed URL "
        pattern: '^\S+ Accessed URL (?P<server>[^/ ]+)'
        count: http_connections
        top:
          servers: {key: "${server}", k: 5000}`},
	{name: "sshd", match: `program: sshd`, phrases: []phrase{
		pat("invalid_users", `^Invalid user (?P<user>svc%d\S*) from (?P<src>\S+)`),
		sub("Connection closed by authenticating user svc%d "),
		pat("kbd_logins", `^Accepted keyboard-interactive/pam for (?P<user>svc%d) from (?P<src>\S+)`),
		sub("error: maximum authentication attempts exceeded for svc%d "),
		pat("invalid_disconnects", `^Disconnected from invalid user (?P<user>svc%d) (?P<src>\S+) port`),
		sub("fatal: Timeout before authentication for 192.0.2.%d "),
		pat("kex_failures", `^Unable to negotiate with (?P<src>198\.51\.100\.%d) port \d+: no matching (?P<what>\w+)`),
		sub("Did not receive identification string from 203.0.113.%d "),
	}, job: `
      - name: accepted
        substring: "Accepted "
        pattern: '^Accepted \S+ for (?P<user>\S+) from '
        count: ssh_accepted
        top:
          users: {key: "${user}", k: 5000}`},
	{name: "postfix", match: `program: "postfix/smtpd"`, phrases: []phrase{
		pat("unresolved", `^warning: hostname (?P<host>\S+) does not resolve to address 192\.0\.2\.%d\b`),
		sub("lost connection after AUTH from unknown[192.0.2.%d]"),
		pat("sasl_failures", `^warning: (?P<host>[^\[]+)\[198\.51\.100\.%d\]: SASL (?P<mech>\w+) authentication failed`),
		sub("too many errors after RCPT from unknown[198.51.100.%d]"),
		pat("tempfail", `^NOQUEUE: reject: RCPT from \S+\[(?P<ip>[0-9.]+)\]: 450 4\.7\.%d `),
		sub("timeout after DATA from mail%d.example.org"),
	}, job: `
      - name: connect
        pattern: '^connect from '
        count: smtp_connects`},
	{name: "postfix_delivery", match: `program: ["postfix/smtp", "postfix/qmgr", "postfix/cleanup"]`, phrases: []phrase{
		pat("relay_deliveries", `^(?P<qid>[0-9A-F]+): to=<[^>]+>, relay=(?P<relay>relay%d\.example\.net)\[`),
		sub("status=bounced (host mx%d.example.net"),
		pat("deferred", `^(?P<qid>[0-9A-F]+): to=<[^>]+>, .*status=deferred \(connect to (?P<mx>mx%d\.[^\[]+)`),
		sub("warning: header Subject: spam%d from"),
	}},
	{name: "cron", match: `program: [CRON, cron, crond]`, phrases: []phrase{
		sub("(svc%d) CMD ("),
		pat("crontab_reloads", `^\((?P<user>svc%d)\) RELOAD \((?P<file>[^)]+)\)`),
		sub("ERROR (getpwnam() failed): svc%d"),
		pat("cron_mails", `^\((?P<user>svc%d)\) MAIL \(mailed (?P<bytes>\d+) bytes`),
	}},
	{name: "kernel", match: `program: kernel`, phrases: []phrase{
		pat("ufw_allowed", `^\[UFW ALLOW\] IN=eth%d .*SRC=(?P<src>\S+)`),
		sub("EXT4-fs error (device sdb%d)"),
		pat("ata_errors", `^ata%d(?:\.\d+)?: (?P<what>failed command|exception Emask \S+)`),
		sub("TCP: request_sock_TCP: Possible SYN flooding on port %d."),
		pat("link_changes", `^e1000e \S+ eth%d: NIC Link is (?P<state>Up|Down)`),
		sub("Memory cgroup out of memory: Killed process in group%d"),
	}},
	{name: "nginx", match: `program: [nginx, apache2, httpd]`, phrases: []phrase{
		pat("api_writes", `^(?P<client>\S+) \S+ \S+ \[[^\]]+\] "(?P<method>POST|PUT|DELETE) /api/v%d/`),
		sub(`"GET /admin%d/`),
		pat("wp_probes", `^(?P<client>\S+) .* "[A-Z]+ /wp-login%d\.php`),
		sub(`"curl/%d.`),
		pat("static_hits", `^(?P<client>\S+) \S+ \S+ \[[^\]]+\] "[A-Z]+ /static%d/[^"]*" (?P<status>\d+)`),
		sub("upstream timed out (110: Connection timed out) while reading response header from upstream%d"),
	}},
	{name: "named", match: `program: named`, phrases: []phrase{
		pat("queries", `^client @\S+ (?P<ip>[0-9.]+)#\d+ \(zone%d\.example\): query: (?P<name>\S+)`),
		sub("zone zone%d.example/IN: loaded serial"),
		pat("refused", `^client @\S+ (?P<ip>[0-9.]+)#\d+: query \(cache\) 'zone%d\.\S+' denied`),
	}},
	{name: "dhcpd", match: `program: dhcpd`, phrases: []phrase{
		pat("acks", `^DHCPACK on (?P<ip>10\.%d\.[0-9.]+) to (?P<mac>[0-9a-f:]+)`),
		sub("DHCPDISCOVER from 00:00:5e:00:53:%d"),
		pat("no_free", `^DHCPDISCOVER from (?P<mac>[0-9a-f:]+) via eth%d: network \S+: no free leases`),
	}},
	{name: "haproxy", match: `program: haproxy`, phrases: []phrase{
		pat("be_requests", `^(?P<client>[0-9.]+):\d+ \[[^\]]+\] fe%d (?P<backend>[^/]+)/(?P<server>\S+) `),
		sub("Server be%d/"),
		pat("be_down", `^backend (?P<backend>be%d) has no server available`),
	}},
	{name: "sudo", match: `program: sudo`, phrases: []phrase{
		pat("sudo_cmds", `^\s*(?P<user>svc%d) : TTY=\S+ ; PWD=\S+ ; USER=(?P<as>\S+) ; COMMAND=`),
		sub("svc%d : user NOT in sudoers"),
	}},
	{name: "systemd", match: `program: [systemd, dovecot]`, phrases: []phrase{
		pat("unit_failures", `^(?P<unit>job%d\.service): Failed with result '(?P<result>[^']+)'`),
		sub("Started job%d.service"),
		pat("imap_logins", `^imap-login: Login: user=<(?P<user>svc%d)>`),
		sub("pop3-login: Disconnected (auth failed, 1 attempts in 2 secs): user=<svc%d>"),
	}},
}

// jobRules is how many rules the job itself has (url, accepted, connect).
const jobRules = 3

// WriteRules writes a rule file of n rules (n >= 3): the bench-peers job
// (bench/peers/job.yaml: ASA URLs by server, sshd logins by user, postfix
// connections) plus n-3 rules for messages the corpus never produces — ASA,
// sshd, postfix, cron, kernel and nginx message types, and six more programs
// (named, dhcpd, haproxy, sudo, systemd, dovecot) — half substring rules
// (ignore), half RE2 patterns with named captures feeding a counter and a
// top-N table. They are spread over the categories round-robin and placed
// before the job's rules, so every line of a busy category is tried against
// them first, and the totals stay those of the job (which checks that none
// of them matches).
func WriteRules(w io.Writer, n int) error {
	if n < jobRules {
		return fmt.Errorf("%d rules: at least %d (the job's)", n, jobRules)
	}
	bw := bufio.NewWriter(w)
	extra := make([][]string, len(genCategories))
	for i := 0; i < n-jobRules; i++ {
		ci := i % len(genCategories)
		c := &genCategories[ci]
		k := len(extra[ci])
		p := c.phrases[k%len(c.phrases)]
		v := 1 + k/len(c.phrases)
		name := ruleName(c.name, k+1)
		var r string
		if p.substring != "" {
			r = fmt.Sprintf("      - name: %s\n        substring: %s\n        ignore: true", name, quoteDouble(variant(p.substring, v)))
		} else {
			capName := firstCapture(p.pattern)
			r = fmt.Sprintf("      - name: %s\n        pattern: %s\n        count: %s\n        top:\n          %s_%d_by_%s: \"${%s}\"",
				name, quoteSingle(variant(p.pattern, v)), p.counter, p.counter, v, capName, capName)
		}
		extra[ci] = append(extra[ci], r)
	}
	fmt.Fprintf(bw, "# Generated by `genrules -n %d` (internal/benchutil/genrules.go): the bench-peers job\n", n)
	fmt.Fprintf(bw, "# plus %d rules for messages the corpus does not produce.\ncategories:\n", n-jobRules)
	for ci, c := range genCategories {
		if len(extra[ci]) == 0 && c.job == "" {
			continue
		}
		fmt.Fprintf(bw, "  - name: %s\n    match: {%s}\n    rules:\n", c.name, c.match)
		for _, r := range extra[ci] {
			fmt.Fprintln(bw, r)
		}
		if c.job != "" {
			fmt.Fprintln(bw, strings.TrimPrefix(c.job, "\n"))
		}
	}
	return bw.Flush()
}

// MergeRules writes one rule file holding the categories of every file in
// paths, in order (make bench merges the daemons' examples). Only the
// top-level section "categories:" of each file is taken (masks and other
// sections are left out); comments inside it are kept. Category names must
// not repeat across the files (summarize --check says so if they do).
func MergeRules(w io.Writer, paths []string) error {
	var out bytes.Buffer
	out.WriteString("# Merged by `genrules --merge` (internal/benchutil/genrules.go) from:\n")
	for _, p := range paths {
		fmt.Fprintf(&out, "#   %s\n", p)
	}
	out.WriteString("categories:\n")
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		in, found := false, false
		for _, line := range strings.Split(string(data), "\n") {
			top := line != "" && line[0] != ' ' && line[0] != '\t' && line[0] != '#'
			switch {
			case top && strings.TrimSpace(line) == "categories:":
				in, found = true, true
			case top:
				in = false // another section (masks: …): not merged
			case in:
				out.WriteString(line + "\n")
			}
		}
		if !found {
			return fmt.Errorf("%s: no top-level key categories", p)
		}
	}
	_, err := w.Write(out.Bytes())
	return err
}
