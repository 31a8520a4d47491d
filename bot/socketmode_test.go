package bot

import (
	"strings"
	"testing"
	"time"
)

func TestRedactSecrets(t *testing.T) {
	in := `dial wss://wss-primary.slack.com/link/?ticket=abc-123&app_id=A1: bad handshake; token xapp-1-A0-123-abc, xoxb-9-zz`
	out := redactSecrets(in)
	for _, secret := range []string{"ticket", "abc-123", "A0-123-abc", "9-zz", "/link"} {
		if strings.Contains(out, secret) {
			t.Errorf("redacted %q still contains %q", out, secret)
		}
	}
	if !strings.Contains(out, "wss://wss-primary.slack.com") || !strings.Contains(out, "bad handshake") {
		t.Errorf("redacted %q lost the host or the reason", out)
	}
}

func TestReconnectDelayIsCapped(t *testing.T) {
	for n := range 100 {
		d := reconnectDelay(n)
		if d < reconnectMin*4/5 || d > reconnectMax*6/5 {
			t.Fatalf("reconnectDelay(%d) = %v, outside [%v, %v]", n, d, reconnectMin*4/5, reconnectMax*6/5)
		}
	}
}

func TestHealthyAfterThreshold(t *testing.T) {
	start := time.Now()
	s := &SocketMode{since: start}
	if ok, _ := s.Healthy(start.Add(SocketDownThreshold)); !ok {
		t.Fatal("unhealthy before the threshold")
	}
	s.setLastErr("service_unavailable")
	ok, reason := s.Healthy(start.Add(SocketDownThreshold + time.Second))
	if ok || !strings.Contains(reason, "Slack socket") || !strings.Contains(reason, "service_unavailable") {
		t.Fatalf("Healthy past the threshold = %v %q", ok, reason)
	}
	s.setConn(&wsConn{}, start.Add(time.Minute)) // connected
	if ok, _ := s.Healthy(start.Add(time.Hour)); !ok {
		t.Fatal("unhealthy while connected")
	}
}
