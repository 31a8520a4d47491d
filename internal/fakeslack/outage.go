package fakeslack

// Outage simulation: Slack's Socket Mode going away and coming back.

// ErrSocketModeUnavailable is the Slack error apps.connections.open answers
// while Socket Mode is refused.
const ErrSocketModeUnavailable = "service_unavailable"

// DropConnections closes every Socket Mode connection abruptly: the TCP
// connection is closed with no disconnect message and no websocket close
// frame, as when a network path or a Slack host dies. It returns how many
// were dropped.
func (s *Server) DropConnections() int {
	s.mu.Lock()
	conns := append([]*wsConn(nil), s.conns...)
	for _, c := range conns {
		c.detached = true
	}
	s.broadcastLocked()
	s.mu.Unlock()
	for _, c := range conns {
		_ = c.ws.NetConn().Close()
	}
	return len(conns)
}

// RefuseSocketMode makes apps.connections.open answer
// {"ok":false,"error":"service_unavailable"} until AcceptSocketMode, so a
// client cannot reconnect. Calls are still recorded. It replaces any handler
// set with Handle for that method.
func (s *Server) RefuseSocketMode() {
	s.Handle("apps.connections.open", func(Call) any { return apiError(ErrSocketModeUnavailable) })
}

// AcceptSocketMode ends RefuseSocketMode: apps.connections.open issues
// tickets again.
func (s *Server) AcceptSocketMode() { s.Handle("apps.connections.open", nil) }
