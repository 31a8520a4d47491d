package metrics

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus/testutil"
)

func TestTransportCountsByMethodAndResult(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case strings.HasSuffix(r.URL.Path, "chat.postMessage"):
			io.WriteString(w, `{"ok":true,"ts":"1"}`)
		case strings.HasSuffix(r.URL.Path, "views.open"):
			io.WriteString(w, `{"ok":false,"error":"expired_trigger_id"}`)
		case strings.HasSuffix(r.URL.Path, "users.info"):
			w.WriteHeader(http.StatusTooManyRequests)
		default:
			io.WriteString(w, "ok")
		}
	}))
	defer srv.Close()
	m := New()
	client := &http.Client{Transport: m.Transport(nil)}
	for _, path := range []string{"/api/chat.postMessage", "/api/views.open", "/api/users.info", "/response/abc"} {
		resp, err := client.Post(srv.URL+path, "application/json", strings.NewReader("{}"))
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if path == "/api/chat.postMessage" && string(body) != `{"ok":true,"ts":"1"}` {
			t.Fatalf("the transport changed the body the client reads: %q", body)
		}
	}
	for _, c := range []struct{ method, result string }{
		{"chat.postMessage", "ok"}, {"views.open", "error"}, {"users.info", "http_429"}, {"response_url", "ok"},
	} {
		if got := testutil.ToFloat64(m.SlackCalls.WithLabelValues(c.method, c.result)); got != 1 {
			t.Errorf("%s %s = %v, want 1", c.method, c.result, got)
		}
	}
}

// Slack counts as answering when it sends anything but a 5xx, its own
// errors and 429s included; a network failure or a 5xx marks it failing
// until the next answer.
func TestSlackReachFollowsTheLatestCalls(t *testing.T) {
	status := http.StatusOK
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(status)
		io.WriteString(w, `{"ok":false,"error":"invalid_auth"}`)
	}))
	m := New()
	client := &http.Client{Transport: m.Transport(nil)}
	call := func() {
		resp, err := client.Post(srv.URL+"/api/auth.test", "application/json", strings.NewReader("{}"))
		if err == nil {
			resp.Body.Close()
		}
	}
	if st := m.Slack.State(); st.Reached || !st.FailingSince.IsZero() {
		t.Fatalf("before any call: %+v", st)
	}
	status = http.StatusBadGateway
	call()
	if st := m.Slack.State(); st.Reached || st.FailingSince.IsZero() || !strings.Contains(st.LastErr, "HTTP 502") {
		t.Fatalf("after a 502: %+v", st)
	}
	status = http.StatusTooManyRequests
	call()
	if st := m.Slack.State(); !st.Reached || !st.FailingSince.IsZero() {
		t.Fatalf("after a 429: %+v", st)
	}
	status = http.StatusOK
	call()
	srv.Close()
	call()
	st := m.Slack.State()
	if !st.Reached || st.FailingSince.IsZero() || strings.Contains(st.LastErr, srv.URL) {
		t.Fatalf("after a network failure: %+v (want failing, without the URL)", st)
	}
}
