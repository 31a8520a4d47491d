package fakeslack

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/gorilla/websocket"
)

// writeTimeout bounds every websocket write.
const writeTimeout = 10 * time.Second

// Envelope types.
const (
	TypeSlashCommands = "slash_commands"
	TypeInteractive   = "interactive"
	TypeEventsAPI     = "events_api"
)

// Envelope is a Socket Mode request pushed to the client with Send.
type Envelope struct {
	// Type is "slash_commands", "interactive" or "events_api".
	Type string
	// EnvelopeID is generated (unique) if empty.
	EnvelopeID string
	// Payload is marshalled as the "payload" field. Use json.RawMessage to
	// send pre-encoded JSON.
	Payload      any
	RetryAttempt int
	RetryReason  string
	// AcceptsResponsePayload is sent as accepts_response_payload. It is
	// always true for slash_commands and interactive envelopes unless
	// NoResponsePayload is set.
	AcceptsResponsePayload bool
	// NoResponsePayload forces accepts_response_payload to false.
	NoResponsePayload bool
}

// acceptsResponsePayload is the wire value of accepts_response_payload.
func (e Envelope) acceptsResponsePayload() bool {
	if e.NoResponsePayload {
		return false
	}
	return e.AcceptsResponsePayload || e.Type == TypeSlashCommands || e.Type == TypeInteractive
}

// wireEnvelope is an Envelope as written on the websocket.
type wireEnvelope struct {
	EnvelopeID             string `json:"envelope_id"`
	Type                   string `json:"type"`
	Payload                any    `json:"payload"`
	AcceptsResponsePayload bool   `json:"accepts_response_payload"`
	RetryAttempt           int    `json:"retry_attempt"`
	RetryReason            string `json:"retry_reason"`
}

// Ack is an acknowledgement received from the Socket Mode client.
type Ack struct {
	EnvelopeID string
	// Payload is the ack's "payload" field, nil if absent.
	Payload json.RawMessage
	// At is when the ack was received.
	At time.Time
	// SentAt is when the acknowledged envelope was written (zero if this
	// server did not send it).
	SentAt time.Time
}

// debugInfo is sent with hello and disconnect messages.
var debugInfo = map[string]any{"host": "fakeslack", "build_number": 1, "approximate_connection_time": 18060}

// wsConn is one Socket Mode websocket connection.
type wsConn struct {
	ws       *websocket.Conn
	writeMu  sync.Mutex    // gorilla allows one concurrent writer
	done     chan struct{} // closed when the read loop ends
	detached bool          // a disconnect was sent; guarded by Server.mu
}

// writeJSON serializes v as one text message.
func (c *wsConn) writeJSON(v any) error {
	data, err := json.Marshal(v)
	if err != nil {
		return err
	}
	c.writeMu.Lock()
	defer c.writeMu.Unlock()
	if err := c.ws.SetWriteDeadline(time.Now().Add(writeTimeout)); err != nil {
		return err
	}
	return c.ws.WriteMessage(websocket.TextMessage, data)
}

// writeRaw writes data as one message of messageType, as it is.
func (c *wsConn) writeRaw(messageType int, data []byte) error {
	c.writeMu.Lock()
	defer c.writeMu.Unlock()
	if err := c.ws.SetWriteDeadline(time.Now().Add(writeTimeout)); err != nil {
		return err
	}
	return c.ws.WriteMessage(messageType, data)
}

// SendRaw writes data, as it is, as one message of messageType
// (websocket.TextMessage or BinaryMessage) on the current Socket Mode
// connection, waiting for one if none is connected: a frame Slack would
// not send, to see the client survive it.
func (s *Server) SendRaw(ctx context.Context, messageType int, data []byte) error {
	c, err := s.current(ctx)
	if err != nil {
		return err
	}
	return c.writeRaw(messageType, data)
}

var upgrader = websocket.Upgrader{CheckOrigin: func(*http.Request) bool { return true }}

// handleSocket serves the Socket Mode websocket at /socket?ticket=N.
func (s *Server) handleSocket(w http.ResponseWriter, r *http.Request) {
	if !s.startSocketHandler() {
		http.Error(w, "server closed", http.StatusServiceUnavailable)
		return
	}
	defer s.wg.Done()
	if !s.useTicket(r.URL.Query().Get("ticket")) {
		http.Error(w, "invalid ticket", http.StatusUnauthorized)
		return
	}
	ws, err := upgrader.Upgrade(w, r, nil)
	if err != nil {
		return // Upgrade already answered the client.
	}
	ws.SetReadLimit(maxBodyBytes)
	c := &wsConn{ws: ws, done: make(chan struct{})}
	defer s.dropConn(c)
	if !s.addConn(c) {
		return
	}
	s.mu.Lock()
	before := s.BeforeHello
	s.mu.Unlock()
	for _, frame := range before {
		if err := c.writeRaw(websocket.TextMessage, frame); err != nil {
			return
		}
	}
	if err := c.writeJSON(helloMessage()); err != nil {
		return
	}
	s.markConnected(c)
	s.wg.Go(func() { s.pingLoop(c) })
	s.readLoop(c)
}

// startSocketHandler counts a websocket handler in s.wg unless the server is
// closed. Adding under s.mu keeps wg.Add ordered before Close's wg.Wait.
func (s *Server) startSocketHandler() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return false
	}
	s.wg.Add(1)
	return true
}

// useTicket consumes a ticket issued by apps.connections.open.
func (s *Server) useTicket(ticket string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.tickets[ticket] {
		return false
	}
	delete(s.tickets, ticket)
	return true
}

func helloMessage() map[string]any {
	return map[string]any{
		"type":            "hello",
		"num_connections": 1,
		"connection_info": map[string]any{"app_id": AppID},
		"debug_info":      debugInfo,
	}
}

// addConn registers c so Close can reach it; false if the server is closed.
func (s *Server) addConn(c *wsConn) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return false
	}
	c.detached = true // not a Send target until hello is written
	s.conns = append(s.conns, c)
	c.ws.SetPongHandler(func(string) error {
		s.mu.Lock()
		defer s.mu.Unlock()
		s.pongs++
		s.broadcastLocked()
		return nil
	})
	return true
}

// markConnected makes c a Send target once its hello has been written.
func (s *Server) markConnected(c *wsConn) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c.detached = false
	s.connects++
	s.broadcastLocked()
}

// dropConn closes and forgets c.
func (s *Server) dropConn(c *wsConn) {
	_ = c.ws.Close()
	s.mu.Lock()
	defer s.mu.Unlock()
	s.conns = slices.DeleteFunc(s.conns, func(x *wsConn) bool { return x == c })
	s.broadcastLocked()
}

// currentLocked is the newest live connection that has been sent hello and
// no disconnect. s.mu must be held.
func (s *Server) currentLocked() *wsConn {
	for i := len(s.conns) - 1; i >= 0; i-- {
		if !s.conns[i].detached {
			return s.conns[i]
		}
	}
	return nil
}

// pingInterval returns the effective ping interval (<= 0: no pings).
func (s *Server) pingInterval() time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.PingInterval == 0 {
		return DefaultPingInterval
	}
	return s.PingInterval
}

// pingLoop sends PING control frames until the connection or server ends.
func (s *Server) pingLoop(c *wsConn) {
	interval := s.pingInterval()
	if interval < 0 {
		return
	}
	ticker := time.NewTicker(interval)
	defer ticker.Stop()
	for {
		select {
		case <-ticker.C:
			deadline := time.Now().Add(writeTimeout)
			if err := c.ws.WriteControl(websocket.PingMessage, []byte("ping"), deadline); err != nil {
				return
			}
		case <-c.done:
			return
		case <-s.done:
			return
		}
	}
}

// readLoop records acks until the connection fails.
func (s *Server) readLoop(c *wsConn) {
	defer close(c.done)
	var buf bytes.Buffer // reused: what is kept of a message is copied out
	for {
		_, rd, err := c.ws.NextReader()
		if err != nil {
			return
		}
		buf.Reset()
		if _, err := buf.ReadFrom(rd); err != nil {
			return
		}
		data := buf.Bytes()
		id, payload, ok := parseAck(data)
		if !ok {
			var msg struct {
				EnvelopeID string          `json:"envelope_id"`
				Payload    json.RawMessage `json:"payload"`
			}
			if json.Unmarshal(data, &msg) != nil || msg.EnvelopeID == "" {
				continue
			}
			id, payload = msg.EnvelopeID, msg.Payload
		}
		s.recordAck(id, payload)
	}
}

// parseAck reads an ack written as {"envelope_id":"ID"} or
// {"envelope_id":"ID","payload":VALUE} (as both caseconf and Bolt write
// them) without decoding VALUE, which is only checked to be one JSON value
// — and not even that when it is the same bytes as the last payload that
// was: a benchmark's thousands of identical acks cost the fake, which shares
// the machine with the app, next to nothing. Anything else is left to
// json.Unmarshal (ok false); what it returns is what json.Unmarshal would.
func parseAck(data []byte) (id string, payload json.RawMessage, ok bool) {
	rest, found := bytes.CutPrefix(data, []byte(`{"envelope_id":"`))
	if !found {
		return "", nil, false
	}
	end := bytes.IndexByte(rest, '"')
	if end <= 0 || bytes.ContainsFunc(rest[:end], func(r rune) bool { return r < 0x20 || r == '\\' || r == utf8.RuneError }) {
		return "", nil, false
	}
	id, rest = string(rest[:end]), rest[end+1:]
	if string(rest) == "}" {
		return id, nil, true
	}
	p, found := bytes.CutPrefix(rest, []byte(`,"payload":`))
	if !found || len(p) < 2 || p[len(p)-1] != '}' {
		return "", nil, false
	}
	p = bytes.Trim(p[:len(p)-1], " \t\r\n")
	if last := lastAckPayload.Load(); last == nil || !bytes.Equal(*last, p) {
		if !json.Valid(p) {
			return "", nil, false
		}
		good := bytes.Clone(p)
		lastAckPayload.Store(&good)
	}
	return id, bytes.Clone(p), true
}

// lastAckPayload is the last ack payload parseAck found to be one JSON
// value.
var lastAckPayload atomic.Pointer[[]byte]

func (s *Server) recordAck(envelopeID string, payload json.RawMessage) {
	at := time.Now() // before locking: waiting for s.mu is not the client's latency
	refusal := checkAck(payload)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.refuseLocked(refusal)
	if _, seen := s.firstAck[envelopeID]; !seen {
		s.firstAck[envelopeID] = len(s.acks)
		for _, ch := range s.ackWaiters[envelopeID] {
			close(ch)
		}
		delete(s.ackWaiters, envelopeID)
	}
	s.acks = append(s.acks, Ack{
		EnvelopeID: envelopeID,
		Payload:    payload,
		At:         at,
		SentAt:     s.sentAt[envelopeID],
	})
	s.broadcastLocked()
}

// WaitConnected blocks until a Socket Mode client is connected and has been
// sent hello (and no disconnect since).
func (s *Server) WaitConnected(ctx context.Context) error {
	return s.waitFor(ctx, func() bool { return s.currentLocked() != nil })
}

// Connections returns how many Socket Mode connections have been established
// (sent hello) since the server started.
func (s *Server) Connections() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.connects
}

// WaitConnections blocks until at least n Socket Mode connections have been
// established in total and one is currently usable.
func (s *Server) WaitConnections(ctx context.Context, n int) error {
	return s.waitFor(ctx, func() bool { return s.connects >= n && s.currentLocked() != nil })
}

// Pongs returns how many websocket PONG frames the clients have sent.
func (s *Server) Pongs() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.pongs
}

// current waits for a usable connection.
func (s *Server) current(ctx context.Context) (*wsConn, error) {
	var c *wsConn
	err := s.waitFor(ctx, func() bool {
		c = s.currentLocked()
		return c != nil
	})
	return c, err
}

// Send writes e to the current Socket Mode connection, waiting for one if
// none is connected, and returns its envelope id.
func (s *Server) Send(ctx context.Context, e Envelope) (string, error) {
	if e.EnvelopeID == "" {
		e.EnvelopeID = fmt.Sprintf("envelope-%d", nextSeq())
	}
	c, err := s.current(ctx)
	if err != nil {
		return "", err
	}
	s.mu.Lock()
	s.sentAt[e.EnvelopeID] = time.Now()
	s.mu.Unlock()
	err = c.writeJSON(wireEnvelope{
		EnvelopeID:             e.EnvelopeID,
		Type:                   e.Type,
		Payload:                e.Payload,
		AcceptsResponsePayload: e.acceptsResponsePayload(),
		RetryAttempt:           e.RetryAttempt,
		RetryReason:            e.RetryReason,
	})
	if err != nil {
		return "", fmt.Errorf("fakeslack: sending envelope: %w", err)
	}
	return e.EnvelopeID, nil
}

// WaitAck blocks until the envelope is acknowledged and returns the first ack
// for it.
func (s *Server) WaitAck(ctx context.Context, envelopeID string) (Ack, error) {
	s.mu.Lock()
	if i, acked := s.firstAck[envelopeID]; acked {
		ack := s.acks[i]
		s.mu.Unlock()
		return ack, nil
	}
	if s.closed {
		s.mu.Unlock()
		return Ack{}, ErrClosed
	}
	// Woken by this envelope's ack only: a hundred senders waiting at once
	// are not all woken by every ack.
	ch := make(chan struct{})
	s.ackWaiters[envelopeID] = append(s.ackWaiters[envelopeID], ch)
	s.mu.Unlock()
	select {
	case <-ch:
		s.mu.Lock()
		defer s.mu.Unlock()
		return s.acks[s.firstAck[envelopeID]], nil
	case <-ctx.Done():
		s.dropAckWaiter(envelopeID, ch)
		return Ack{}, ctx.Err()
	case <-s.done:
		s.dropAckWaiter(envelopeID, ch)
		return Ack{}, ErrClosed
	}
}

func (s *Server) dropAckWaiter(envelopeID string, ch chan struct{}) {
	s.mu.Lock()
	defer s.mu.Unlock()
	w := slices.DeleteFunc(s.ackWaiters[envelopeID], func(c chan struct{}) bool { return c == ch })
	if len(w) == 0 {
		delete(s.ackWaiters, envelopeID)
	} else {
		s.ackWaiters[envelopeID] = w
	}
}

// Acks returns a copy of all acks received, in arrival order.
func (s *Server) Acks() []Ack {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Ack, len(s.acks))
	for i, a := range s.acks {
		a.Payload = slices.Clone(a.Payload)
		out[i] = a
	}
	return out
}

// SendDisconnect sends {"type":"disconnect","reason":reason} on the current
// connection. From then on that connection is no longer a Send target (acks
// on it are still read); the client is expected to close it and reconnect
// through apps.connections.open.
func (s *Server) SendDisconnect(reason string) error {
	s.mu.Lock()
	c := s.currentLocked()
	if c != nil {
		c.detached = true
		s.broadcastLocked()
	}
	s.mu.Unlock()
	if c == nil {
		return ErrNotConnected
	}
	return c.writeJSON(map[string]any{"type": "disconnect", "reason": reason, "debug_info": debugInfo})
}
