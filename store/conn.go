package store

import (
	"context"
	"database/sql/driver"
	"errors"
	"net"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/lib/pq"
)

// Bounds on talking to PostgreSQL. lib/pq does not abort a blocked read when
// a context ends (it sends a cancel request over a new connection and keeps
// waiting), so a database that accepts connections and then answers nothing
// (a partition, a stuck failover) would otherwise hold every caller forever.
const (
	// DefaultConnectTimeout is used when the DSN sets no connect_timeout:
	// dialling plus the start-up handshake, and each cancel request.
	DefaultConnectTimeout = 5 * time.Second

	// DefaultStatementTimeout is the server-side statement_timeout set on
	// every pooled connection when the DSN sets none. caseconf's queries
	// take milliseconds; the server ends one that runs this long.
	DefaultStatementTimeout = 10 * time.Second

	// readGrace is how much longer than the statement timeout one read from
	// the server may block before the connection is given up as dead, so a
	// legitimately slow statement is ended by the server first.
	readGrace = 5 * time.Second

	// tcpUserTimeout bounds how long sent data may stay unacknowledged, and
	// the keep-alive settings how long an idle peer may stay silent, before
	// the kernel fails the connection.
	tcpUserTimeout    = 15 * time.Second
	keepAliveIdle     = 15 * time.Second
	keepAliveInterval = 5 * time.Second
	keepAliveCount    = 3
)

// connSettings are the per-connection bounds a connector applies.
type connSettings struct {
	// readTimeout bounds each read and write on the connection; zero means
	// none (the caller's context and TCP keep-alive still apply).
	readTimeout time.Duration
}

// prepareConfig parses dsn (a URL or key=value string) and fills in the
// timeouts it does not set. It returns the config for pooled connections and
// the read timeout that goes with its statement_timeout.
func prepareConfig(dsn string) (pq.Config, connSettings, error) {
	cfg, err := pq.NewConfig(dsn)
	if err != nil {
		return pq.Config{}, connSettings{}, err
	}
	if cfg.ConnectTimeout <= 0 && !strings.Contains(dsn, "connect_timeout=") {
		// connect_timeout=0, given, means wait for ever: the operator's
		// choice is kept.
		cfg.ConnectTimeout = DefaultConnectTimeout
	}
	if !strings.Contains(dsn, "binary_parameters=") {
		// One round trip per query instead of two (lib/pq otherwise
		// prepares each statement first). We send no []byte parameters,
		// the only ones this changes the encoding of.
		cfg.BinaryParameters = true
	}
	cfg = cfg.Clone()
	if cfg.Runtime == nil {
		cfg.Runtime = map[string]string{}
	}
	st, given := statementTimeout(cfg)
	if !given {
		st = DefaultStatementTimeout
		cfg.Runtime["statement_timeout"] = strconv.FormatInt(st.Milliseconds(), 10)
	}
	s := connSettings{}
	if st > 0 {
		s.readTimeout = st + readGrace
	}
	return cfg, s, nil
}

// migrationConfig is cfg for the connection migrations run on: a migration
// may rewrite a large table, or wait for another replica's, so it has no
// statement timeout and no read bound other than its context.
func migrationConfig(cfg pq.Config) (pq.Config, connSettings) {
	cfg = cfg.Clone()
	cfg.Runtime["statement_timeout"] = "0"
	return cfg, connSettings{}
}

// statementTimeout reports the statement_timeout the DSN asks for, as a
// runtime parameter or in options (-c statement_timeout=...), and whether it
// asks for one at all. A value that cannot be read counts as the default.
func statementTimeout(cfg pq.Config) (time.Duration, bool) {
	if v, ok := cfg.Runtime["statement_timeout"]; ok {
		return parsePGDuration(v), true
	}
	// PostgreSQL takes "-c statement_timeout=", "--statement_timeout=" and
	// "--statement-timeout=", and obeys the last one given.
	opts := strings.ReplaceAll(cfg.Options, "statement-timeout=", "statement_timeout=")
	if i := strings.LastIndex(opts, "statement_timeout="); i >= 0 {
		v, _, _ := strings.Cut(opts[i+len("statement_timeout="):], " ")
		return parsePGDuration(v), true
	}
	return 0, false
}

// parsePGDuration reads a PostgreSQL time setting ("5000", "5s", "1min");
// one it cannot read counts as DefaultStatementTimeout.
func parsePGDuration(v string) time.Duration {
	v = strings.Trim(strings.TrimSpace(v), `'"`)
	i := strings.IndexFunc(v, func(r rune) bool { return (r < '0' || r > '9') && r != '.' })
	num, unit := v, "ms"
	if i >= 0 {
		num, unit = v[:i], strings.TrimSpace(v[i:])
	}
	n, err := strconv.ParseFloat(num, 64)
	if err != nil {
		return DefaultStatementTimeout
	}
	mult := map[string]time.Duration{"us": time.Microsecond, "ms": time.Millisecond, "s": time.Second,
		"min": time.Minute, "h": time.Hour, "d": 24 * time.Hour}[unit]
	if mult == 0 {
		return DefaultStatementTimeout
	}
	return time.Duration(n * float64(mult))
}

// connector opens pq connections whose network connections are bounded: see
// boundedConn. Each connection gets its own dialer, so that the cancel
// request lib/pq dials when a caller's context ends can be recognised and
// the stuck connection aborted at once.
type connector struct {
	cfg      pq.Config
	settings connSettings
}

var _ driver.Connector = (*connector)(nil)

func (c *connector) Driver() driver.Driver { return &pq.Driver{} }

func (c *connector) Connect(ctx context.Context) (driver.Conn, error) {
	d := &connDialer{settings: c.settings}
	pc, err := pq.NewConnectorConfig(c.cfg)
	if err != nil {
		return nil, err
	}
	pc.Dialer(d)
	// lib/pq bounds the handshake by connect_timeout only; make the
	// caller's context end it too.
	stop := context.AfterFunc(ctx, d.abortPrimary)
	cn, err := pc.Connect(ctx)
	if !stop() && err == nil {
		_ = cn.Close()
		return nil, ctx.Err()
	}
	if err != nil {
		return nil, err
	}
	d.opened()
	return cn, nil
}

// connDialer dials for one pq connection: first the connection itself
// (possibly more than once while lib/pq tries hosts or SSL modes), then,
// once open, only cancel requests. lib/pq marks a connection bad before it
// dials a cancel for it, so a cancel dial also aborts that connection's
// blocked read: the caller gets its error now, not when the server (which
// may be unreachable) answers.
type connDialer struct {
	settings connSettings

	mu      sync.Mutex
	primary *boundedConn
	open    bool
}

func (d *connDialer) opened() {
	d.mu.Lock()
	d.open = true
	d.mu.Unlock()
}

func (d *connDialer) abortPrimary() {
	d.mu.Lock()
	p := d.primary
	d.mu.Unlock()
	if p != nil {
		p.abort()
	}
}

func (d *connDialer) Dial(network, address string) (net.Conn, error) {
	return d.DialContext(context.Background(), network, address)
}

func (d *connDialer) DialTimeout(network, address string, timeout time.Duration) (net.Conn, error) {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	return d.DialContext(ctx, network, address)
}

func (d *connDialer) DialContext(ctx context.Context, network, address string) (net.Conn, error) {
	d.mu.Lock()
	cancelRequest := d.open
	d.mu.Unlock()
	if cancelRequest {
		d.abortPrimary()
	}
	nd := net.Dialer{
		KeepAliveConfig: net.KeepAliveConfig{
			Enable: true, Idle: keepAliveIdle, Interval: keepAliveInterval, Count: keepAliveCount,
		},
		Control: setTCPUserTimeout(tcpUserTimeout),
	}
	nc, err := nd.DialContext(ctx, network, address)
	if err != nil {
		return nil, err
	}
	bc := &boundedConn{Conn: nc, timeout: d.settings.readTimeout}
	if cancelRequest {
		// A cancel request is one write and a read until EOF, bounded by
		// connect_timeout, which lib/pq sets as its deadline.
		bc.timeout = 0
		return bc, nil
	}
	d.mu.Lock()
	d.primary = bc
	d.mu.Unlock()
	return bc, nil
}

// errAborted is the cause of the error a read or write returns once the
// connection has been aborted.
var errAborted = errors.New("database connection abandoned: the server did not answer in time")

// boundedConn sets a deadline before each read and write (the earlier of
// timeout from now and any deadline lib/pq set, such as connect_timeout's),
// so a server that stops answering costs at most timeout per call; and it
// can be aborted from another goroutine, failing a blocked read at once.
// Its errors are *net.OpError, which lib/pq takes as a broken connection:
// the pool then discards it.
type boundedConn struct {
	net.Conn
	timeout time.Duration

	mu            sync.Mutex
	readDeadline  time.Time // set by the user of the connection
	writeDeadline time.Time
	aborted       atomic.Bool
}

func (c *boundedConn) abort() {
	c.aborted.Store(true)
	_ = c.Conn.SetDeadline(time.Unix(1, 0))
}

func (c *boundedConn) opError(op string) error {
	return &net.OpError{Op: op, Net: "tcp", Source: c.LocalAddr(), Addr: c.RemoteAddr(), Err: errAborted}
}

func (c *boundedConn) deadline(outer time.Time) time.Time {
	if c.timeout <= 0 {
		return outer
	}
	d := time.Now().Add(c.timeout)
	if !outer.IsZero() && outer.Before(d) {
		return outer
	}
	return d
}

func (c *boundedConn) Read(b []byte) (int, error) {
	if c.aborted.Load() {
		return 0, c.opError("read")
	}
	c.mu.Lock()
	outer := c.readDeadline
	c.mu.Unlock()
	if err := c.Conn.SetReadDeadline(c.deadline(outer)); err != nil {
		return 0, err
	}
	// abort sets aborted before its deadline: checking again after ours
	// means either we see it, or its deadline overrides ours.
	if c.aborted.Load() {
		return 0, c.opError("read")
	}
	n, err := c.Conn.Read(b)
	if err != nil && c.aborted.Load() {
		err = c.opError("read")
	}
	return n, err
}

func (c *boundedConn) Write(b []byte) (int, error) {
	if c.aborted.Load() {
		return 0, c.opError("write")
	}
	c.mu.Lock()
	outer := c.writeDeadline
	c.mu.Unlock()
	if err := c.Conn.SetWriteDeadline(c.deadline(outer)); err != nil {
		return 0, err
	}
	if c.aborted.Load() {
		return 0, c.opError("write")
	}
	n, err := c.Conn.Write(b)
	if err != nil && c.aborted.Load() {
		err = c.opError("write")
	}
	return n, err
}

func (c *boundedConn) SetDeadline(t time.Time) error {
	c.mu.Lock()
	c.readDeadline, c.writeDeadline = t, t
	c.mu.Unlock()
	if c.aborted.Load() {
		return nil
	}
	return c.Conn.SetDeadline(t)
}

func (c *boundedConn) SetReadDeadline(t time.Time) error {
	c.mu.Lock()
	c.readDeadline = t
	c.mu.Unlock()
	if c.aborted.Load() {
		return nil
	}
	return c.Conn.SetReadDeadline(t)
}

func (c *boundedConn) SetWriteDeadline(t time.Time) error {
	c.mu.Lock()
	c.writeDeadline = t
	c.mu.Unlock()
	if c.aborted.Load() {
		return nil
	}
	return c.Conn.SetWriteDeadline(t)
}
