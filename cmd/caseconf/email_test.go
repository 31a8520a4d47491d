package main

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/mail"
	"strings"
	"testing"
	"time"

	"github.com/slack-go/slack"

	"github.com/caseconf/caseconf/internal/smtptest"
)

// E-mail to people not on Slack through a real SMTP server (go-smtp, with
// STARTTLS under a self-signed certificate the server is told to trust).

const mailFrom = "Westminster Case Conferences <caseconf@westminster.example>"

// startMailApp starts serve with a mail server, and the case manager's
// Slack profile (name, job title, e-mail address, phone).
func startMailApp(t *testing.T) (*app, *smtptest.Server) {
	t.Helper()
	srv := smtptest.Start(t)
	a := startAppWith(t, map[string]string{"CASECONF_SMTP_URL": srv.URL(), "CASECONF_MAIL_FROM": mailFrom},
		func(m *Main) { m.MailTLS = srv.TLS })
	a.slack.AddUser(slack.User{ID: "U0CM", Name: "u0cm", RealName: "Casey Manager", TZ: "Europe/London",
		Profile: slack.UserProfile{RealName: "Casey Manager", Title: "Senior Key Worker", Email: "casey.manager@westminster.example", Phone: "020 7946 0999"}})
	return a, srv
}

// email is an e-mail as its reader gets it.
type email struct {
	raw     smtptest.Message
	header  mail.Header
	types   []string // every part's Content-Type, outermost first
	text    string   // the text/plain part, decoded
	parts   map[string][]byte
	allText string // every header and decoded text part, for what must not be there
}

func readEmail(t *testing.T, m smtptest.Message) email {
	t.Helper()
	msg, err := mail.ReadMessage(bytes.NewReader(m.Data))
	if err != nil {
		t.Fatal(err)
	}
	e := email{raw: m, header: msg.Header, parts: map[string][]byte{}}
	var walk func(ct, enc string, body io.Reader)
	walk = func(ct, enc string, body io.Reader) {
		mt, params, err := mime.ParseMediaType(ct)
		if err != nil {
			t.Fatalf("content type %q: %v", ct, err)
		}
		e.types = append(e.types, ct)
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
				walk(p.Header.Get("Content-Type"), p.Header.Get("Content-Transfer-Encoding"), p)
			}
		}
		var b []byte
		switch strings.ToLower(enc) {
		case "base64":
			b, err = io.ReadAll(base64Reader(body))
		case "quoted-printable":
			b, err = io.ReadAll(quotedprintable.NewReader(body))
		default:
			b, err = io.ReadAll(body)
		}
		if err != nil {
			t.Fatal(err)
		}
		e.parts[mt] = b
		if mt == "text/plain" {
			e.text = string(b)
		}
	}
	walk(msg.Header.Get("Content-Type"), msg.Header.Get("Content-Transfer-Encoding"), msg.Body)
	var all strings.Builder
	for k, vs := range msg.Header {
		dec := new(mime.WordDecoder)
		for _, v := range vs {
			d, err := dec.DecodeHeader(v)
			if err != nil {
				d = v
			}
			fmt.Fprintf(&all, "%s: %s\n", k, d)
		}
	}
	all.WriteString(e.text)
	all.Write(e.parts["text/calendar"])
	e.allText = all.String()
	return e
}

// clientDetails are what scheduleForm says of the client: none may be in
// any e-mail.
var clientDetails = []string{"JS-4411", "Jane", "Smith", "Acacia", "tenancy", "Complex health", "eviction", "Agree a plan"}

func assertNoClientDetails(t *testing.T, e email) {
	t.Helper()
	for _, s := range clientDetails {
		if strings.Contains(strings.ToLower(e.allText), strings.ToLower(s)) {
			t.Errorf("an e-mail to %v holds the client detail %q:\n%s", e.raw.To, s, e.allText)
		}
	}
}

// byRecipient are the e-mails that arrived, by their one recipient.
func byRecipient(t *testing.T, ms []smtptest.Message) map[string][]email {
	t.Helper()
	out := map[string][]email{}
	for _, m := range ms {
		if len(m.To) != 1 {
			t.Fatalf("an e-mail to %v", m.To)
		}
		out[m.To[0]] = append(out[m.To[0]], readEmail(t, m))
	}
	return out
}

// eightOffSlack is scheduleForm with eight people not on Slack, each with
// an e-mail address, in rows 0 to 7, and none on Slack.
func eightOffSlack() form {
	f := scheduleForm().without("ext_phone_0").without("invitees")
	for i := range 8 {
		l := string(rune('a' + i))
		f = f.text(fmt.Sprintf("ext_name_%d", i), "Person "+strings.ToUpper(l)).text(fmt.Sprintf("ext_role_%d", i), "Worker").
			text(fmt.Sprintf("ext_agency_%d", i), "Agency "+strings.ToUpper(l)).choice(fmt.Sprintf("ext_agency_kind_%d", i), "housing").
			text(fmt.Sprintf("ext_email_%d", i), "person."+l+"@example.org")
	}
	return f
}

func TestEightPeopleNotOnSlackInvitedByEmail(t *testing.T) {
	t.Parallel()
	a, srv := startMailApp(t)
	if ack := a.viewSubmission("U0CM", "schedule", "V1", "", eightOffSlack(), 0); ack["response_action"] != "clear" {
		t.Fatalf("the form with eight people not on Slack: %v", ack)
	}
	got := byRecipient(t, srv.Wait(t, 8, 15*time.Second))
	if len(got) != 8 {
		t.Fatalf("e-mails went to %d people, want 8", len(got))
	}
	for i := range 8 {
		l := string(rune('a' + i))
		to := "person." + l + "@example.org"
		es := got[to]
		if len(es) != 1 {
			t.Fatalf("%s got %d e-mails", to, len(es))
		}
		e := es[0]
		if !e.raw.TLS {
			t.Errorf("the e-mail to %s went without TLS", to)
		}
		if s := e.header.Get("Subject"); s != "Invitation: case conference CC-0001" {
			t.Errorf("subject %q", s)
		}
		if r := e.header.Get("Reply-To"); r != `"Casey Manager" <casey.manager@westminster.example>` {
			t.Errorf("Reply-To %q", r)
		}
		if f := e.header.Get("From"); !strings.Contains(f, "caseconf@westminster.example") {
			t.Errorf("From %q", f)
		}
		joined := strings.Join(e.types, "\n")
		if !strings.HasPrefix(joined, "multipart/mixed") || !strings.Contains(joined, "text/plain") || !strings.Contains(joined, "text/calendar; method=REQUEST") {
			t.Errorf("the e-mail's parts:\n%s", joined)
		}
		cal := string(e.parts["text/calendar"])
		if !strings.Contains(cal, "METHOD:REQUEST") || !strings.Contains(cal, "SUMMARY:Case conference CC-0001") || !strings.Contains(cal, "SEQUENCE:0") {
			t.Errorf("the calendar file:\n%s", cal)
		}
		for _, want := range []string{"Dear Person " + strings.ToUpper(l), "Casey Manager, Senior Key Worker, Westminster Case Conferences invites you",
			"Reference: CC-0001", "Friday 20 November 2026 at 10:30 GMT", "60 minutes", "Church Street Surgery", "attend;", "send a colleague who has been briefed",
			"send a written report", "020 7946 0999"} {
			if !strings.Contains(e.text, want) {
				t.Errorf("the invitation to %s lacks %q:\n%s", to, want, e.text)
			}
		}
		assertNoClientDetails(t, e)
	}
	a.eventually("the eight marked sent at the first attempt", func() bool {
		return a.count(`SELECT count(*) FROM outbox WHERE kind = 'email_invitation' AND state = 'sent' AND attempts = 1`) == 8
	})

	// Cancelled: each is told, with the calendar's METHOD:CANCEL, and
	// still nothing of the client (nor the reason).
	a.command("U0CM", "cancel CC-0001")
	meta := a.waitCalls("views.open", 1)[0].JSON()["view"].(map[string]any)["private_metadata"].(string)
	if ack := a.viewSubmission("U0CM", "cancel", "VX", meta, form{}.text("cancel_reason", "Jane Smith has been housed"), 0); ack["response_action"] != "clear" {
		t.Fatalf("cancel ack = %v", ack)
	}
	got = byRecipient(t, srv.Wait(t, 16, 15*time.Second))
	for to, es := range got {
		if len(es) != 2 {
			t.Fatalf("%s got %d e-mails, want the invitation and the cancellation", to, len(es))
		}
		e := es[1]
		if s := e.header.Get("Subject"); s != "Cancelled: case conference CC-0001" || !strings.Contains(e.text, "has been cancelled") {
			t.Errorf("the cancellation to %s: %q\n%s", to, s, e.text)
		}
		if cal := string(e.parts["text/calendar"]); !strings.Contains(strings.Join(e.types, "\n"), "text/calendar; method=CANCEL") || !strings.Contains(cal, "METHOD:CANCEL") {
			t.Errorf("the cancellation's calendar file: %v\n%s", e.types, cal)
		}
		if strings.Contains(e.allText, "housed") {
			t.Errorf("the cancellation gives the reason:\n%s", e.allText)
		}
		assertNoClientDetails(t, e)
	}
}

func base64Reader(r io.Reader) io.Reader {
	return base64.NewDecoder(base64.StdEncoding, &stripNewlines{r: r})
}

// stripNewlines drops CR and LF from a base64 body.
type stripNewlines struct{ r io.Reader }

func (s *stripNewlines) Read(p []byte) (int, error) {
	n, err := s.r.Read(p)
	j := 0
	for _, c := range p[:n] {
		if c != '\r' && c != '\n' {
			p[j] = c
			j++
		}
	}
	return j, err
}
