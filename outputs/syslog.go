package outputs

import (
	"context"
	"errors"
	"fmt"
	"github.com/logtally/logtally/internal/syslogpri"
	"net"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/logtally/logtally/tally"
)

// SyslogFormat selects the syslog header.
type SyslogFormat int

const (
	// RFC3164 is the traditional BSD header, what syslog(3) and the article
	// send: "<PRI>Mmm dd hh:mm:ss [host ]summarydata[PID]: kv".
	RFC3164 SyslogFormat = iota
	// RFC5424 is "<PRI>1 TIMESTAMP HOST summarydata PID - - kv".
	RFC5424
)

// SyslogFraming selects how messages are delimited on stream transports
// (tcp, unix). Datagram transports (unixgram, udp) send one message per
// datagram and ignore it.
type SyslogFraming int

const (
	// FramingDefault is FramingLF for RFC3164 (what rsyslog's imtcp and
	// every traditional receiver expect) and FramingOctetCounting for
	// RFC5424 (RFC 6587 section 3.4.1, what RFC 5425/6587 receivers expect).
	FramingDefault SyslogFraming = iota
	// FramingLF terminates each message with "\n". Safe because the kv line
	// never contains a newline.
	FramingLF
	// FramingOctetCounting prefixes each message with its length and a space.
	FramingOctetCounting
)

// HostnameMode says whether an RFC 3164 header carries the hostname.
type HostnameMode int

const (
	// HostnameAuto omits the hostname on unix sockets (like syslog(3):
	// rsyslog's imuxsock does not parse one unless ParseHostname="on" and
	// would take it for the tag) and sends it on udp/tcp.
	HostnameAuto HostnameMode = iota
	HostnameAlways
	HostnameNever
)

// SyslogConfig configures a Syslog output. Zero values take the defaults.
type SyslogConfig struct {
	// Network is "unixgram" (default), "unix" (stream), "udp" or "tcp".
	Network string
	// Address is a socket path for unixgram/unix (default /dev/log) or
	// host:port for udp/tcp (required).
	Address  string
	Format   SyslogFormat
	Framing  SyslogFraming
	Hostname HostnameMode
	// Priority is "facility.severity" (default "daemon.info", the article's
	// <30>) or a number 0..191.
	Priority string
	// Tag is the RFC 3164 tag / RFC 5424 APP-NAME (default "summarydata").
	Tag string
	// Host is the hostname written in the header (default os.Hostname()).
	Host string
	// PID is written in the header (default os.Getpid()).
	PID int
	// Backlog is how many lines may wait for the sender (default 10000).
	// When it is full the oldest waiting line is dropped and counted.
	Backlog int
	// SendTimeout bounds each dial and each write (default 1s).
	SendTimeout time.Duration
	// CloseTimeout bounds how long Close drains the backlog (default 2s).
	CloseTimeout time.Duration
	// MinBackoff and MaxBackoff bound the wait between failed attempts
	// (defaults 100ms and 5s; doubled after each consecutive failure).
	MinBackoff, MaxBackoff time.Duration
	// Now stamps headers (default time.Now). RFC 3164 timestamps are
	// written in Now's location, RFC 5424 ones with its offset.
	Now func() time.Time
}

// ErrClosed is returned by Write after Close.
var ErrClosed = errors.New("output closed")

// Syslog sends one key=value line (see AppendKV) per category per minute to
// a syslog socket, typically back into rsyslog through a dedicated imuxsock
// socket.
//
// Write only formats and queues, so it never blocks counting; a goroutine
// owned by the Syslog sends. Each dial and write has a deadline; after a
// failure the connection is dropped and the same queued line is retried
// after a backoff, so delivery is at-least-once (a TCP write that failed
// half-way is resent whole on the new connection). A message the socket
// rejects as too large (EMSGSIZE) is dropped, not retried. When the backlog
// is full the oldest line not being sent is dropped; Dropped counts those,
// and the pipeline should report the count in its next summary. Close
// drains the backlog for at most CloseTimeout, then drops the rest and
// returns an error saying how many lines were lost.
type Syslog struct {
	cfg    SyslogConfig
	target string // "unixgram /dev/log", for errors
	prefix []byte // "<30>" / "<30>1 "
	stream bool
	octet  bool

	ctx    context.Context // cancelled when Close gives up
	cancel context.CancelFunc
	done   chan struct{} // closed when the sender goroutine returns
	// closeTimer starts Close's CloseTimeout; tests replace it to decide
	// when Close gives up instead of waiting for the clock.
	closeTimer func(time.Duration) <-chan time.Time

	mu       sync.Mutex
	cond     *sync.Cond
	queue    [][]byte // formatted messages, unframed; queue[0] is the oldest
	inflight bool     // queue[0] is being sent
	closing  bool
	conn     net.Conn
	lastErr  error
	closed   bool

	sent    atomic.Uint64
	dropped atomic.Uint64
	buf     []byte // Write's scratch, single goroutine
}

// NewSyslog validates cfg, applies defaults and starts the sender. The
// target need not exist yet: lines queue until it appears.
func NewSyslog(cfg SyslogConfig) (*Syslog, error) {
	if cfg.Network == "" {
		cfg.Network = "unixgram"
	}
	switch cfg.Network {
	case "unixgram", "unix":
		if cfg.Address == "" {
			cfg.Address = "/dev/log"
		}
	case "udp", "udp4", "udp6", "tcp", "tcp4", "tcp6":
		if cfg.Address == "" {
			return nil, fmt.Errorf("outputs: syslog: %s needs an address (host:port)", cfg.Network)
		}
	default:
		return nil, fmt.Errorf("outputs: syslog: unknown network %q (want unixgram, unix, udp or tcp)", cfg.Network)
	}
	if cfg.Format != RFC3164 && cfg.Format != RFC5424 {
		return nil, fmt.Errorf("outputs: syslog: unknown format %d", cfg.Format)
	}
	if cfg.Priority == "" {
		cfg.Priority = "daemon.info"
	}
	pri, err := syslogpri.Parse(cfg.Priority)
	if err != nil {
		return nil, fmt.Errorf("outputs: syslog: %w", err)
	}
	if cfg.Tag == "" {
		cfg.Tag = "summarydata"
	}
	if strings.ContainsAny(cfg.Tag, " :[]\t\n") {
		return nil, fmt.Errorf("outputs: syslog: tag %q must not contain spaces, ':' or brackets", cfg.Tag)
	}
	if cfg.Host == "" {
		cfg.Host, _ = os.Hostname()
	}
	if cfg.PID == 0 {
		cfg.PID = os.Getpid()
	}
	if cfg.Backlog <= 0 {
		cfg.Backlog = 10000
	}
	if cfg.SendTimeout <= 0 {
		cfg.SendTimeout = time.Second
	}
	if cfg.CloseTimeout <= 0 {
		cfg.CloseTimeout = 2 * time.Second
	}
	if cfg.MinBackoff <= 0 {
		cfg.MinBackoff = 100 * time.Millisecond
	}
	if cfg.MaxBackoff < cfg.MinBackoff {
		cfg.MaxBackoff = max(5*time.Second, cfg.MinBackoff)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	s := &Syslog{
		cfg:    cfg,
		target: cfg.Network + " " + cfg.Address,
		stream: cfg.Network == "unix" || strings.HasPrefix(cfg.Network, "tcp"),
		done:   make(chan struct{}),

		closeTimer: time.After,
	}
	s.octet = cfg.Framing == FramingOctetCounting || cfg.Framing == FramingDefault && cfg.Format == RFC5424
	s.prefix = append(s.prefix, '<')
	s.prefix = strconv.AppendInt(s.prefix, int64(pri), 10)
	s.prefix = append(s.prefix, '>')
	if cfg.Format == RFC5424 {
		s.prefix = append(s.prefix, "1 "...)
	}
	s.cond = sync.NewCond(&s.mu)
	s.ctx, s.cancel = context.WithCancel(context.Background())
	go s.run()
	return s, nil
}

// Write formats one line per summary and queues them; it never waits for
// the network.
func (s *Syslog) Write(minute []tally.Summary) error {
	now := s.cfg.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closing {
		return fmt.Errorf("outputs: syslog: write %s: %w", s.target, ErrClosed)
	}
	for i := range minute {
		s.buf = s.appendHeader(s.buf[:0], now)
		s.buf = AppendKV(s.buf, &minute[i])
		s.push(append([]byte(nil), s.buf...))
	}
	s.cond.Signal()
	return nil
}

// Send queues one free-form message (an alert line) with the output's
// header; like Write it never waits for the network.
func (s *Syslog) Send(msg string) error {
	now := s.cfg.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closing {
		return fmt.Errorf("outputs: syslog: write %s: %w", s.target, ErrClosed)
	}
	s.buf = append(s.appendHeader(s.buf[:0], now), msg...)
	s.push(append([]byte(nil), s.buf...))
	s.cond.Signal()
	return nil
}

// Sent is the number of lines written to the socket.
func (s *Syslog) Sent() uint64 { return s.sent.Load() }

// Dropped is the number of lines lost: backlog overflow, rejected as too
// large, or still queued when Close gave up.
func (s *Syslog) Dropped() uint64 { return s.dropped.Load() }

// Queued is the number of lines waiting to be sent.
func (s *Syslog) Queued() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.queue)
}

// Err is the last send error, or nil once a line was sent after it.
func (s *Syslog) Err() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.lastErr
}

// Close stops accepting lines, drains the backlog for at most
// CloseTimeout, then abandons what is left (counted in Dropped) and returns
// an error naming how many lines were lost and the last send error.
// Close waits for the sender goroutine before returning.
func (s *Syslog) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	s.closing = true
	s.cond.Broadcast()
	s.mu.Unlock()

	select {
	case <-s.done:
	case <-s.closeTimer(s.cfg.CloseTimeout):
		s.cancel()
		s.mu.Lock()
		if s.conn != nil {
			_ = s.conn.Close() // unblocks a write in progress
		}
		s.cond.Broadcast()
		s.mu.Unlock()
		<-s.done
	}
	s.cancel()

	s.mu.Lock()
	defer s.mu.Unlock()
	if s.conn != nil {
		_ = s.conn.Close()
		s.conn = nil
	}
	left := len(s.queue)
	s.queue = nil
	if left == 0 {
		return nil
	}
	s.dropped.Add(uint64(left))
	err := fmt.Errorf("outputs: syslog: close %s: %d lines undelivered after %v", s.target, left, s.cfg.CloseTimeout)
	if s.lastErr != nil {
		err = fmt.Errorf("%w: %w", err, s.lastErr)
	}
	return err
}

// push queues msg, dropping the oldest line not in flight when full.
// Called with mu held.
func (s *Syslog) push(msg []byte) {
	if len(s.queue) >= s.cfg.Backlog {
		s.dropped.Add(1)
		switch {
		case !s.inflight:
			s.queue[0] = nil
			s.queue = s.queue[1:]
		case len(s.queue) >= 2:
			s.queue[1] = s.queue[0]
			s.queue[0] = nil
			s.queue = s.queue[1:]
		default: // Backlog 1 and that line is on the wire: drop the new one
			return
		}
	}
	s.queue = append(s.queue, msg)
}

func (s *Syslog) appendHeader(dst []byte, now time.Time) []byte {
	dst = append(dst, s.prefix...)
	if s.cfg.Format == RFC5424 {
		dst = now.AppendFormat(dst, "2006-01-02T15:04:05.000000Z07:00")
		dst = append(dst, ' ')
		if s.cfg.Host == "" {
			dst = append(dst, '-')
		} else {
			dst = append(dst, s.cfg.Host...)
		}
		dst = append(dst, ' ')
		dst = append(dst, s.cfg.Tag...)
		dst = append(dst, ' ')
		dst = strconv.AppendInt(dst, int64(s.cfg.PID), 10)
		return append(dst, " - - "...)
	}
	dst = now.AppendFormat(dst, time.Stamp)
	dst = append(dst, ' ')
	withHost := s.cfg.Hostname == HostnameAlways ||
		s.cfg.Hostname == HostnameAuto && !strings.HasPrefix(s.cfg.Network, "unix")
	if withHost && s.cfg.Host != "" {
		dst = append(dst, s.cfg.Host...)
		dst = append(dst, ' ')
	}
	dst = append(dst, s.cfg.Tag...)
	dst = append(dst, '[')
	dst = strconv.AppendInt(dst, int64(s.cfg.PID), 10)
	return append(dst, "]: "...)
}

// next waits for a line to send. It returns false when the Syslog is
// closing with an empty queue, or when Close gave up.
func (s *Syslog) next() ([]byte, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for len(s.queue) == 0 && !s.closing && s.ctx.Err() == nil {
		s.cond.Wait()
	}
	if len(s.queue) == 0 || s.ctx.Err() != nil {
		return nil, false
	}
	s.inflight = true
	return s.queue[0], true
}

// finish records the outcome of sending queue[0].
func (s *Syslog) finish(err error, drop bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.inflight = false
	if err != nil {
		s.lastErr = err
	} else {
		s.lastErr = nil
		s.sent.Add(1)
	}
	if (err == nil || drop) && len(s.queue) > 0 {
		if drop {
			s.dropped.Add(1)
		}
		s.queue[0] = nil
		s.queue = s.queue[1:]
	}
}

func (s *Syslog) setConn(c net.Conn) {
	s.mu.Lock()
	s.conn = c
	s.mu.Unlock()
}

// run is the sender goroutine; Close waits for it.
func (s *Syslog) run() {
	defer close(s.done)
	var (
		conn    net.Conn
		frame   []byte
		backoff time.Duration
		dialer  = net.Dialer{Timeout: s.cfg.SendTimeout}
	)
	fail := func(err error, drop bool) {
		if conn != nil {
			_ = conn.Close()
			conn = nil
			s.setConn(nil)
		}
		s.finish(err, drop)
		if drop {
			return
		}
		backoff = min(max(2*backoff, s.cfg.MinBackoff), s.cfg.MaxBackoff)
		t := time.NewTimer(backoff)
		select {
		case <-t.C:
		case <-s.ctx.Done():
			t.Stop()
		}
	}
	for {
		msg, ok := s.next()
		if !ok {
			if conn != nil {
				_ = conn.Close()
			}
			return
		}
		if conn == nil {
			c, err := dialer.DialContext(s.ctx, s.cfg.Network, s.cfg.Address)
			if err != nil {
				fail(fmt.Errorf("outputs: syslog: dial %s: %w", s.target, err), false)
				continue
			}
			conn = c
			s.setConn(c)
		}
		frame = frame[:0]
		if s.stream && s.octet {
			frame = strconv.AppendInt(frame, int64(len(msg)), 10)
			frame = append(frame, ' ')
		}
		frame = append(frame, msg...)
		if s.stream && !s.octet {
			frame = append(frame, '\n')
		}
		_ = conn.SetWriteDeadline(time.Now().Add(s.cfg.SendTimeout))
		if _, err := conn.Write(frame); err != nil {
			fail(fmt.Errorf("outputs: syslog: send %s: %w", s.target, err), errors.Is(err, syscall.EMSGSIZE))
			continue
		}
		backoff = 0
		s.finish(nil, false)
	}
}
