// Package fakeslack is a fake Slack server for tests.
//
// It speaks the real wire protocol, so an unmodified slack-go client and a
// socketmode.Client can run against it:
//
//	fake := fakeslack.New()
//	defer fake.Close()
//	api := slack.New("xoxb-test",
//		slack.OptionAPIURL(fake.APIURL()),
//		slack.OptionAppLevelToken("xapp-test"))
//	smc := socketmode.New(api)
//
// Every Web API call is recorded (see Calls, CallsTo, WaitForCalls) so a test
// can assert exactly what the bot sent, and calls can be scripted to fail or
// to be slow (see FailNext). Socket Mode envelopes are pushed with Send and
// their acknowledgements collected with WaitAck.
//
// Like Slack, the fake refuses a message or view that breaks Slack's
// limits (limits.go), answering with Slack's error; every refusal is also
// kept, so a test can fail on any (see Refusals).
package fakeslack

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"time"

	"github.com/slack-go/slack"
)

// Identity of the fake workspace and bot, as reported by auth.test and used in
// generated payloads.
const (
	TeamID     = "T0TEST"
	TeamName   = "Test"
	TeamDomain = "test"
	AppID      = "A0TEST"
	BotUserID  = "UBOT"
	BotName    = "caseconf"
	BotID      = "BBOT"
	Command    = "/caseconf"
)

// DefaultPingInterval is the default value of Server.PingInterval.
const DefaultPingInterval = 2 * time.Second

// ErrClosed is returned by waiting methods when the server is closed.
var ErrClosed = errors.New("fakeslack: server closed")

// ErrNotConnected is returned by SendDisconnect when no Socket Mode client is
// connected.
var ErrNotConnected = errors.New("fakeslack: no socket mode connection")

// Server is a fake Slack Web API and Socket Mode endpoint. Create it with New
// and release it with Close. All methods are safe for concurrent use.
type Server struct {
	// PingInterval is how often websocket PING frames are sent to Socket Mode
	// clients. Set it before the client connects; it is read once per
	// connection. Zero means DefaultPingInterval; negative disables pings
	// (useful to test a client's ping timeout handling).
	PingInterval time.Duration
	// BeforeHello, if set, is written as text frames on each new Socket
	// Mode connection before hello (a disconnect Slack sends before
	// hello, say). Set it before the client connects.
	BeforeHello [][]byte

	srv  *httptest.Server
	done chan struct{}
	wg   sync.WaitGroup // websocket handlers and their pingers

	mu      sync.Mutex
	closed  bool
	changed chan struct{} // closed and replaced on every state change

	users    map[string]slack.User
	failures map[string][]Failure
	outages  map[string]Failure // FailEvery
	handlers map[string]func(Call) any
	calls    []Call
	refusals []Refusal // payloads refused as Slack would; see validate.go

	messages map[messageKey]bool   // posted messages, for chat.update/delete
	views    map[string]*viewState // by view id
	modals   []string              // ids of the modals opened or pushed, in order
	extViews map[string]string     // external_id -> view id
	homes    map[string]string     // user id -> home tab view id
	opened   map[string]bool       // conversations already opened
	files    map[string]*Upload    // by file id, from files.getUploadURLExternal
	uploads  []string              // file ids in the order they were asked for

	tickets  map[string]bool // issued, unused websocket tickets
	conns    []*wsConn       // live websocket connections, oldest first
	connects int             // connections that have been sent hello
	pongs    int
	acks     []Ack
	firstAck map[string]int // envelope id -> index in acks of its first ack
	// ackWaiters are WaitAck's callers, by envelope id, each woken by its
	// own ack alone (not by every change, as waitFor's are).
	ackWaiters map[string][]chan struct{}
	sentAt     map[string]time.Time // envelope id -> when it was written
}

// New starts a fake Slack server on 127.0.0.1 with a random port.
func New() *Server {
	s := &Server{
		PingInterval: DefaultPingInterval,
		done:         make(chan struct{}),
		changed:      make(chan struct{}),
		users:        map[string]slack.User{},
		failures:     map[string][]Failure{},
		outages:      map[string]Failure{},
		handlers:     map[string]func(Call) any{},
		messages:     map[messageKey]bool{},
		views:        map[string]*viewState{},
		extViews:     map[string]string{},
		homes:        map[string]string{},
		opened:       map[string]bool{},
		files:        map[string]*Upload{},
		tickets:      map[string]bool{},
		sentAt:       map[string]time.Time{},
		firstAck:     map[string]int{},
		ackWaiters:   map[string][]chan struct{}{},
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/api/", s.handleAPI)
	mux.HandleFunc("/response/", s.handleResponseURL)
	mux.HandleFunc("/upload/", s.handleUpload)
	mux.HandleFunc("/socket", s.handleSocket)
	s.srv = httptest.NewServer(mux)
	return s
}

// Close closes all websocket connections, stops the HTTP server and waits for
// the server's goroutines to finish. In-flight delayed calls are cut short.
// It is safe to call Close more than once.
func (s *Server) Close() {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return
	}
	s.closed = true
	conns := append([]*wsConn(nil), s.conns...)
	s.broadcastLocked()
	s.mu.Unlock()

	close(s.done)
	for _, c := range conns {
		_ = c.ws.Close()
	}
	s.srv.Close()
	s.wg.Wait()
}

// URL returns the server root, without a trailing slash.
func (s *Server) URL() string { return s.srv.URL }

// APIURL returns the Web API base URL, ending in "/api/", for
// slack.OptionAPIURL.
func (s *Server) APIURL() string { return s.srv.URL + "/api/" }

// ResponseURL returns a response_url on this server for the given id. Posts to
// it are recorded as calls with Method "response_url" and ResponseURLID id.
func (s *Server) ResponseURL(id string) string { return s.srv.URL + "/response/" + id }

// websocketURL returns the Socket Mode URL for a ticket.
func (s *Server) websocketURL(ticket string) string {
	return "ws://" + strings.TrimPrefix(s.srv.URL, "http://") + "/socket?ticket=" + ticket
}

// AddUser makes u known to users.info. Adding a user with the same ID again
// replaces it.
func (s *Server) AddUser(u slack.User) {
	if u.ID == "" {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.users[u.ID] = u
}

// Handle overrides the answer for a Web API method: fn receives the recorded
// call and its result is JSON-encoded as the 200 response body. Token checks,
// scripted failures and the refusal of payloads Slack refuses still apply
// first. Pass nil to restore the built-in
// behaviour.
func (s *Server) Handle(method string, fn func(Call) any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if fn == nil {
		delete(s.handlers, method)
		return
	}
	s.handlers[method] = fn
}

// broadcastLocked wakes every waiter. s.mu must be held.
func (s *Server) broadcastLocked() {
	close(s.changed)
	s.changed = make(chan struct{})
}

// waitFor blocks until cond, evaluated with s.mu held, is true, ctx is done or
// the server is closed.
func (s *Server) waitFor(ctx context.Context, cond func() bool) error {
	for {
		s.mu.Lock()
		ok := cond()
		changed := s.changed
		closed := s.closed
		s.mu.Unlock()
		switch {
		case ok:
			return nil
		case closed:
			return ErrClosed
		}
		select {
		case <-changed:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// sleep waits for d, returning early if the server closes or ctx is done.
func (s *Server) sleep(ctx context.Context, d time.Duration) {
	if d <= 0 {
		return
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-s.done:
	case <-ctx.Done():
	}
}
