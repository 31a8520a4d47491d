package mailer

import (
	"bytes"
	"context"
	"io"
	"mime"
	"mime/multipart"
	"net/mail"
	"strings"
	"testing"
	"time"

	"github.com/caseconf/caseconf/internal/smtptest"
)

// parts are the content types of a message's MIME parts, depth first,
// and the text of its text/plain part.
func parts(t *testing.T, raw []byte) (*mail.Message, []string, string) {
	t.Helper()
	msg, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	var types []string
	text := ""
	var walk func(ct string, body io.Reader, enc string)
	walk = func(ct string, body io.Reader, enc string) {
		mt, params, err := mime.ParseMediaType(ct)
		if err != nil {
			t.Fatalf("content type %q: %v", ct, err)
		}
		types = append(types, ct)
		if strings.HasPrefix(mt, "multipart/") {
			r := multipart.NewReader(body, params["boundary"])
			for {
				p, err := r.NextRawPart()
				if err == io.EOF {
					return
				}
				if err != nil {
					t.Fatal(err)
				}
				walk(p.Header.Get("Content-Type"), p, p.Header.Get("Content-Transfer-Encoding"))
			}
		}
		if mt == "text/plain" {
			b, _ := io.ReadAll(body)
			text = string(b)
		}
	}
	walk(msg.Header.Get("Content-Type"), msg.Body, "")
	return msg, types, text
}

func TestSendOverSTARTTLSWithCalendarAndPDF(t *testing.T) {
	t.Parallel()
	srv := smtptest.Start(t)
	m, err := New(srv.URL(), "Case conferences <caseconf@example.org>", srv.TLS)
	if err != nil {
		t.Fatal(err)
	}
	m.requireTLS = true // as for a server not on the loopback address
	e := Email{To: mail.Address{Name: "Person A", Address: "person.a@example.org"}, ReplyTo: &mail.Address{Name: "Casey Manager", Address: "casey@example.org"},
		Subject: "Invitation: case conference CC-0042", Text: "You are invited to CC-0042.", MessageID: "outbox-7@caseconf",
		Calendar: []byte("BEGIN:VCALENDAR\r\nMETHOD:REQUEST\r\nEND:VCALENDAR\r\n"), CalendarMethod: "REQUEST", CalendarName: "CC-0042.ics",
		PDF: []byte("%PDF-1.7 fake"), PDFName: "CC-0042-minutes.pdf"}
	if err := m.Send(ctxT(t), e); err != nil {
		t.Fatal(err)
	}
	got := srv.Wait(t, 1, 10*time.Second)[0]
	if !got.TLS {
		t.Error("the e-mail went without TLS")
	}
	if len(got.To) != 1 || got.To[0] != "person.a@example.org" || got.From != "caseconf@example.org" {
		t.Errorf("envelope: from %q to %v", got.From, got.To)
	}
	msg, types, text := parts(t, got.Data)
	for h, want := range map[string]string{"Subject": "Invitation: case conference CC-0042", "Reply-To": `"Casey Manager" <casey@example.org>`,
		"From": `"Case conferences" <caseconf@example.org>`, "Message-Id": "<outbox-7@caseconf>"} {
		if msg.Header.Get(h) != want {
			t.Errorf("%s: %q, want %q", h, msg.Header.Get(h), want)
		}
	}
	joined := strings.Join(types, "\n")
	for _, want := range []string{"multipart/mixed", "text/plain", "text/calendar; method=REQUEST", "application/pdf"} {
		if !strings.Contains(joined, want) {
			t.Errorf("no %s part in:\n%s", want, joined)
		}
	}
	if !strings.Contains(text, "You are invited to CC-0042.") {
		t.Errorf("text part: %q", text)
	}
}

func TestTemporaryAndPermanentRefusals(t *testing.T) {
	t.Parallel()
	srv := smtptest.Start(t)
	m, err := New(srv.URL(), "caseconf@example.org", srv.TLS)
	if err != nil {
		t.Fatal(err)
	}
	e := Email{To: mail.Address{Address: "b@example.org"}, Subject: "CC-0001", Text: "x"}
	srv.Refuse(421, 550)
	err = m.Send(ctxT(t), e)
	if err == nil || Permanent(err) || Code(err) != 421 {
		t.Fatalf("421: %v (permanent %v, code %d)", err, Permanent(err), Code(err))
	}
	err = m.Send(ctxT(t), e)
	if err == nil || !Permanent(err) || Code(err) != 550 {
		t.Fatalf("550: %v (permanent %v, code %d)", err, Permanent(err), Code(err))
	}
	if strings.Contains(err.Error(), "b@example.org") || strings.Contains(err.Error(), "mailbox") {
		t.Errorf("the reason repeats the address or the server's text: %q", err)
	}
	if err := m.Send(ctxT(t), e); err != nil {
		t.Fatal(err)
	}
	// A server that is gone: temporary.
	bad, _ := New("smtp://127.0.0.1:1", "caseconf@example.org", nil)
	if err := bad.Send(ctxT(t), e); err == nil || Permanent(err) {
		t.Errorf("connection refused: %v, permanent %v", err, Permanent(err))
	}
}

func TestTLSRequiredExceptOnLoopback(t *testing.T) {
	t.Parallel()
	for host, want := range map[string]bool{"localhost": true, "127.0.0.1": true, "::1": true, "mail.example.org": false, "10.0.0.1": false} {
		if Loopback(host) != want {
			t.Errorf("Loopback(%q) = %v", host, !want)
		}
	}
	// A server whose certificate is not trusted, when TLS is required:
	// nothing goes in the clear.
	srv := smtptest.Start(t)
	m, err := New(srv.URL(), "caseconf@example.org", nil)
	if err != nil {
		t.Fatal(err)
	}
	m.requireTLS = true
	if err := m.Send(ctxT(t), Email{To: mail.Address{Address: "b@example.org"}, Subject: "CC-0001", Text: "x"}); err == nil {
		t.Fatal("sent to a server whose certificate is not trusted")
	}
	if n := len(srv.Messages()); n != 0 {
		t.Errorf("%d messages arrived", n)
	}
	for _, raw := range []string{"http://mail.example.org", "smtp://", "smtp://u:p@mail.example.org:99999", "smtp://mail.example.org/x?y=1"} {
		if _, err := ParseURL(raw); err == nil {
			t.Errorf("%q accepted", raw)
		}
	}
	if _, err := ParseURL("smtp://user:pa55word@mail.example.org:587"); err != nil {
		t.Error(err)
	}
	if _, err := ParseURL("smtp://user:pa55word@mail example.org"); err == nil || strings.Contains(err.Error(), "pa55word") {
		t.Errorf("a bad URL's error: %v", err)
	}
}

func ctxT(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	t.Cleanup(cancel)
	return ctx
}
