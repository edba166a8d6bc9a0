// Package corpus generates reproducible, realistic syslog traffic for the
// examples, the tests and the benchmarks: Cisco ASA web traffic, sshd,
// postfix, cron, the kernel and an nginx access log, with realistic
// cardinalities (thousands of users and client addresses, tens of
// thousands of URLs) and Zipf-skewed popularity. The same seed always
// gives the same bytes.
package corpus

import (
	"fmt"
	"math/rand/v2"
	"strconv"
	"time"
)

// Format is the rsyslog template the lines are written in.
type Format string

const (
	Traditional Format = "traditional" // RSYSLOG_TraditionalFileFormat
	File        Format = "file"        // RSYSLOG_FileFormat (omprog's default)
	Protocol23  Format = "protocol23"  // RSYSLOG_SyslogProtocol23Format
	JSON        Format = "json"        // %jsonmesg%-like
)

// Config describes a corpus.
type Config struct {
	Seed          uint64
	Start         time.Time // time of the first line
	LinesPerMin   int       // lines per minute of log time
	Format        Format
	Mix           map[string]int // daemon → weight; nil = DefaultMix
	URLs          int            // distinct URL paths (default 20000)
	Servers       int            // distinct web servers (default 500)
	Users         int            // distinct users (default 2000)
	Clients       int            // distinct client addresses (default 5000)
	PadMessagesTo int            // pad messages with a trailing field to about this length (long-line benchmarks); 0 = off
	UniqueURLs    bool           // every URL is new: the worst case for top-N and distinct memory
}

// DefaultMix weights the daemons of a busy perimeter + mail + web site.
var DefaultMix = map[string]int{"asa": 40, "sshd": 10, "postfix": 15, "cron": 5, "kernel": 5, "nginx": 25}

// Daemons lists the daemon names a Mix may use, in a fixed order.
var Daemons = []string{"asa", "sshd", "postfix", "cron", "kernel", "nginx"}

// Generator produces lines one at a time.
type Generator struct {
	cfg     Config
	rng     *rand.Rand
	zURL    *rand.Zipf
	zServer *rand.Zipf
	zUser   *rand.Zipf
	zClient *rand.Zipf
	pick    []string // daemon per weight unit
	n       int
	urlSeq  uint64
}

// New returns a generator for cfg, filling defaults.
func New(cfg Config) *Generator {
	if cfg.Start.IsZero() {
		cfg.Start = time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)
	}
	if cfg.LinesPerMin <= 0 {
		cfg.LinesPerMin = 6000
	}
	if cfg.Format == "" {
		cfg.Format = Traditional
	}
	if cfg.Mix == nil {
		cfg.Mix = DefaultMix
	}
	def := func(v *int, d int) {
		if *v <= 0 {
			*v = d
		}
	}
	def(&cfg.URLs, 20000)
	def(&cfg.Servers, 500)
	def(&cfg.Users, 2000)
	def(&cfg.Clients, 5000)
	rng := rand.New(rand.NewPCG(cfg.Seed, cfg.Seed^0x9e3779b97f4a7c15))
	g := &Generator{
		cfg:     cfg,
		rng:     rng,
		zURL:    rand.NewZipf(rng, 1.1, 1, uint64(cfg.URLs-1)),
		zServer: rand.NewZipf(rng, 1.2, 1, uint64(cfg.Servers-1)),
		zUser:   rand.NewZipf(rng, 1.3, 1, uint64(cfg.Users-1)),
		zClient: rand.NewZipf(rng, 1.1, 1, uint64(cfg.Clients-1)),
	}
	for _, d := range Daemons {
		for i := 0; i < cfg.Mix[d]; i++ {
			g.pick = append(g.pick, d)
		}
	}
	return g
}

// Time returns the log time of line n.
func (g *Generator) Time(n int) time.Time {
	return g.cfg.Start.Add(time.Duration(n) * time.Minute / time.Duration(g.cfg.LinesPerMin))
}

// Next appends the next line (without newline) to dst and returns it with
// the daemon that produced it.
func (g *Generator) Next(dst []byte) ([]byte, string) {
	t := g.Time(g.n)
	g.n++
	d := g.pick[g.rng.IntN(len(g.pick))]
	host, prog, pid, msg := g.message(d)
	if g.cfg.PadMessagesTo > len(msg) {
		msg += " pad=" + string(padding[:min(len(padding), g.cfg.PadMessagesTo-len(msg)-5)])
	}
	return appendLine(dst, g.cfg.Format, t, host, prog, pid, msg, d), d
}

var padding = func() []byte {
	b := make([]byte, 4096)
	for i := range b {
		b[i] = "abcdefghijklmnopqrstuvwxyz0123456789"[i%36]
	}
	return b
}()

func (g *Generator) message(d string) (host, prog, pid, msg string) {
	r := g.rng
	switch d {
	case "asa":
		host = "fw" + strconv.Itoa(1+r.IntN(2))
		switch k := r.IntN(10); {
		case k < 5:
			return host, "%ASA-5-304001", "", fmt.Sprintf("%s Accessed URL %s%s", g.client(), g.server(), g.url())
		case k < 7:
			return host, "%ASA-6-302013", "", fmt.Sprintf("Built outbound TCP connection %d for outside:%s/443 (%s/443) to inside:%s/%d (%s/%d)",
				r.IntN(1<<30), g.publicIP(), g.publicIP(), g.client(), 1024+r.IntN(60000), g.client(), 1024+r.IntN(60000))
		case k < 9:
			return host, "%ASA-6-302014", "", fmt.Sprintf("Teardown TCP connection %d for outside:%s/443 to inside:%s/%d duration 0:00:%02d bytes %d TCP FINs",
				r.IntN(1<<30), g.publicIP(), g.client(), 1024+r.IntN(60000), r.IntN(60), r.IntN(1<<20))
		default:
			return host, "%ASA-4-106023", "", fmt.Sprintf("Deny tcp src outside:%s/%d dst inside:%s/%d by access-group \"outside_in\" [0x0, 0x0]",
				g.publicIP(), 1024+r.IntN(60000), g.client(), []int{22, 23, 445, 3389}[r.IntN(4)])
		}
	case "sshd":
		host = "bastion" + strconv.Itoa(1+r.IntN(3))
		pid = strconv.Itoa(1000 + r.IntN(60000))
		switch k := r.IntN(10); {
		case k < 4:
			return host, "sshd", pid, fmt.Sprintf("Accepted publickey for %s from %s port %d ssh2: RSA SHA256:%s", g.user(), g.client(), 1024+r.IntN(60000), g.hex(43))
		case k < 5:
			return host, "sshd", pid, fmt.Sprintf("Accepted password for %s from %s port %d ssh2", g.user(), g.client(), 1024+r.IntN(60000))
		case k < 7:
			return host, "sshd", pid, fmt.Sprintf("Failed password for invalid user %s from %s port %d ssh2", g.user(), g.publicIP(), 1024+r.IntN(60000))
		case k < 8:
			return host, "sshd", pid, fmt.Sprintf("Failed password for %s from %s port %d ssh2", g.user(), g.publicIP(), 1024+r.IntN(60000))
		case k < 9:
			return host, "sshd", pid, fmt.Sprintf("pam_unix(sshd:session): session opened for user %s(uid=%d) by (uid=0)", g.user(), 1000+r.IntN(5000))
		default:
			return host, "sshd", pid, fmt.Sprintf("Received disconnect from %s port %d:11: disconnected by user", g.client(), 1024+r.IntN(60000))
		}
	case "postfix":
		host = "mx" + strconv.Itoa(1+r.IntN(2))
		pid = strconv.Itoa(1000 + r.IntN(60000))
		qid := g.hex(10)
		switch k := r.IntN(10); {
		case k < 3:
			return host, "postfix/smtpd", pid, fmt.Sprintf("connect from mail%d.example.net[%s]", r.IntN(300), g.publicIP())
		case k < 5:
			return host, "postfix/smtpd", pid, fmt.Sprintf("disconnect from mail%d.example.net[%s] ehlo=1 mail=1 rcpt=1 data=1 quit=1 commands=5", r.IntN(300), g.publicIP())
		case k < 7:
			return host, "postfix/qmgr", pid, fmt.Sprintf("%s: from=<%s@example.org>, size=%d, nrcpt=1 (queue active)", qid, g.user(), 500+r.IntN(100000))
		case k < 9:
			return host, "postfix/smtp", pid, fmt.Sprintf("%s: to=<%s@example.com>, relay=mail.example.com[%s]:25, delay=%.2f, delays=0.1/0/0.2/0.3, dsn=2.0.0, status=sent (250 2.0.0 Ok)", qid, g.user(), g.publicIP(), r.Float64()*5)
		default:
			return host, "postfix/smtpd", pid, fmt.Sprintf("NOQUEUE: reject: RCPT from unknown[%s]: 554 5.7.1 Service unavailable; Client host [%s] blocked using zen.spamhaus.org", g.publicIP(), g.publicIP())
		}
	case "cron":
		host = "app" + strconv.Itoa(1+r.IntN(20))
		pid = strconv.Itoa(1000 + r.IntN(60000))
		if r.IntN(2) == 0 {
			return host, "CRON", pid, fmt.Sprintf("(%s) CMD (/usr/local/bin/job-%d.sh)", []string{"root", "www-data", "backup"}[r.IntN(3)], r.IntN(30))
		}
		return host, "CRON", pid, fmt.Sprintf("pam_unix(cron:session): session closed for user %s", []string{"root", "www-data", "backup"}[r.IntN(3)])
	case "kernel":
		host = "app" + strconv.Itoa(1+r.IntN(20))
		switch r.IntN(4) {
		case 0:
			return host, "kernel", "", fmt.Sprintf("[UFW BLOCK] IN=eth0 OUT= MAC=%s SRC=%s DST=10.0.0.%d LEN=60 PROTO=TCP SPT=%d DPT=%d", g.mac(), g.publicIP(), r.IntN(255), 1024+r.IntN(60000), []int{22, 23, 445, 3389}[r.IntN(4)])
		case 1:
			return host, "kernel", "", fmt.Sprintf("Out of memory: Killed process %d (java) total-vm:%dkB, anon-rss:%dkB", 1000+r.IntN(60000), r.IntN(1<<24), r.IntN(1<<22))
		case 2:
			return host, "kernel", "", fmt.Sprintf("EXT4-fs (sda%d): mounted filesystem with ordered data mode. Quota mode: none.", 1+r.IntN(4))
		default:
			return host, "kernel", "", "nf_conntrack: table full, dropping packet"
		}
	default: // nginx
		host = "web" + strconv.Itoa(1+r.IntN(8))
		status := []int{200, 200, 200, 200, 200, 200, 304, 301, 404, 500}[r.IntN(10)]
		return host, "nginx", strconv.Itoa(100 + r.IntN(20)), fmt.Sprintf("%s - - [22/Nov/2026:10:00:00 +0000] \"GET %s HTTP/1.1\" %d %d \"-\" \"Mozilla/5.0\" rt=%.3f",
			g.client(), g.url(), status, r.IntN(200000), r.ExpFloat64()*0.05)
	}
}

func (g *Generator) url() string {
	if g.cfg.UniqueURLs {
		g.urlSeq++
		return "/u/" + strconv.FormatUint(g.urlSeq, 36) + ".html"
	}
	return "/p/" + strconv.FormatUint(g.zURL.Uint64(), 36) + ".html"
}
func (g *Generator) server() string {
	return "www" + strconv.FormatUint(g.zServer.Uint64(), 10) + ".example.com"
}
func (g *Generator) user() string { return "user" + strconv.FormatUint(g.zUser.Uint64(), 10) }
func (g *Generator) client() string {
	c := g.zClient.Uint64()
	return fmt.Sprintf("10.%d.%d.%d", c>>16&255, c>>8&255, c&255)
}
func (g *Generator) publicIP() string {
	r := g.rng
	return fmt.Sprintf("%d.%d.%d.%d", 1+r.IntN(222), r.IntN(256), r.IntN(256), 1+r.IntN(254))
}
func (g *Generator) hex(n int) string {
	const digits = "0123456789ABCDEF"
	b := make([]byte, n)
	for i := range b {
		b[i] = digits[g.rng.IntN(16)]
	}
	return string(b)
}
func (g *Generator) mac() string {
	r := g.rng
	return fmt.Sprintf("%02x:%02x:%02x:%02x:%02x:%02x", r.IntN(256), r.IntN(256), r.IntN(256), r.IntN(256), r.IntN(256), r.IntN(256))
}
