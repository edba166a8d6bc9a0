// Package omprog speaks rsyslog's omprog feedback protocol (rsyslog 8.2302)
// on behalf of a child that counts lines.
//
// The protocol, as omprog implements it (plugins/omprog/omprog.c):
//
//   - With confirmMessages="on" the child writes "OK\n" when it is ready,
//     then exactly one status line per line rsyslog sends. "OK" means done;
//     "DEFER_COMMIT" and "PREVIOUS_COMMITTED" are transaction replies;
//     anything else makes rsyslog keep the message and re-send it later.
//     rsyslog waits for each status (confirmTimeout, default 10 s) before it
//     sends the next line, and restarts the child when none comes.
//   - Leading dots on a status line are stripped by rsyslog, and every byte
//     that arrives restarts its timeout: a child that needs long for a line
//     writes "." now and then, and the status later (".....OK\n").
//   - With useTransactions="on" every batch is framed by a begin mark and a
//     commit mark (default "BEGIN TRANSACTION" / "COMMIT TRANSACTION"), each
//     on a line of its own and each answered with a status when
//     confirmations are on. The marks are not messages: Reader removes them.
//   - Without confirmations the child's stdout is not read at all and
//     nothing is ever written to it.
//
// Nothing but status lines (and keep-alive dots) is ever written to the
// reply writer: diagnostics belong on stderr.
package omprog

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"
)

// Replies rsyslog understands.
const (
	ReplyOK                = "OK"
	ReplyDeferCommit       = "DEFER_COMMIT"
	ReplyPreviousCommitted = "PREVIOUS_COMMITTED"
)

// Default transaction marks (omprog's beginTransactionMark and
// commitTransactionMark defaults).
const (
	DefaultBeginMark  = "BEGIN TRANSACTION"
	DefaultCommitMark = "COMMIT TRANSACTION"
)

// DefaultKeepAlive is how long a reply may be owed before a keep-alive dot
// is written: well below omprog's default confirmTimeout of 10 s.
const DefaultKeepAlive = 2 * time.Second

// ErrClosed is returned by Ack after Close.
var ErrClosed = errors.New("omprog: protocol closed")

// Config selects the protocol features; they must match the omprog action.
type Config struct {
	Confirm      bool   // confirmMessages="on"
	Transactions bool   // useTransactions="on"
	BeginMark    string // beginTransactionMark; default DefaultBeginMark
	CommitMark   string // commitTransactionMark; default DefaultCommitMark
	// KeepAlive: when a reply has been owed this long, write a '.' (and
	// again every KeepAlive). 0 means DefaultKeepAlive; negative disables.
	KeepAlive time.Duration
	// Now is the clock (tests); default time.Now.
	Now func() time.Time
	// KeepAliveTicks, when set, replaces the ticker (every KeepAlive/4)
	// that wakes the keep-alive check (tests drive it with Now).
	KeepAliveTicks <-chan time.Time
}

// Validate checks the marks: they must be single non-empty lines, distinct.
func (c Config) Validate() error {
	if !c.Transactions {
		return nil
	}
	b, m := c.marks()
	for _, s := range []string{b, m} {
		if strings.ContainsAny(s, "\n\r") {
			return fmt.Errorf("omprog: transaction mark %q spans lines", s)
		}
	}
	if b == m {
		return fmt.Errorf("omprog: begin and commit marks are both %q", b)
	}
	return nil
}

func (c Config) marks() (begin, commit string) {
	begin, commit = c.BeginMark, c.CommitMark
	if begin == "" {
		begin = DefaultBeginMark
	}
	if commit == "" {
		commit = DefaultCommitMark
	}
	return begin, commit
}

// Protocol owes rsyslog one reply per line it read, in order. The engine
// reads messages through Reader and calls Ack once it has counted them.
//
// Concurrency: Reader's Read is called from one goroutine (the line
// reader), Ack from another (the counting goroutine); both may run at the
// same time as the keep-alive goroutine. Replies go out in the order the
// lines were read whatever the interleaving. Close stops the keep-alive
// goroutine and waits for it; no reply is written after Close.
type Protocol struct {
	cfg    Config
	out    io.Writer
	reader io.Reader

	mu       sync.Mutex
	queue    []owed // replies owed, oldest first
	acked    int    // Acks not yet matched by a message read (see Ack)
	writes   uint64 // writes so far: keepAlive's sign of life, without a clock read per reply
	buf      []byte
	writeErr error
	closed   bool

	stop chan struct{}
	done chan struct{}
}

// owed is a run of replies: msgs messages waiting for their Ack, or (msgs
// == 0) a mark reply that can go as soon as everything before it went.
type owed struct {
	msgs int
	mark string
}

// New returns the protocol between rsyslog's pipe in and the reply writer
// out (the child's stdout). Nothing is written until Start.
func New(in io.Reader, out io.Writer, cfg Config) *Protocol {
	if cfg.KeepAlive == 0 {
		cfg.KeepAlive = DefaultKeepAlive
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	p := &Protocol{cfg: cfg, out: out, stop: make(chan struct{}), done: make(chan struct{})}
	switch {
	case cfg.Transactions:
		begin, commit := cfg.marks()
		p.reader = &txReader{in: in, p: p, begin: []byte(begin), commit: []byte(commit)}
	case cfg.Confirm:
		p.reader = &countingReader{in: in, p: p}
	default:
		p.reader = in
	}
	return p
}

// Start announces readiness: with confirmations it writes "OK\n" (rsyslog
// sends nothing before it), and starts the keep-alive goroutine.
func (p *Protocol) Start() error {
	if !p.cfg.Confirm {
		close(p.done)
		return nil
	}
	p.mu.Lock()
	err := p.write(ReplyOK + "\n")
	p.mu.Unlock()
	if err != nil {
		close(p.done)
		return err
	}
	if p.cfg.KeepAlive < 0 {
		close(p.done)
		return nil
	}
	go p.keepAlive()
	return nil
}

// Reader is the message stream: rsyslog's lines with the transaction marks
// removed. Read it from one goroutine.
func (p *Protocol) Reader() io.Reader { return p.reader }

// Ack reports that the next n messages read through Reader have been
// counted: their replies ("OK", or "DEFER_COMMIT" inside a transaction) are
// written, flushed, together with any mark replies that were waiting
// behind them. Without confirmations it does nothing.
func (p *Protocol) Ack(n int) error {
	if !p.cfg.Confirm || n <= 0 {
		return nil
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return ErrClosed
	}
	p.acked += n
	return p.flush()
}

// Close stops the keep-alive goroutine. It does not close in or out.
func (p *Protocol) Close() error {
	p.mu.Lock()
	if !p.closed {
		p.closed = true
		if p.cfg.Confirm && p.cfg.KeepAlive > 0 {
			close(p.stop)
		}
	}
	p.mu.Unlock()
	<-p.done
	return nil
}

// readMessages records n messages read (called by the readers).
func (p *Protocol) readMessages(n int) {
	if !p.cfg.Confirm || n == 0 {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if q := len(p.queue); q > 0 && p.queue[q-1].msgs > 0 {
		p.queue[q-1].msgs += n
	} else {
		p.queue = append(p.queue, owed{msgs: n})
	}
	if p.acked > 0 && !p.closed {
		_ = p.flush() // an early Ack (see flush); errors resurface on the next Ack
	}
}

// readMark records a transaction mark read; its reply goes out at once
// unless message replies are still owed before it.
func (p *Protocol) readMark() error {
	if !p.cfg.Confirm {
		return nil
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.queue = append(p.queue, owed{mark: ReplyOK})
	if p.closed {
		return ErrClosed
	}
	return p.flush()
}

// flush writes every reply that is due, in order, in one write. Called
// with mu held.
//
// Acks may run ahead of readMessages by a hair (the engine can count a
// line the reader has handed over before the reader's bookkeeping ran);
// the surplus waits in acked for the next messages.
func (p *Protocol) flush() error {
	if p.writeErr != nil {
		return p.writeErr
	}
	msgReply := ReplyOK
	if p.cfg.Transactions {
		msgReply = ReplyDeferCommit
	}
	buf := p.buf[:0]
	i := 0
	for ; i < len(p.queue); i++ {
		o := &p.queue[i]
		if o.msgs == 0 {
			buf = append(buf, o.mark...)
			buf = append(buf, '\n')
			continue
		}
		k := min(o.msgs, p.acked)
		for range k {
			buf = append(buf, msgReply...)
			buf = append(buf, '\n')
		}
		o.msgs -= k
		p.acked -= k
		if o.msgs > 0 {
			break
		}
	}
	p.queue = p.queue[:copy(p.queue, p.queue[i:])]
	p.buf = buf
	if len(buf) == 0 {
		return nil
	}
	return p.writeBytes(buf)
}

func (p *Protocol) write(s string) error {
	p.buf = append(p.buf[:0], s...)
	return p.writeBytes(p.buf)
}

func (p *Protocol) writeBytes(b []byte) error {
	_, err := p.out.Write(b)
	if err != nil {
		p.writeErr = fmt.Errorf("omprog: write reply: %w", err)
		return p.writeErr
	}
	p.writes++
	return nil
}

// owes reports whether a message reply is outstanding. Called with mu held.
func (p *Protocol) owes() bool {
	return len(p.queue) > 0 && p.queue[0].msgs > 0
}

// keepAlive writes a '.' whenever a reply has been owed for KeepAlive
// without anything written, so rsyslog's confirmTimeout does not restart a
// child that is merely slow (a blocked output, a slow disk).
func (p *Protocol) keepAlive() {
	defer close(p.done)
	ticks := p.cfg.KeepAliveTicks
	if ticks == nil {
		t := time.NewTicker(p.cfg.KeepAlive / 4)
		defer t.Stop()
		ticks = t.C
	}
	var owedSince time.Time
	// The last write is noticed at the next tick, not timed: a clock read
	// per reply costs more than the ticks do, and a dot that comes a
	// quarter of KeepAlive late is still far inside confirmTimeout.
	seenWrites, quietSince := uint64(0), p.cfg.Now()
	for {
		select {
		case <-p.stop:
			return
		case <-ticks:
		}
		p.mu.Lock()
		now := p.cfg.Now()
		if p.writes != seenWrites {
			seenWrites, quietSince = p.writes, now
		}
		switch {
		case !p.owes():
			owedSince = time.Time{}
		case owedSince.IsZero():
			owedSince = now
		case now.Sub(owedSince) >= p.cfg.KeepAlive && now.Sub(quietSince) >= p.cfg.KeepAlive && p.writeErr == nil:
			_ = p.write(".")
		}
		p.mu.Unlock()
	}
}
