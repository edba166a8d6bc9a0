package corpus

import (
	"fmt"
	"io"
	"math/rand/v2"
	"strings"
	"time"
)

// Labelled templates: real message shapes of common daemons, each with the
// event id a person would give it. "{x}" are variable fields, filled from
// the pools below. Several families share long prefixes or differ in one
// word on purpose, because that is where template mining goes wrong.
var labelled = []struct {
	id, prog, msg string
}{
	{"ssh-accept-pw", "sshd", "Accepted password for {user} from {ip} port {port} ssh2"},
	{"ssh-accept-key", "sshd", "Accepted publickey for {user} from {ip} port {port} ssh2: RSA SHA256:{b64}"},
	{"ssh-fail-pw", "sshd", "Failed password for {user} from {ip} port {port} ssh2"},
	{"ssh-fail-invalid", "sshd", "Failed password for invalid user {user} from {ip} port {port} ssh2"},
	{"ssh-invalid-user", "sshd", "Invalid user {user} from {ip} port {port}"},
	{"ssh-disc-preauth", "sshd", "Disconnected from invalid user {user} {ip} port {port} [preauth]"},
	{"ssh-recv-disc", "sshd", "Received disconnect from {ip} port {port}:11: Bye Bye [preauth]"},
	{"ssh-conn-closed", "sshd", "Connection closed by {ip} port {port} [preauth]"},
	{"ssh-session-open", "sshd", "pam_unix(sshd:session): session opened for user {user}(uid={num}) by (uid=0)"},
	{"ssh-session-close", "sshd", "pam_unix(sshd:session): session closed for user {user}"},
	{"ssh-auth-fail", "sshd", "pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost={ip}  user={user}"},
	{"ssh-maxauth", "sshd", "error: maximum authentication attempts exceeded for {user} from {ip} port {port} ssh2 [preauth]"},
	{"pf-connect", "postfix/smtpd", "connect from {host}[{ip}]"},
	{"pf-disconnect", "postfix/smtpd", "disconnect from {host}[{ip}] ehlo=1 mail=1 rcpt={small} data=1 quit=1 commands={small}"},
	{"pf-lost", "postfix/smtpd", "lost connection after AUTH from {host}[{ip}]"},
	{"pf-reject-relay", "postfix/smtpd", "NOQUEUE: reject: RCPT from {host}[{ip}]: 554 5.7.1 <{email}>: Relay access denied; from=<{email}> to=<{email}> proto=ESMTP helo=<{host}>"},
	{"pf-client", "postfix/smtpd", "{qid}: client={host}[{ip}]"},
	{"pf-qmgr-from", "postfix/qmgr", "{qid}: from=<{email}>, size={num}, nrcpt=1 (queue active)"},
	{"pf-qmgr-removed", "postfix/qmgr", "{qid}: removed"},
	{"pf-smtp-sent", "postfix/smtp", "{qid}: to=<{email}>, relay={host}[{ip}]:25, delay={dur}, delays={dur}/0/{dur}/{dur}, dsn=2.0.0, status=sent (250 2.0.0 Ok: queued as {qid})"},
	{"pf-smtp-deferred", "postfix/smtp", "{qid}: to=<{email}>, relay=none, delay={dur}, delays={dur}/0/{dur}/0, dsn=4.4.1, status=deferred (connect to {host}[{ip}]:25: Connection timed out)"},
	{"k-ufw-block", "kernel", "[UFW BLOCK] IN=eth0 OUT= MAC={mac} SRC={ip} DST={ip} LEN={num} TOS=0x00 PREC=0x00 TTL={small} ID={num} PROTO=TCP SPT={port} DPT={port} WINDOW={num} RES=0x00 SYN URGP=0"},
	{"k-oom", "kernel", "Out of memory: Killed process {num} ({cmd}) total-vm:{num}kB, anon-rss:{num}kB, file-rss:0kB, shmem-rss:0kB"},
	{"k-usb-new", "kernel", "usb {small}-{small}: new high-speed USB device number {small} using xhci_hcd"},
	{"k-link-up", "kernel", "e1000e: eth{small} NIC Link is Up 1000 Mbps Full Duplex, Flow Control: None"},
	{"k-segfault", "kernel", "{cmd}[{num}]: segfault at {hex} ip {hex} sp {hex} error 4 in libc.so.6[{hex}+{hex}]"},
	{"cron-cmd", "CRON", "({user}) CMD ({cron})"},
	{"cron-session", "CRON", "pam_unix(cron:session): session opened for user {user}(uid={num}) by (uid=0)"},
	{"sudo-cmd", "sudo", "{user} : TTY=pts/{small} ; PWD=/home/{user} ; USER=root ; COMMAND=/usr/bin/{cmd}"},
	{"sudo-incorrect", "sudo", "{user} : 3 incorrect password attempts ; TTY=pts/{small} ; PWD=/home/{user} ; USER=root ; COMMAND=/usr/bin/{cmd}"},
	{"sd-started-session", "systemd", "Started Session {num} of User {user}."},
	{"sd-unit-ok", "systemd", "{unit}.service: Deactivated successfully."},
	{"sd-unit-failed", "systemd", "{unit}.service: Failed with result 'exit-code'."},
	{"sd-starting", "systemd", "Starting {unit}.service - {desc}..."},
	{"dhcp-discover", "dhcpd", "DHCPDISCOVER from {mac} via eth0"},
	{"dhcp-offer", "dhcpd", "DHCPOFFER on {ip} to {mac} via eth0"},
	{"dhcp-request", "dhcpd", "DHCPREQUEST for {ip} ({ip}) from {mac} via eth0"},
	{"dhcp-ack", "dhcpd", "DHCPACK on {ip} to {mac} ({host}) via eth0"},
	{"named-query", "named", "client @{hex} {ip}#{port} ({host}): query: {host} IN A + ({ip})"},
	{"named-denied", "named", "client @{hex} {ip}#{port} ({host}): query (cache) '{host}/A/IN' denied"},
	{"dovecot-login", "dovecot", "imap-login: Login: user=<{email}>, method=PLAIN, rip={ip}, lip={ip}, mpid={num}, TLS, session=<{b64}>"},
	{"dovecot-disc", "dovecot", "imap({email})<{num}><{b64}>: Disconnected: Logged out in={num} out={num}"},
	{"ntp-adjust", "ntpd", "adjusting local clock by {frac}s"},
	{"nginx-upstream", "nginx", "{ts} [error] {num}#{num}: *{num} upstream timed out (110: Connection timed out) while reading response header from upstream, client: {ip}, server: {host}, request: \"GET /{path} HTTP/1.1\", upstream: \"http://{ip}:{port}/{path}\", host: \"{host}\""},
	{"nginx-open-failed", "nginx", "{ts} [error] {num}#{num}: *{num} open() \"/var/www/{path}\" failed (2: No such file or directory), client: {ip}, server: {host}, request: \"GET /{path} HTTP/1.1\", host: \"{host}\""},
}

var (
	gaUsers  = strings.Fields("root alice bob carol dave eve mallory oscar peggy trent victor walter admin test oracle ubuntu pi git deploy backup")
	gaHosts  = strings.Fields("mail.example.com mx1.example.net unknown smtp.example.org relay.corp.example host-1.isp.example web1.example.com db2.example.com www.example.org api.example.io")
	gaCmds   = strings.Fields("apt systemctl journalctl vim less tail cat rsync python3 nginx java postgres")
	gaUnits  = strings.Fields("apt-daily logrotate man-db fstrim certbot phpsessionclean e2scrub_all sysstat-collect motd-news user-runtime-dir@1000")
	gaDescs  = []string{"Daily apt download activities", "Rotate log files", "Daily man-db regeneration", "Discard unused blocks on filesystems", "Certbot", "Clean php session files"}
	gaCron   = []string{"command -v debian-sa1 > /dev/null && debian-sa1 1 1", "[ -x /usr/lib/php/sessionclean ] && if [ ! -d /run/systemd/system ]; then /usr/lib/php/sessionclean; fi", "test -x /usr/sbin/anacron || ( cd / && run-parts --report /etc/cron.daily )", "/usr/local/bin/backup.sh", "cd / && run-parts --report /etc/cron.hourly"}
	gaPaths  = strings.Fields("index.html api/v1/users favicon.ico wp-login.php static/app.js images/logo.png robots.txt .env admin/login")
	gaDomain = strings.Fields("example.com example.net example.org corp.example")
)

func fill(r *rand.Rand, msg string) string {
	var b strings.Builder
	for {
		i := strings.IndexByte(msg, '{')
		if i < 0 {
			b.WriteString(msg)
			return b.String()
		}
		j := strings.IndexByte(msg[i:], '}') + i
		b.WriteString(msg[:i])
		switch msg[i+1 : j] {
		case "user":
			b.WriteString(gaUsers[r.IntN(len(gaUsers))])
		case "ip":
			if r.IntN(10) == 0 {
				fmt.Fprintf(&b, "2001:db8:%x::%x", r.IntN(65536), r.IntN(65536))
			} else {
				fmt.Fprintf(&b, "%d.%d.%d.%d", 1+r.IntN(223), r.IntN(256), r.IntN(256), 1+r.IntN(254))
			}
		case "port":
			fmt.Fprintf(&b, "%d", 1024+r.IntN(64000))
		case "num":
			fmt.Fprintf(&b, "%d", r.IntN(1000000))
		case "small":
			fmt.Fprintf(&b, "%d", 1+r.IntN(9))
		case "b64":
			const a = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
			for k := 0; k < 22; k++ {
				b.WriteByte(a[r.IntN(len(a))])
			}
		case "host":
			b.WriteString(gaHosts[r.IntN(len(gaHosts))])
		case "email":
			fmt.Fprintf(&b, "%s@%s", gaUsers[r.IntN(len(gaUsers))], gaDomain[r.IntN(len(gaDomain))])
		case "qid":
			const h = "0123456789ABCDEF"
			for k := 0; k < 10; k++ {
				b.WriteByte(h[r.IntN(16)])
			}
		case "dur":
			fmt.Fprintf(&b, "%d.%d", r.IntN(30), r.IntN(100))
		case "mac":
			fmt.Fprintf(&b, "%02x:%02x:%02x:%02x:%02x:%02x", r.IntN(256), r.IntN(256), r.IntN(256), r.IntN(256), r.IntN(256), r.IntN(256))
		case "cmd":
			b.WriteString(gaCmds[r.IntN(len(gaCmds))])
		case "hex":
			fmt.Fprintf(&b, "%x", r.Uint64()>>uint(r.IntN(40)))
		case "cron":
			b.WriteString(gaCron[r.IntN(len(gaCron))])
		case "unit":
			b.WriteString(gaUnits[r.IntN(len(gaUnits))])
		case "desc":
			b.WriteString(gaDescs[r.IntN(len(gaDescs))])
		case "frac":
			fmt.Fprintf(&b, "%.6f", r.Float64()*2-1)
		case "path":
			b.WriteString(gaPaths[r.IntN(len(gaPaths))])
		case "ts":
			fmt.Fprintf(&b, "2026/11/22 %02d:%02d:%02d", r.IntN(24), r.IntN(60), r.IntN(60))
		default:
			if !fillHeldOut(r, &b, msg[i+1:j]) {
				panic("corpus: unknown field " + msg[i:j+1])
			}
		}
		msg = msg[j+1:]
	}
}

// WriteLabelled writes n labelled lines as "event-id<TAB>syslog line":
// RSYSLOG_TraditionalFileFormat lines, template popularity skewed (a few
// frequent events, a long tail), every template at least once.
func WriteLabelled(w io.Writer, n int, seed uint64) error {
	return writeSet(w, labelled, n, seed)
}

// LabelledTemplates is the number of distinct event ids.
func LabelledTemplates() int { return len(labelled) }

// Line returns one RSYSLOG_TraditionalFileFormat line of labelled event id
// (false for an unknown id), stamped t, from host.
func Line(r *rand.Rand, id string, t time.Time, host string) (string, bool) {
	for _, e := range labelled {
		if e.id != id {
			continue
		}
		tag := fmt.Sprintf("%s[%d]", e.prog, 100+r.IntN(60000))
		if e.prog == "kernel" {
			tag = "kernel"
		}
		return fmt.Sprintf("%s %s %s: %s", t.Format(time.Stamp), host, tag, fill(r, e.msg)), true
	}
	return "", false
}
