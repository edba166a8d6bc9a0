package outputs

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/logtally/logtally/tally"
)

// deadline is an upper bound for anything a test waits for; it never
// decides an outcome on a fast machine.
const deadline = 20 * time.Second

var sendTime = time.Date(2026, 11, 22, 10, 2, 0, 123456789, time.UTC)

func testSyslogConfig(network, addr string) SyslogConfig {
	return SyslogConfig{
		Network:    network,
		Address:    addr,
		Host:       "testhost",
		PID:        4242,
		Now:        func() time.Time { return sendTime },
		MinBackoff: time.Millisecond,
		MaxBackoff: 10 * time.Millisecond,
	}
}

func newSyslog(t *testing.T, cfg SyslogConfig) *Syslog {
	t.Helper()
	s, err := NewSyslog(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

func minuteOf(cats ...string) []tally.Summary {
	var m []tally.Summary
	for _, c := range cats {
		m = append(m, tally.Summary{Category: c, Minute: fixtureMinute, Lines: 1})
	}
	return m
}

func kvOf(cat string) string {
	return "category=" + cat + " minute=2026-11-22T10:01:00Z lines=1 matched=0 ignored=0 unknown=0 late=0"
}

func readDatagrams(t *testing.T, c net.PacketConn, n int) []string {
	t.Helper()
	var got []string
	buf := make([]byte, 65536)
	_ = c.SetReadDeadline(time.Now().Add(deadline))
	for len(got) < n {
		k, _, err := c.ReadFrom(buf)
		if err != nil {
			t.Fatalf("after %d datagrams: %v", len(got), err)
		}
		got = append(got, string(buf[:k]))
	}
	return got
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	end := time.Now().Add(deadline)
	for !cond() {
		if time.Now().After(end) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(time.Millisecond)
	}
}

func TestSyslogUnixgram(t *testing.T) {
	path := filepath.Join(t.TempDir(), "log.sock")
	ln, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: path, Net: "unixgram"})
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	s := newSyslog(t, testSyslogConfig("unixgram", path))
	if err := s.Write(fixture()); err != nil {
		t.Fatal(err)
	}
	got := readDatagrams(t, ln, 2)
	for i, sum := range fixture() {
		// RFC 3164 on a unix socket: no hostname, like syslog(3).
		want := "<30>Nov 22 10:02:00 summarydata[4242]: " + string(AppendKV(nil, &sum))
		if got[i] != want {
			t.Errorf("datagram %d\n got %q\nwant %q", i, got[i], want)
		}
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if s.Sent() != 2 || s.Dropped() != 0 {
		t.Errorf("sent %d dropped %d", s.Sent(), s.Dropped())
	}
	if err := s.Write(minuteOf("x")); !errors.Is(err, ErrClosed) {
		t.Errorf("Write after Close: %v", err)
	}
}

func TestSyslogUDP(t *testing.T) {
	tests := []struct {
		name string
		cfg  func(*SyslogConfig)
		want string
	}{
		{"rfc3164 with hostname", func(c *SyslogConfig) {},
			"<30>Nov 22 10:02:00 testhost summarydata[4242]: " + kvOf("udp")},
		{"rfc3164 hostname never", func(c *SyslogConfig) { c.Hostname = HostnameNever },
			"<30>Nov 22 10:02:00 summarydata[4242]: " + kvOf("udp")},
		{"rfc5424 local0.notice", func(c *SyslogConfig) { c.Format = RFC5424; c.Priority = "local0.notice" },
			"<133>1 2026-11-22T10:02:00.123456Z testhost summarydata 4242 - - " + kvOf("udp")},
		{"rfc3164 day padding and tag", func(c *SyslogConfig) {
			c.Now = func() time.Time { return time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC) }
			c.Tag = "summ"
			c.Priority = "13"
		}, "<13>Jan  2 03:04:05 testhost summ[4242]: " + kvOf("udp")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ln, err := net.ListenPacket("udp", "127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			defer ln.Close()
			cfg := testSyslogConfig("udp", ln.LocalAddr().String())
			tt.cfg(&cfg)
			s := newSyslog(t, cfg)
			if err := s.Write(minuteOf("udp")); err != nil {
				t.Fatal(err)
			}
			if got := readDatagrams(t, ln, 1)[0]; got != tt.want {
				t.Errorf("\n got %q\nwant %q", got, tt.want)
			}
		})
	}
}

func TestSyslogTCP(t *testing.T) {
	tests := []struct {
		name    string
		cfg     func(*SyslogConfig)
		prefix  string
		octet   bool
		network string
	}{
		{"rfc3164 LF", func(c *SyslogConfig) {}, "<30>Nov 22 10:02:00 testhost summarydata[4242]: ", false, "tcp"},
		{"rfc5424 octet counting", func(c *SyslogConfig) { c.Format = RFC5424 },
			"<30>1 2026-11-22T10:02:00.123456Z testhost summarydata 4242 - - ", true, "tcp"},
		{"rfc5424 forced LF", func(c *SyslogConfig) { c.Format = RFC5424; c.Framing = FramingLF },
			"<30>1 2026-11-22T10:02:00.123456Z testhost summarydata 4242 - - ", false, "tcp"},
		{"rfc3164 octet counting on unix stream", func(c *SyslogConfig) { c.Framing = FramingOctetCounting },
			"<30>Nov 22 10:02:00 summarydata[4242]: ", true, "unix"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			addr := "127.0.0.1:0"
			if tt.network == "unix" {
				addr = filepath.Join(t.TempDir(), "s")
			}
			ln, err := net.Listen(tt.network, addr)
			if err != nil {
				t.Fatal(err)
			}
			defer ln.Close()
			cfg := testSyslogConfig(tt.network, ln.Addr().String())
			tt.cfg(&cfg)
			s := newSyslog(t, cfg)
			if err := s.Write(minuteOf("a", "b")); err != nil {
				t.Fatal(err)
			}
			if err := s.Write(minuteOf("c")); err != nil {
				t.Fatal(err)
			}
			conn, err := ln.Accept()
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			_ = conn.SetReadDeadline(time.Now().Add(deadline))
			r := bufio.NewReader(conn)
			for _, cat := range []string{"a", "b", "c"} {
				want := tt.prefix + kvOf(cat)
				var got string
				if tt.octet {
					n, err := r.ReadString(' ')
					if err != nil {
						t.Fatal(err)
					}
					size, err := strconv.Atoi(strings.TrimSuffix(n, " "))
					if err != nil {
						t.Fatalf("bad octet count %q", n)
					}
					b := make([]byte, size)
					if _, err := io.ReadFull(r, b); err != nil {
						t.Fatal(err)
					}
					got = string(b)
				} else {
					line, err := r.ReadString('\n')
					if err != nil {
						t.Fatal(err)
					}
					got = strings.TrimSuffix(line, "\n")
				}
				if got != want {
					t.Errorf("\n got %q\nwant %q", got, want)
				}
			}
			if err := s.Close(); err != nil {
				t.Fatal(err)
			}
			if s.Sent() != 3 {
				t.Errorf("sent %d", s.Sent())
			}
		})
	}
}

// The target is missing, lines queue and the oldest overflow; when the
// socket appears the surviving lines are delivered in order.
func TestSyslogTargetAppears(t *testing.T) {
	path := filepath.Join(t.TempDir(), "late.sock")
	cfg := testSyslogConfig("unixgram", path)
	cfg.Backlog = 3
	s := newSyslog(t, cfg)
	for i := range 5 {
		if err := s.Write(minuteOf(fmt.Sprint("c", i))); err != nil {
			t.Fatal(err)
		}
	}
	if s.Dropped() != 2 {
		t.Errorf("dropped %d, want 2", s.Dropped())
	}
	if s.Queued() != 3 {
		t.Errorf("queued %d, want 3", s.Queued())
	}
	waitFor(t, "a dial error", func() bool { return s.Err() != nil })
	if err := s.Err(); !strings.Contains(err.Error(), "outputs: syslog: dial unixgram "+path) {
		t.Errorf("Err() = %v", err)
	}

	ln, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: path, Net: "unixgram"})
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	got := readDatagrams(t, ln, 3)
	// Drop-oldest never drops the line on the wire, so which two of c0..c3
	// were dropped depends on timing; order and the newest line do not.
	last := -1
	for _, d := range got {
		i := strings.Index(d, "category=c")
		n, _ := strconv.Atoi(d[i+len("category=c") : i+len("category=c")+1])
		if n <= last {
			t.Errorf("out of order: %q", got)
		}
		last = n
	}
	if last != 4 {
		t.Errorf("newest line c4 not delivered: %q", got)
	}
	waitFor(t, "Sent() == 3", func() bool { return s.Sent() == 3 })
	if s.Err() != nil {
		t.Errorf("Err() after success = %v", s.Err())
	}
	if err := s.Close(); err != nil {
		t.Errorf("Close: %v", err)
	}
	if s.Dropped() != 2 {
		t.Errorf("dropped %d, want 2", s.Dropped())
	}
}

// The receiver goes away: sends fail, lines are kept and delivered to the
// socket that replaces it.
func TestSyslogTargetRestarts(t *testing.T) {
	path := filepath.Join(t.TempDir(), "r.sock")
	ln, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: path, Net: "unixgram"})
	if err != nil {
		t.Fatal(err)
	}
	s := newSyslog(t, testSyslogConfig("unixgram", path))
	if err := s.Write(minuteOf("first")); err != nil {
		t.Fatal(err)
	}
	readDatagrams(t, ln, 1)
	waitFor(t, "Sent() == 1", func() bool { return s.Sent() == 1 })
	ln.Close() // removes nothing: unlink the path as a restarting daemon would
	if err := removeIfExists(path); err != nil {
		t.Fatal(err)
	}
	if err := s.Write(minuteOf("second")); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "a send error", func() bool { return s.Err() != nil })
	ln2, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: path, Net: "unixgram"})
	if err != nil {
		t.Fatal(err)
	}
	defer ln2.Close()
	if got := readDatagrams(t, ln2, 1)[0]; !strings.HasSuffix(got, kvOf("second")) {
		t.Errorf("got %q", got)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if s.Dropped() != 0 || s.Sent() != 2 {
		t.Errorf("sent %d dropped %d", s.Sent(), s.Dropped())
	}
}

func TestSyslogCloseGivesUp(t *testing.T) {
	path := filepath.Join(t.TempDir(), "never.sock")
	cfg := testSyslogConfig("unixgram", path)
	cfg.CloseTimeout = 20 * time.Millisecond
	s, err := NewSyslog(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Write(minuteOf("a", "b", "c")); err != nil {
		t.Fatal(err)
	}
	// The close timeout has run out (an injected timer, already fired):
	// Close must give up although the sender is still retrying.
	expired := make(chan time.Time)
	close(expired)
	var timeout time.Duration
	s.closeTimer = func(d time.Duration) <-chan time.Time { timeout = d; return expired }
	err = s.Close()
	if err == nil || !strings.Contains(err.Error(), "outputs: syslog: close unixgram "+path+": 3 lines undelivered after 20ms") {
		t.Errorf("Close: %v", err)
	}
	if timeout != cfg.CloseTimeout {
		t.Errorf("Close waited %v, want CloseTimeout %v", timeout, cfg.CloseTimeout)
	}
	if s.Dropped() != 3 || s.Sent() != 0 || s.Queued() != 0 {
		t.Errorf("dropped %d sent %d queued %d", s.Dropped(), s.Sent(), s.Queued())
	}
	if err := s.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
}

// A TCP peer that accepts one connection and never reads, then stops
// listening: writes hit their deadline, reconnects are refused, Close gives
// up within its bound and reports the loss; Write never blocked.
func TestSyslogStuckTCPPeer(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	accepted := make(chan net.Conn, 1)
	go func() {
		c, err := ln.Accept()
		ln.Close()
		if err == nil {
			accepted <- c
		}
		close(accepted)
	}()
	cfg := testSyslogConfig("tcp", ln.Addr().String())
	cfg.SendTimeout = 50 * time.Millisecond
	cfg.CloseTimeout = 200 * time.Millisecond
	cfg.Backlog = 1000
	s, err := NewSyslog(cfg)
	if err != nil {
		t.Fatal(err)
	}
	big := minuteOf("x")
	big[0].Category = strings.Repeat("x", 64000)
	const n = 600 // ~38 MB: far more than loopback socket buffers hold
	for range n {
		if err := s.Write(big); err != nil {
			t.Fatal(err)
		}
	}
	if c, ok := <-accepted; ok {
		defer c.Close()
	}
	// Close's own timeout is replaced by a channel the test fires: Close
	// returns once it fires although the peer never reads, so it is bounded
	// by CloseTimeout and not by the socket. (SendTimeout stays real time:
	// it is the write deadline of a real socket.)
	giveUp := make(chan time.Time)
	s.closeTimer = func(time.Duration) <-chan time.Time { return giveUp }
	closed := make(chan error, 1)
	go func() { closed <- s.Close() }()
	close(giveUp)
	err = <-closed
	if err == nil || !strings.Contains(err.Error(), "lines undelivered") {
		t.Errorf("Close: %v", err)
	}
	if s.Sent()+s.Dropped() != n || s.Dropped() == 0 {
		t.Errorf("sent %d + dropped %d, want %d with drops", s.Sent(), s.Dropped(), n)
	}
}

func TestSyslogConfigErrors(t *testing.T) {
	for _, cfg := range []SyslogConfig{
		{Network: "tcp"},
		{Network: "carrier-pigeon", Address: "x"},
		{Priority: "daemon.loud"},
		{Priority: "192"},
		{Tag: "two words"},
		{Format: 7},
	} {
		if s, err := NewSyslog(cfg); err == nil {
			_ = s.Close()
			t.Errorf("%+v accepted", cfg)
		}
	}
}

func removeIfExists(path string) error {
	err := os.Remove(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	return err
}
