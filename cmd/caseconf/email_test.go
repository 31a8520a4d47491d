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
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/pdfcpu/pdfcpu/pkg/api"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/model"
	"github.com/slack-go/slack"

	"github.com/caseconf/caseconf/internal/fakeslack"
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

// The mail server refuses for now (421), then takes it: one e-mail, sent
// at the second attempt. It refuses for good (550): given up at once, and
// the case manager told on Slack who did not get what, and why.
func TestEmailRetriedOnceThenGivenUpOnAPermanentRefusal(t *testing.T) {
	t.Parallel()
	a, srv := startMailApp(t)
	one := scheduleForm().without("ext_phone_0").text("ext_email_0", "dr.patel@example.org")
	srv.Refuse(421)
	if ack := a.viewSubmission("U0CM", "schedule", "V1", "", one, 0); ack["response_action"] != "clear" {
		t.Fatal(ack)
	}
	ms := srv.Wait(t, 1, 15*time.Second)
	a.eventually("the invitation marked sent", func() bool {
		return a.count(`SELECT count(*) FROM outbox WHERE kind = 'email_invitation' AND state = 'sent'`) == 1
	})
	if n := a.count(`SELECT attempts FROM outbox WHERE kind = 'email_invitation'`); n != 2 || srv.Rcpts() != 2 {
		t.Errorf("sent at attempt %d after %d RCPTs, want the second of 2", n, srv.Rcpts())
	}
	if n := a.count(`SELECT count(*) FROM outbox WHERE kind = 'email_invitation' AND errors[1] = 'smtp: refused for now (421)'`); n != 1 {
		t.Error("the 421 is not kept as why the first attempt failed")
	}
	if len(ms) != 1 || ms[0].To[0] != "dr.patel@example.org" {
		t.Fatalf("e-mails: %+v", ms)
	}

	srv.Refuse(550)
	two := one.text("ext_email_0", "nobody@example.org").text("client_ref", "JS-4412")
	if ack := a.viewSubmission("U0CM", "schedule", "V2", "", two, 0); ack["response_action"] != "clear" {
		t.Fatal(ack)
	}
	a.eventually("the refused e-mail given up", func() bool {
		return a.count(`SELECT count(*) FROM outbox WHERE kind = 'email_invitation' AND state = 'failed' AND attempts = 1 AND recipient_id = 'nobody@example.org'`) == 1
	})
	var told string
	a.eventually("the case manager told", func() bool {
		for _, c := range a.dmTo("U0CM") {
			if text := callText(c); strings.Contains(text, "could not be delivered") {
				told = text
				return true
			}
		}
		return false
	})
	for _, want := range []string{"The e-mailed invitation for *CC-0002* could not be delivered to Dr Patel (nobody@example.org)", "refused permanently (550)"} {
		if !strings.Contains(told, want) {
			t.Errorf("the case manager's notice lacks %q:\n%s", want, told)
		}
	}
	if strings.Contains(a.logs.String(), "s3cret-pass") {
		t.Error("the mail server's password is in the log")
	}
	if n := len(srv.Messages()); n != 1 || srv.Rcpts() != 3 {
		t.Errorf("%d e-mails after %d RCPTs, want 1 after 3", n, srv.Rcpts())
	}
}

// offSlackConference calls CC-0001 with U0GP and U0SW on Slack and
// Persons A and B (housing, which the consent covers) and C (probation,
// which it does not) off it, by e-mail; the case manager records that the
// three accepted the agreement; the meeting is then moved before the test
// clock, so it has been held. It waits for the three invitations.
func offSlackConference(a *app, srv *smtptest.Server) int {
	a.t.Helper()
	return offSlackConferenceThen(a, func() { srv.Wait(a.t, 3, 15*time.Second) })
}

// offSlackConferenceThen is offSlackConference, with sent waiting for
// what scheduling it sends.
func offSlackConferenceThen(a *app, sent func()) int {
	a.t.Helper()
	f := scheduleForm().without("ext_phone_0")
	people := [][3]string{{"Person A", "person.a@example.org", "housing"}, {"Person B", "person.b@example.org", "housing"},
		{"Person C", "person.c@example.org", "probation_police"}}
	for i, p := range people {
		f = f.text(fmt.Sprintf("ext_name_%d", i), p[0]).text(fmt.Sprintf("ext_role_%d", i), "Worker").
			text(fmt.Sprintf("ext_agency_%d", i), "Agency").choice(fmt.Sprintf("ext_agency_kind_%d", i), p[2]).text(fmt.Sprintf("ext_email_%d", i), p[1])
	}
	if ack := a.viewSubmission("U0CM", "schedule", "V1", "", f, 0); ack["response_action"] != "clear" {
		a.t.Fatal(ack)
	}
	sent()
	a.invitationsRecorded()
	for _, p := range people {
		id := a.count(`SELECT id FROM invitees WHERE name = $1`, p[0])
		meta := a.openForm("U0CM", fmt.Sprintf("record_reply:%d", id), fmt.Sprintf("i%d", id), "record_reply")
		values := form{}.choice("reply", "attending").choice("agreed_how", "signed_form").date("agreed_on", "2026-10-30")
		if ack := a.viewSubmission("U0CM", "record_reply", "VR"+p[0], meta, values, 0); ack["response_action"] != "clear" {
			a.t.Fatalf("recording %s's reply: %v", p[0], ack)
		}
	}
	conf := a.count(`SELECT id FROM conferences`)
	a.exec(`UPDATE conferences SET starts_at = '2026-10-30 10:30+00' WHERE id = $1`, conf)
	return conf
}

// minutesShared is the outcome, shared with the social worker on Slack
// and, off it, with Persons A to D (D was never invited).
func minutesShared() form {
	return outcomeValues().users("attended", "U0CM", "U0SW").users("apologies", "U0GP").users("share_with", "U0SW").
		text("share_others", "Person A, person.a@example.org\nPerson B, 020 7946 0001 person.b@example.org\nPerson C, person.c@example.org\nPerson D, person.d@example.org")
}

// passwordIn finds the password shown for file in the replies on the
// response URLs, waiting for it.
func (a *app) passwordIn(t *testing.T, file string) string {
	t.Helper()
	re := regexp.MustCompile("The password of `" + regexp.QuoteMeta(file) + "` is `([a-z2-9]{5}(?:-[a-z2-9]{5}){3})`")
	password := ""
	a.eventually("the password shown", func() bool {
		for _, c := range a.slack.CallsTo(fakeslack.MethodResponseURL) {
			if m := re.FindSubmatch(c.Body); m != nil {
				if password != "" && password != string(m[1]) {
					t.Fatal("two passwords")
				}
				password = string(m[1])
				if bytes.Contains(c.Body, []byte(`"in_channel"`)) {
					t.Error("the password was not shown ephemerally")
				}
			}
		}
		return password != ""
	})
	return password
}

// decryptPDF opens an AES-256 PDF with password, failing t if it opens
// without it or not with it.
func decryptPDF(t *testing.T, pdf []byte, password string) string {
	t.Helper()
	if _, err := api.ReadAndValidate(bytes.NewReader(pdf), model.NewDefaultConfiguration()); err == nil {
		t.Error("the PDF opens without its password")
	}
	var plain bytes.Buffer
	if err := api.Decrypt(bytes.NewReader(pdf), &plain, model.NewAESConfiguration(password, "", 256)); err != nil {
		t.Fatalf("the PDF does not open with its password: %v", err)
	}
	return plain.String()
}

// After the outcome: E-mail the minutes, on the case manager's notice,
// makes the minutes alone as a password-protected PDF, e-mails it to the
// people not on Slack on the share list whom the consent covers, and not
// to the others; the password is shown once to the case manager and is
// in no e-mail, log or table; each e-mail is a disclosure, delivered.
func TestMinutesPDFEmailedToCoveredPeopleNotOnSlack(t *testing.T) {
	t.Parallel()
	a, srv := startMailApp(t)
	conf := offSlackConference(a, srv)
	a.recordOutcomeWith(minutesShared())

	var notice string
	a.eventually("the case manager's notice with E-mail the minutes", func() bool {
		for _, c := range a.dmTo("U0CM") {
			if text := callText(c); strings.Contains(text, "\nE-mail the minutes\n") {
				notice = text
				return true
			}
		}
		return false
	})
	if !strings.Contains(notice, "Person A") || !strings.Contains(notice, fmt.Sprintf("\nc%d\n", conf)) {
		t.Errorf("the notice:\n%s", notice)
	}
	if n := a.count(`SELECT count(*) FROM disclosures WHERE medium <> 'slack'`); n != 0 {
		t.Fatalf("%d minutes PDFs disclosed before anyone asked", n)
	}

	// An invitee may not; the case manager may.
	a.click("U0SW", "minutes_pdf", fmt.Sprintf("c%d", conf))
	respID := a.click("U0CM", "minutes_pdf", fmt.Sprintf("c%d", conf))
	password := a.passwordIn(t, "CC-0001-minutes.pdf")
	reply := a.replyTo(respID)
	for _, want := range []string{"being e-mailed", "Person A (person.a@example.org)", "Person B (person.b@example.org)",
		"Person C (person.c@example.org): the client's consent does not cover their agency", "Person D (person.d@example.org): caseconf does not know which agency"} {
		if !strings.Contains(reply, want) {
			t.Errorf("the reply lacks %q:\n%s", want, reply)
		}
	}
	if strings.Contains(reply, password) {
		t.Error("the password is in the reply listing who it went to")
	}

	got := byRecipient(t, srv.Wait(t, 5, 15*time.Second))
	for _, to := range []string{"person.c@example.org", "person.d@example.org"} {
		if len(got[to]) > 1 || (to == "person.d@example.org" && len(got[to]) != 0) {
			t.Errorf("%s, whom the consent does not cover, got %d e-mails", to, len(got[to]))
		}
	}
	for _, to := range []string{"person.a@example.org", "person.b@example.org"} {
		if len(got[to]) != 2 {
			t.Fatalf("%s got %d e-mails, want the invitation and the minutes", to, len(got[to]))
		}
		e := got[to][1]
		if s := e.header.Get("Subject"); s != "Minutes of case conference CC-0001" {
			t.Errorf("subject %q", s)
		}
		if !strings.Contains(strings.Join(e.types, "\n"), "application/pdf") || !strings.Contains(e.text, "password") || !strings.Contains(e.text, "by phone") {
			t.Errorf("the minutes e-mail: %v\n%s", e.types, e.text)
		}
		if bytes.Contains(e.raw.Data, []byte(password)) {
			t.Error("the password was e-mailed")
		}
		assertNoClientDetails(t, e)
		plain := decryptPDF(t, e.parts["application/pdf"], password)
		for _, want := range []string{"Minutes of case conference CC-0001", "JS-4411", "Rent arrears of six weeks", "Weekly calls from the key worker",
			"Wants to stay at Acacia House", "Apply for tenancy sustainment support", "Friday 29 January 2027"} {
			if !strings.Contains(plain, want) {
				t.Errorf("the minutes PDF lacks %q", want)
			}
		}
		for _, not := range []string{"History of changes", "Earlier versions", "Reports", "Disclosures", "Weekly visits"} {
			if strings.Contains(plain, not) {
				t.Errorf("the minutes PDF holds %q", not)
			}
		}
	}
	a.eventually("the two disclosures delivered, and the PDFs gone from the outbox", func() bool {
		return a.count(`SELECT count(*) FROM disclosures WHERE medium = 'email' AND sent_at IS NOT NULL AND recipient_name IN ('Person A', 'Person B')`) == 2 &&
			a.count(`SELECT count(*) FROM outbox WHERE kind = 'email_minutes' AND state = 'sent' AND attachment IS NULL`) == 2
	})
	if n := a.count(`SELECT count(*) FROM disclosures WHERE medium <> 'slack'`); n != 2 {
		t.Errorf("%d minutes PDF disclosures, want 2", n)
	}
	if strings.Contains(a.logs.String(), password) {
		t.Error("the password is in the log")
	}
	for _, q := range []string{`SELECT count(*) FROM audit_log WHERE detail LIKE $1 OR action LIKE $1`,
		`SELECT count(*) FROM outbox WHERE dedup_key LIKE $1 OR array_to_string(errors, ' ') LIKE $1 OR position(convert_to($2, 'UTF8') in coalesce(attachment, '')) > 0`,
		`SELECT count(*) FROM disclosures WHERE basis LIKE $1 OR recipient_id LIKE $1 OR recipient_name LIKE $1`} {
		args := []any{"%" + password + "%"}
		if strings.Contains(q, "$2") {
			args = append(args, password)
		}
		if n := a.count(q, args...); n != 0 {
			t.Errorf("the password is in a table: %s", q)
		}
	}
}

// Without a mail server: `/caseconf export REF minutes` puts the minutes
// PDF into the case manager's direct messages, for them to send to the
// covered people not on Slack, logged as given to them by hand; nothing
// is e-mailed, and nothing waits in the outbox to be.
func TestMinutesPDFWithoutMailServerGoesToTheCaseManager(t *testing.T) {
	t.Parallel()
	a := startApp(t, nil)
	a.slack.AddUser(slackUser("U0CM", "Casey Manager"))
	conf := offSlackConferenceNoMail(a)
	if n := a.count(`SELECT count(*) FROM outbox WHERE kind LIKE 'email_%'`); n != 0 {
		t.Fatalf("%d e-mails written with no mail server", n)
	}
	a.recordOutcomeWith(minutesShared())
	if _, reply := a.commandReply("U0SW", "export CC-0001 minutes"); !strings.Contains(reply, "Only the case manager") && !strings.Contains(reply, "no conference") {
		t.Errorf("an invitee asked for the minutes PDF: %q", reply)
	}
	a.commandReply("U0CM", "export CC-0001 minutes")
	password := a.passwordIn(t, "CC-0001-minutes.pdf")
	up := a.waitFileUploadsContaining(t, "CC-0001-minutes.pdf")
	plain := decryptPDF(t, []byte(up), password)
	if !strings.Contains(plain, "Rent arrears of six weeks") || strings.Contains(plain, "History of changes") {
		t.Error("the minutes PDF does not hold the minutes alone")
	}
	if n := a.count(`SELECT count(*) FROM disclosures WHERE medium = 'by_hand' AND conference_id = $1 AND recipient_name IN ('Person A', 'Person B') AND sent_at IS NULL`, conf); n != 2 ||
		a.count(`SELECT count(*) FROM disclosures WHERE medium <> 'slack'`) != 2 {
		t.Errorf("%d disclosures to pass on by hand, want Persons A and B", n)
	}
	if n := a.count(`SELECT count(*) FROM outbox WHERE kind LIKE 'email_%'`); n != 0 {
		t.Errorf("%d e-mails written with no mail server", n)
	}
	if strings.Contains(a.logs.String(), password) {
		t.Error("the password is in the log")
	}
}

// offSlackConferenceNoMail is offSlackConference without a mail server:
// it waits for the Slack invitations and the summary instead.
func offSlackConferenceNoMail(a *app) int {
	a.t.Helper()
	return offSlackConferenceThen(a, func() { a.waitCalls("chat.postMessage", 3) })
}

// A change: those still invited are e-mailed the meeting as it now
// stands with the calendar file at its new SEQUENCE; one taken off is told
// so with the calendar's cancellation; one added is invited.
func TestEmailedChangeToPeopleNotOnSlack(t *testing.T) {
	t.Parallel()
	a, srv := startMailApp(t)
	f := eightOffSlack()
	for i := 3; i < 8; i++ {
		for _, k := range []string{"name", "role", "agency", "agency_kind", "email"} {
			f.without(fmt.Sprintf("ext_%s_%d", k, i))
		}
	}
	if ack := a.viewSubmission("U0CM", "schedule", "V1", "", f, 0); ack["response_action"] != "clear" {
		t.Fatal(ack)
	}
	srv.Wait(t, 3, 15*time.Second)
	a.waitAllHandled()
	a.waitOutboxDone(20 * time.Second)

	meta, blocks := a.openEdit("U0CM", "CC-0001")
	edit := formFromModal(blocks).clock("time", "14:00")
	for k := range edit {
		if strings.HasPrefix(k, "ext_") && strings.HasSuffix(k, "_2") {
			edit.without(k)
		}
	}
	edit.text("ext_name_3", "Person D").text("ext_role_3", "Worker").text("ext_agency_3", "Agency D").choice("ext_agency_kind_3", "housing").
		text("ext_email_3", "person.d@example.org")
	if ack := a.viewSubmission("U0CM", "conference_edit", "VEDIT", meta, edit, 0); ack["response_action"] != "clear" {
		t.Fatalf("the edit: %v", ack)
	}
	got := byRecipient(t, srv.Wait(t, 7, 15*time.Second))
	for _, to := range []string{"person.a@example.org", "person.b@example.org"} {
		if len(got[to]) != 2 {
			t.Fatalf("%s got %d e-mails, want the invitation and the change", to, len(got[to]))
		}
		e := got[to][1]
		cal := string(e.parts["text/calendar"])
		if e.header.Get("Subject") != "Changed: case conference CC-0001" || !strings.Contains(e.text, "Friday 20 November 2026 at 14:00 GMT") ||
			!strings.Contains(cal, "METHOD:REQUEST") || !strings.Contains(cal, "SEQUENCE:1") {
			t.Errorf("the change to %s: %q\n%s\n%s", to, e.header.Get("Subject"), e.text, cal)
		}
		assertNoClientDetails(t, e)
	}
	if es := got["person.c@example.org"]; len(es) != 2 || es[1].header.Get("Subject") != "Cancelled: case conference CC-0001" ||
		!strings.Contains(es[1].text, "no longer invited") || !strings.Contains(string(es[1].parts["text/calendar"]), "METHOD:CANCEL") {
		t.Errorf("Person C, taken off: %d e-mails", len(es))
	}
	if es := got["person.d@example.org"]; len(es) != 1 || es[0].header.Get("Subject") != "Invitation: case conference CC-0001" ||
		!strings.Contains(es[0].text, "at 14:00 GMT") {
		t.Errorf("Person D, added: %d e-mails", len(es))
	}
}

// A case manager whose Slack profile has no e-mail address: the e-mail
// goes without Reply-To, and they are asked (once) where replies should
// go; the address they give is the next e-mails' Reply-To.
func TestCaseManagerWithoutAddressIsAskedForOne(t *testing.T) {
	t.Parallel()
	a, srv := startMailApp(t)
	a.slack.AddUser(slackUser("U0CM", "Casey Manager")) // no e-mail address on Slack
	two := scheduleForm().without("ext_phone_0").text("ext_email_0", "dr.patel@example.org").
		text("ext_name_1", "Person B").text("ext_role_1", "Worker").text("ext_agency_1", "Agency B").choice("ext_agency_kind_1", "housing").
		text("ext_email_1", "person.b@example.org")
	if ack := a.viewSubmission("U0CM", "schedule", "V1", "", two, 0); ack["response_action"] != "clear" {
		t.Fatal(ack)
	}
	for _, e := range srv.Wait(t, 2, 15*time.Second) {
		if r := readEmail(t, e).header.Get("Reply-To"); r != "" {
			t.Errorf("Reply-To %q with no address for the case manager", r)
		}
	}
	a.waitOutboxDone(20 * time.Second)
	var asked []string
	for _, c := range a.dmTo("U0CM") {
		if text := callText(c); strings.Contains(text, "/caseconf email-address") {
			asked = append(asked, text)
		}
	}
	if len(asked) != 1 || !strings.Contains(asked[0], "CC-0001") {
		t.Fatalf("the case manager was asked %d times for an address: %v", len(asked), asked)
	}
	if reply := a.replyText("U0CM", "email-address not-an-address"); !strings.Contains(reply, "like name@example.org") {
		t.Errorf("a bad address: %q", reply)
	}
	if _, reply := a.commandReply("U0CM", "email-address casey@westminster.example"); !strings.Contains(reply, "now go to casey@westminster.example") {
		t.Errorf("the address: %q", reply)
	}
	a.command("U0CM", "cancel CC-0001")
	meta := a.waitCalls("views.open", 1)[0].JSON()["view"].(map[string]any)["private_metadata"].(string)
	if ack := a.viewSubmission("U0CM", "cancel", "VX", meta, form{}.text("cancel_reason", "Not needed"), 0); ack["response_action"] != "clear" {
		t.Fatalf("cancel ack = %v", ack)
	}
	for _, e := range srv.Wait(t, 4, 15*time.Second)[2:] {
		if r := readEmail(t, e).header.Get("Reply-To"); r != `"Casey Manager" <casey@westminster.example>` {
			t.Errorf("Reply-To %q after the case manager gave their address", r)
		}
	}
	if strings.Contains(a.logs.String(), "casey@westminster.example") {
		t.Error("the address reached the log")
	}
}
