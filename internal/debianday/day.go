// Package debianday generates a deterministic day of a Debian 12 server's
// /var/log/syslog (RSYSLOG_TraditionalFileFormat): systemd units and
// sessions, cron, sshd logins and scans, sudo and su, postfix, the kernel's
// firewall and disk messages, chrony, rsyslog, smartd, apt timers. It is
// the "real host" input the logcheck import is measured on: the messages
// are written the way Debian 12's daemons write them, with the variable
// parts (users, addresses, PIDs, queue IDs) drawn from a seeded generator.
// The same seed always gives the same lines.
package debianday

import (
	"fmt"
	"math/rand/v2"
	"sort"
	"time"
)

// Config describes the day.
type Config struct {
	Seed  uint64
	Start time.Time // first second of the day
	Host  string
	Lines int // about this many lines (default 20000)
}

type event struct {
	at   time.Time
	text string
}

type gen struct {
	r    *rand.Rand
	host string
	pid  int
}

// Day returns the day's lines in time order.
func Day(cfg Config) []string {
	if cfg.Lines <= 0 {
		cfg.Lines = 20000
	}
	if cfg.Host == "" {
		cfg.Host = "srv1"
	}
	g := &gen{r: rand.New(rand.NewPCG(cfg.Seed, 0x6465626961)), host: cfg.Host, pid: 300}
	var evs []event
	add := func(at time.Time, lines ...string) {
		for i, l := range lines {
			evs = append(evs, event{at.Add(time.Duration(i) * 37 * time.Millisecond), l})
		}
	}
	day := 24 * time.Hour
	// periodic jobs: cron every 5 and 17 minutes past, hourly, daily timers
	for t := time.Duration(0); t < day; t += time.Minute {
		at := cfg.Start.Add(t)
		if at.Minute()%5 == 0 {
			add(at, g.cron("root", "command -v debian-sa1 > /dev/null && debian-sa1 1 1")...)
		}
		if at.Minute() == 17 {
			add(at, g.cron("root", "cd / && run-parts --report /etc/cron.hourly")...)
		}
		if at.Minute() == 0 && at.Hour() == 6 {
			add(at, g.dailyTimers()...)
		}
		if at.Minute()%30 == 0 {
			add(at, g.pick(g.systemdMisc()))
		}
	}
	// the rest: random traffic over the day
	for len(evs) < cfg.Lines {
		at := cfg.Start.Add(time.Duration(g.r.Int64N(int64(day))))
		add(at, g.traffic()...)
	}
	sort.SliceStable(evs, func(i, j int) bool { return evs[i].at.Before(evs[j].at) })
	out := make([]string, len(evs))
	for i, e := range evs {
		out[i] = e.at.Format(time.Stamp) + " " + g.host + " " + e.text
	}
	return out
}

func (g *gen) newPID() int {
	g.pid += 1 + g.r.IntN(40)
	if g.pid > 4190000 {
		g.pid = 300
	}
	return g.pid
}

func (g *gen) pick(s []string) string { return s[g.r.IntN(len(s))] }

var users = []string{"alice", "bob", "carol", "deploy", "backup", "www-data", "postgres", "admin"}
var badUsers = []string{"admin", "test", "oracle", "ubuntu", "guest", "user", "pi", "ftpuser", "git", "support"}

func (g *gen) ip() string {
	return fmt.Sprintf("%d.%d.%d.%d", 1+g.r.IntN(222), g.r.IntN(256), g.r.IntN(256), 1+g.r.IntN(254))
}

func (g *gen) queueID() string {
	const hex = "0123456789ABCDEF"
	b := make([]byte, 10)
	for i := range b {
		b[i] = hex[g.r.IntN(16)]
	}
	return string(b)
}

func (g *gen) cron(user, cmd string) []string {
	p := g.newPID()
	return []string{
		fmt.Sprintf("CRON[%d]: pam_unix(cron:session): session opened for user %s(uid=0) by (uid=0)", p, user),
		fmt.Sprintf("CRON[%d]: (%s) CMD (%s)", p+1, user, cmd),
		fmt.Sprintf("CRON[%d]: pam_unix(cron:session): session closed for user %s", p, user),
	}
}

func (g *gen) dailyTimers() []string {
	return []string{
		"systemd[1]: Starting apt-daily-upgrade.service - Daily apt upgrade and clean activities...",
		"systemd[1]: apt-daily-upgrade.service: Deactivated successfully.",
		"systemd[1]: Finished apt-daily-upgrade.service - Daily apt upgrade and clean activities.",
		"systemd[1]: Starting logrotate.service - Rotate log files...",
		"systemd[1]: logrotate.service: Deactivated successfully.",
		"systemd[1]: Finished logrotate.service - Rotate log files.",
		"systemd[1]: Starting man-db.service - Daily man-db regeneration...",
		"systemd[1]: man-db.service: Deactivated successfully.",
		"systemd[1]: Finished man-db.service - Daily man-db regeneration.",
		fmt.Sprintf("rsyslogd[%d]: [origin software=\"rsyslogd\" swVersion=\"8.2302.0\" x-pid=\"%d\" x-info=\"https://www.rsyslog.com\"] rsyslogd was HUPed", 512, 512),
		"systemd[1]: Starting dpkg-db-backup.service - Daily dpkg database backup service...",
		"systemd[1]: dpkg-db-backup.service: Deactivated successfully.",
		"systemd[1]: Finished dpkg-db-backup.service - Daily dpkg database backup service.",
	}
}

func (g *gen) systemdMisc() []string {
	return []string{
		"systemd[1]: Starting sysstat-collect.service - system activity accounting tool...",
		"systemd[1]: sysstat-collect.service: Deactivated successfully.",
		"systemd[1]: Finished sysstat-collect.service - system activity accounting tool.",
		"systemd[1]: Starting phpsessionclean.service - Clean php session files...",
		"systemd[1]: phpsessionclean.service: Deactivated successfully.",
		"systemd[1]: Started session-c1.scope - Session c1 of User root.",
		"systemd[1]: run-docker-runtime\\x2drunc-moby-1a2b.mount: Deactivated successfully.",
		"chronyd[601]: Selected source 192.0.2.123 (2.debian.pool.ntp.org)",
		"chronyd[601]: Source 198.51.100.7 replaced with 203.0.113.9 (2.debian.pool.ntp.org)",
	}
}

// traffic returns one burst of related lines.
func (g *gen) traffic() []string {
	switch n := g.r.IntN(100); {
	case n < 22:
		return g.sshLogin()
	case n < 40:
		return g.sshScan()
	case n < 62:
		return g.mail()
	case n < 72:
		return g.firewall()
	case n < 78:
		return g.sudo()
	case n < 80:
		return g.su()
	case n < 85:
		return []string{g.pick(g.systemdMisc())}
	case n < 89:
		return g.smartd()
	case n < 92:
		return g.kernelMisc()
	case n < 95:
		return g.mailReject()
	case n < 97:
		return g.dhcp()
	default:
		return g.oddities()
	}
}

func (g *gen) sshLogin() []string {
	p, u, ip := g.newPID(), g.pick(users[:4]), g.ip()
	port, sess := 30000+g.r.IntN(35000), 1+g.r.IntN(9000)
	method := g.pick([]string{"publickey", "publickey", "password"})
	key := ""
	if method == "publickey" {
		key = " ssh2: ED25519 SHA256:Qf1pVb0m2Y7c4l6o9hJ3nX8rT5sW2aZ1kD0eF4gH6iE"
	} else {
		key = " ssh2"
	}
	return []string{
		fmt.Sprintf("sshd[%d]: Accepted %s for %s from %s port %d%s", p, method, u, ip, port, key),
		fmt.Sprintf("sshd[%d]: pam_unix(sshd:session): session opened for user %s(uid=%d) by (uid=0)", p, u, 1000+g.r.IntN(5)),
		fmt.Sprintf("systemd-logind[402]: New session %d of user %s.", sess, u),
		fmt.Sprintf("systemd[1]: Started session-%d.scope - Session %d of User %s.", sess, sess, u),
		fmt.Sprintf("sshd[%d]: Received disconnect from %s port %d:11: disconnected by user", p, ip, port),
		fmt.Sprintf("sshd[%d]: Disconnected from user %s %s port %d", p, u, ip, port),
		fmt.Sprintf("sshd[%d]: pam_unix(sshd:session): session closed for user %s", p, u),
		fmt.Sprintf("systemd[1]: session-%d.scope: Deactivated successfully.", sess),
		fmt.Sprintf("systemd-logind[402]: Session %d logged out. Waiting for processes to exit.", sess),
		fmt.Sprintf("systemd-logind[402]: Removed session %d.", sess),
	}
}

func (g *gen) sshScan() []string {
	p, u, ip, port := g.newPID(), g.pick(badUsers), g.ip(), 30000+g.r.IntN(35000)
	switch g.r.IntN(5) {
	case 0:
		return []string{
			fmt.Sprintf("sshd[%d]: Invalid user %s from %s port %d", p, u, ip, port),
			fmt.Sprintf("sshd[%d]: Received disconnect from %s port %d:11: Bye Bye [preauth]", p, ip, port),
			fmt.Sprintf("sshd[%d]: Disconnected from invalid user %s %s port %d [preauth]", p, u, ip, port),
		}
	case 1:
		return []string{
			fmt.Sprintf("sshd[%d]: pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=%s  user=root", p, ip),
			fmt.Sprintf("sshd[%d]: Failed password for root from %s port %d ssh2", p, ip, port),
			fmt.Sprintf("sshd[%d]: Connection closed by authenticating user root %s port %d [preauth]", p, ip, port),
		}
	case 2:
		return []string{
			fmt.Sprintf("sshd[%d]: Connection closed by %s port %d [preauth]", p, ip, port),
		}
	case 3:
		return []string{
			fmt.Sprintf("sshd[%d]: error: kex_exchange_identification: Connection closed by remote host", p),
			fmt.Sprintf("sshd[%d]: Connection closed by %s port %d", p, ip, port),
		}
	}
	return []string{
		fmt.Sprintf("sshd[%d]: Unable to negotiate with %s port %d: no matching key exchange method found. Their offer: diffie-hellman-group14-sha1,diffie-hellman-group-exchange-sha1 [preauth]", p, ip, port),
	}
}

func (g *gen) mail() []string {
	q, ip := g.queueID(), g.ip()
	ps, pc, pq, pm := g.newPID(), g.newPID(), 1201, g.newPID()
	from := fmt.Sprintf("%s@example.org", g.pick(users))
	to := fmt.Sprintf("%s@example.net", g.pick(users))
	relay := fmt.Sprintf("mx%d.example.net[%s]:25", 1+g.r.IntN(3), g.ip())
	client := fmt.Sprintf("mail%d.example.com[%s]", g.r.IntN(90), ip)
	return []string{
		fmt.Sprintf("postfix/smtpd[%d]: connect from %s", ps, client),
		fmt.Sprintf("postfix/smtpd[%d]: %s: client=%s", ps, q, client),
		fmt.Sprintf("postfix/cleanup[%d]: %s: message-id=<%d.%s@example.com>", pc, q, g.r.IntN(1e9), q),
		fmt.Sprintf("postfix/qmgr[%d]: %s: from=<%s>, size=%d, nrcpt=1 (queue active)", pq, q, from, 900+g.r.IntN(90000)),
		fmt.Sprintf("postfix/smtpd[%d]: disconnect from %s ehlo=1 mail=1 rcpt=1 data=1 quit=1 commands=5", ps, client),
		fmt.Sprintf("postfix/smtp[%d]: %s: to=<%s>, relay=%s, delay=%.2f, delays=0.1/0/0.2/0.3, dsn=2.0.0, status=sent (250 2.0.0 Ok: queued as %s)", pm, q, to, relay, 0.3+g.r.Float64()*4, g.queueID()),
		fmt.Sprintf("postfix/qmgr[%d]: %s: removed", pq, q),
	}
}

func (g *gen) mailReject() []string {
	ps, ip := g.newPID(), g.ip()
	client := fmt.Sprintf("unknown[%s]", ip)
	return []string{
		fmt.Sprintf("postfix/smtpd[%d]: connect from %s", ps, client),
		fmt.Sprintf("postfix/smtpd[%d]: NOQUEUE: reject: RCPT from %s: 554 5.7.1 <%s@example.org>: Relay access denied; from=<spam@example.biz> to=<%s@example.org> proto=ESMTP helo=<%s>", ps, client, g.pick(badUsers), g.pick(badUsers), ip),
		fmt.Sprintf("postfix/smtpd[%d]: lost connection after RCPT from %s", ps, client),
		fmt.Sprintf("postfix/smtpd[%d]: disconnect from %s ehlo=1 mail=1 rcpt=0/1 commands=2/3", ps, client),
		fmt.Sprintf("postfix/anvil[%d]: statistics: max connection rate 1/60s for (smtp:%s) at %s", g.newPID(), ip, "Nov 22 10:00:00"),
	}
}

func (g *gen) firewall() []string {
	proto, dpt := g.pick([]string{"TCP", "TCP", "UDP"}), g.pick([]string{"23", "445", "3389", "8080", "5900", "1433"})
	return []string{fmt.Sprintf("kernel: [%d.%06d] [UFW BLOCK] IN=eth0 OUT= MAC=52:54:00:12:34:56:52:54:00:65:43:21:08:00 SRC=%s DST=192.0.2.10 LEN=44 TOS=0x00 PREC=0x00 TTL=243 ID=54321 PROTO=%s SPT=%d DPT=%s WINDOW=1024 RES=0x00 SYN URGP=0 ",
		g.r.IntN(900000), g.r.IntN(1e6), g.ip(), proto, 1024+g.r.IntN(60000), dpt)}
}

func (g *gen) sudo() []string {
	p, u := g.newPID(), g.pick(users[:4])
	cmd := g.pick([]string{"/usr/bin/apt update", "/usr/bin/systemctl restart nginx", "/usr/bin/journalctl -u postfix", "/usr/bin/tail -f /var/log/syslog"})
	return []string{
		fmt.Sprintf("sudo[%d]:    %s : TTY=pts/%d ; PWD=/home/%s ; USER=root ; COMMAND=%s", p, u, g.r.IntN(4), u, cmd),
		fmt.Sprintf("sudo[%d]: pam_unix(sudo:session): session opened for user root(uid=0) by %s(uid=%d)", p, u, 1000+g.r.IntN(4)),
		fmt.Sprintf("sudo[%d]: pam_unix(sudo:session): session closed for user root", p),
	}
}

func (g *gen) su() []string {
	p, u := g.newPID(), g.pick(users[:4])
	if g.r.IntN(4) == 0 {
		return []string{
			fmt.Sprintf("su[%d]: pam_unix(su:auth): authentication failure; logname=%s uid=1000 euid=0 tty=/dev/pts/0 ruser=%s rhost=  user=root", p, u, u),
			fmt.Sprintf("su[%d]: FAILED SU (to root) %s on pts/0", p, u),
		}
	}
	return []string{
		fmt.Sprintf("su[%d]: (to postgres) %s on pts/1", p, u),
		fmt.Sprintf("su[%d]: pam_unix(su-l:session): session opened for user postgres(uid=112) by %s(uid=1000)", p, u),
		fmt.Sprintf("su[%d]: pam_unix(su-l:session): session closed for user postgres", p),
	}
}

func (g *gen) smartd() []string {
	dev := g.pick([]string{"/dev/sda [SAT]", "/dev/sdb [SAT]", "/dev/sdc"}) // SCSI disks carry no type
	t := 30 + g.r.IntN(15)
	switch g.r.IntN(6) {
	case 0:
		return []string{fmt.Sprintf("smartd[588]: Device: %s, SMART Usage Attribute: 197 Current_Pending_Sector changed from 0 to %d", dev, 1+g.r.IntN(8))}
	case 1:
		return []string{fmt.Sprintf("smartd[588]: Device: %s, %d Currently unreadable (pending) sectors", dev, 1+g.r.IntN(8))}
	}
	return []string{fmt.Sprintf("smartd[588]: Device: %s, SMART Usage Attribute: 194 Temperature_Celsius changed from %d to %d", dev, t, t+1)}
}

func (g *gen) kernelMisc() []string {
	up := fmt.Sprintf("[%d.%06d]", g.r.IntN(900000), g.r.IntN(1e6))
	return []string{g.pick([]string{
		"kernel: " + up + " EXT4-fs (sda1): re-mounted. Quota mode: none.",
		"kernel: " + up + " ata1.00: exception Emask 0x0 SAct 0x0 SErr 0x0 action 0x6 frozen",
		"kernel: " + up + " end_request: I/O error, dev sdb, sector 1953525",
		"kernel: " + up + " TCP: request_sock_TCP: Possible SYN flooding on port 443. Sending cookies.  Check SNMP counters.",
		"kernel: " + up + " perf: interrupt took too long (2503 > 2500), lowering kernel.perf_event_max_sample_rate to 79750",
		"kernel: Oversized packet received from 198.51.100.77",
		"kernel: " + up + " Out of memory: Killed process 4242 (java) total-vm:9097475kB, anon-rss:2068191kB, file-rss:0kB, shmem-rss:0kB, UID:1001 pgtables:5260kB oom_score_adj:0",
	})}
}

func (g *gen) dhcp() []string {
	p := g.newPID()
	ip := fmt.Sprintf("192.0.2.%d", 10+g.r.IntN(200))
	return []string{
		fmt.Sprintf("dhclient[%d]: DHCPREQUEST for %s on eth0 to 192.0.2.1 port 67", p, ip),
		fmt.Sprintf("dhclient[%d]: DHCPACK of %s from 192.0.2.1", p, ip),
		fmt.Sprintf("dhclient[%d]: bound to %s -- renewal in %d seconds.", p, ip, 1000+g.r.IntN(2000)),
	}
}

// oddities are lines a real day has a few of: an unknown daemon, an
// application's own log line, a message with trailing white space.
func (g *gen) oddities() []string {
	return []string{g.pick([]string{
		fmt.Sprintf("myapp[%d]: worker 3 restarted after 2 failures", g.newPID()),
		fmt.Sprintf("dbus-daemon[398]: [system] Activating via systemd: service name='org.freedesktop.timedate1' unit='dbus-org.freedesktop.timedate1.service' requested by ':1.%d' (uid=0 pid=%d comm=\"timedatectl\")", g.r.IntN(900), g.newPID()),
		"systemd[1]: Reloading.",
		"systemd-timesyncd[399]: Initial clock synchronization to Sun 2026-11-22 10:00:01.123456 UTC.",
		fmt.Sprintf("unattended-upgrade[%d]: No packages found that can be upgraded unattended and no pending auto-removals  ", g.newPID()),
		"-- MARK --",
		"rsyslogd[512]: imuxsock: Acquired UNIX socket '/run/systemd/journal/syslog' (fd 3) from systemd.  [v8.2302.0]",
	})}
}
