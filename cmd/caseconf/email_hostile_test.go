package main

import (
	"fmt"
	"net/mail"
	"strings"
	"testing"
	"time"

	"github.com/slack-go/slack"

	"github.com/caseconf/caseconf/internal/fakeslack"
	"github.com/caseconf/caseconf/internal/smtptest"
)

// Hostile input in the rows of people not on Slack, as it reaches their
// e-mails: addresses the mail server could not take are refused on the
// form, names and agencies full of header syntax stay in the body and the
// display name, each e-mail goes to exactly its one address, and show
// stays within Slack's limits with a dozen rows at their longest.

// TestEmailAddressesTheMailCouldNotTakeAreRefusedOnTheForm: each of
// these, in a row's E-mail field, is an error on that field, not an
// invitee whose e-mail fails (or goes somewhere else) later.
func TestEmailAddressesTheMailCouldNotTakeAreRefusedOnTheForm(t *testing.T) {
	t.Parallel()
	a, srv := startMailApp(t)
	bad := []string{
		"a@example.org, b@example.org", "a@example.org;b@example.org", "a@example.org b@example.org",
		"a@example.org\nBcc: spy@evil.example", "a@example.org\tb@example.org", "<a@example.org>",
		"Dr A <a@example.org>", "a@example.org)", "a(spy@evil.example)@example.org", "a:b@example.org",
		"a@example.org.", "a@example..org", ".a@example.org", "a@example.org\u00a0b", "a@[127.0.0.1]",
	}
	for i, addr := range bad {
		f := scheduleForm().without("ext_phone_0").text("ext_email_0", addr)
		ack := a.viewSubmission("U0CM", "schedule", fmt.Sprintf("VBAD%d", i), "", f, 0)
		errs, _ := ack["errors"].(map[string]any)
		if errs == nil || errs["ext_email_0"] == nil {
			t.Errorf("the e-mail address %q was taken: %v", addr, ack)
		}
	}
	for i, phone := range []string{"020 7946 0000\x07", "020\r\nBcc: spy@evil.example", "020\u2028 7946"} {
		f := scheduleForm().text("ext_phone_0", phone)
		ack := a.viewSubmission("U0CM", "schedule", fmt.Sprintf("VPH%d", i), "", f, 0)
		if errs, _ := ack["errors"].(map[string]any); errs == nil || errs["ext_phone_0"] == nil {
			t.Errorf("the phone %q was taken: %v", phone, ack)
		}
	}
	if n := a.count(`SELECT count(*) FROM conferences`); n != 0 {
		t.Errorf("%d conferences called from bad forms", n)
	}
	if n := srv.Rcpts(); n != 0 {
		t.Errorf("%d e-mails tried", n)
	}
}

// TestHeaderSyntaxInNamesStaysInItsPlace: twelve people not on Slack
// whose names, job titles and agencies are as long as the form allows and
// full of what means something in a header (quotes, angle brackets,
// commas, "Bcc:") and grows when escaped for Slack (&, <, >): each gets
// one invitation, to their own address alone, with no Cc or Bcc, their
// name read back exactly; show lists them all within Slack's limits.
func TestHeaderSyntaxInNamesStaysInItsPlace(t *testing.T) {
	t.Parallel()
	a, srv := startMailApp(t)
	long := func(prefix string) string {
		return prefix + strings.Repeat("&<>", (200-len([]rune(prefix)))/3)
	}
	f := scheduleForm().without("ext_phone_0").without("invitees")
	names := map[string]string{}
	for i := range 12 {
		name := long(fmt.Sprintf(`Dr "%d" <spy%d@evil.example>, Bcc: spy@evil.example =?utf-8?q?x?= `, i, i))
		addr := fmt.Sprintf("person.%d@example.org", i)
		names[addr] = name
		f = f.text(fmt.Sprintf("ext_name_%d", i), name).text(fmt.Sprintf("ext_role_%d", i), long("GP, Bcc: spy@evil.example ")).
			text(fmt.Sprintf("ext_agency_%d", i), long("Surgery <spy@evil.example>; ")).choice(fmt.Sprintf("ext_agency_kind_%d", i), "health_gp").
			text(fmt.Sprintf("ext_email_%d", i), addr).text(fmt.Sprintf("ext_phone_%d", i), "+44 (0)20 7946 0000 ext. 12")
	}
	if ack := a.viewSubmission("U0CM", "schedule", "V1", "", f, 0); ack["response_action"] != "clear" {
		t.Fatalf("the form with twelve people not on Slack: %v", ack)
	}
	got := byRecipient(t, srv.Wait(t, 12, 20*time.Second))
	a.waitOutboxDone(20 * time.Second)
	if n := srv.Rcpts(); n != 12 || len(srv.Messages()) != 12 {
		t.Errorf("%d RCPTs for %d e-mails, want 12 for 12", n, len(srv.Messages()))
	}
	for addr, name := range names {
		es := got[addr]
		if len(es) != 1 {
			t.Errorf("%s got %d e-mails", addr, len(es))
			continue
		}
		e := es[0]
		for _, h := range []string{"Cc", "Bcc"} {
			if v := e.header.Get(h); v != "" {
				t.Errorf("a %s header: %q", h, v)
			}
		}
		to, err := e.header.AddressList("To")
		if err != nil || len(to) != 1 || to[0].Address != addr || to[0].Name != name {
			t.Errorf("To %q (%v), want %q <%s>", e.header.Get("To"), err, name, addr)
		}
		if rt, err := e.header.AddressList("Reply-To"); err != nil || len(rt) != 1 || rt[0].Address != "casey.manager@westminster.example" {
			t.Errorf("Reply-To %q (%v)", e.header.Get("Reply-To"), err)
		}
		if _, err := mail.ParseAddress(e.header.Get("From")); err != nil || e.header.Get("Subject") != "Invitation: case conference CC-0001" {
			t.Errorf("From %q, Subject %q", e.header.Get("From"), e.header.Get("Subject"))
		}
		if !strings.Contains(e.text, "Dear "+name+",") {
			t.Errorf("the body does not greet %q:\n%s", name, e.text)
		}
		assertNoClientDetails(t, e)
	}
	// The fake Slack fails the test on anything it refuses.
	if _, reply := a.commandReply("U0CM", "show CC-0001"); !strings.Contains(reply, "CC-0001") {
		t.Errorf("show: %q", reply)
	}
}

// TestCorrectedAddressGetsTheInvitation: the mail server refuses Dr
// Patel's address (550); the case manager, told, corrects it with
// /caseconf edit. The invitation then goes to the corrected address,
// once, though the meeting did not move.
func TestCorrectedAddressGetsTheInvitation(t *testing.T) {
	t.Parallel()
	a, srv := startMailApp(t)
	srv.Refuse(550)
	one := scheduleForm().without("ext_phone_0").text("ext_email_0", "dr.patle@example.org")
	if ack := a.viewSubmission("U0CM", "schedule", "V1", "", one, 0); ack["response_action"] != "clear" {
		t.Fatal(ack)
	}
	a.eventually("the refused invitation given up", func() bool {
		return a.count(`SELECT count(*) FROM outbox WHERE kind = 'email_invitation' AND state = 'failed'`) == 1
	})
	a.waitOutboxDone(20 * time.Second)
	meta, blocks := a.openEdit("U0CM", "CC-0001")
	edit := formFromModal(blocks).text("ext_email_0", "dr.patel@example.org")
	if ack := a.viewSubmission("U0CM", "conference_edit", "VEDIT", meta, edit, 0); ack["response_action"] != "clear" {
		t.Fatalf("the edit: %v", ack)
	}
	ms := srv.Wait(t, 1, 15*time.Second)
	a.waitOutboxDone(20 * time.Second)
	got := byRecipient(t, srv.Messages())
	if es := got["dr.patel@example.org"]; len(es) != 1 || es[0].header.Get("Subject") != "Invitation: case conference CC-0001" {
		t.Errorf("the corrected address got %d e-mails (%d in all), want the invitation", len(es), len(ms))
	}
	if len(srv.Messages()) != 1 {
		t.Errorf("%d e-mails, want the one invitation", len(srv.Messages()))
	}
}

// TestEmailsQueuedBeforeMailWasTurnedOff: e-mails written while caseconf
// had a mail server, found by a caseconf that has none: one written a
// moment ago waits (a sweep without the mail settings leaves it for the
// service that has them); one waiting for a day is given up and the case
// manager told, to reach the person another way.
func TestEmailsQueuedBeforeMailWasTurnedOff(t *testing.T) {
	t.Parallel()
	a := startApp(t, nil)
	a.slack.AddUser(slackUser("U0CM", "Casey Manager"))
	one := scheduleForm().without("ext_phone_0").text("ext_email_0", "dr.patel@example.org")
	if ack := a.viewSubmission("U0CM", "schedule", "V1", "", one, 0); ack["response_action"] != "clear" {
		t.Fatal(ack)
	}
	a.waitCalls("chat.postMessage", 3)
	a.waitOutboxDone(20 * time.Second)
	conf, patel := a.count(`SELECT id FROM conferences`), a.count(`SELECT id FROM invitees WHERE name = 'Dr Patel'`)
	a.exec(`INSERT INTO outbox (kind, dedup_key, recipient_id, conference_id, subject_id, not_before, created_at)
		VALUES ('email_change', 'fresh', 'dr.patel@example.org', $1, $2, now() - interval '1 minute', $3),
		       ('email_invitation', 'old', 'dr.patel@example.org', $1, $2, now() - interval '1 minute', $4)`,
		conf, patel, testNow, testNow.Add(-25*time.Hour))
	a.main.Bot.Sender().Wake()
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
	if !strings.Contains(told, "The e-mailed invitation for *CC-0001* could not be delivered to Dr Patel (dr.patel@example.org)") || !strings.Contains(told, "turned off") {
		t.Errorf("the case manager was told:\n%s", told)
	}
	if n := a.count(`SELECT count(*) FROM outbox WHERE dedup_key = 'old' AND state = 'failed'`); n != 1 {
		t.Error("the day-old e-mail was not given up")
	}
	if n := a.count(`SELECT count(*) FROM outbox WHERE dedup_key = 'fresh' AND state = 'pending' AND attempts = 0`); n != 1 {
		t.Error("the fresh e-mail was not left for a process with a mail server")
	}
}

// TestMinutesPDFPressedTwice: the case manager presses E-mail the minutes
// twice in quick succession. One PDF is made, under one password; each
// covered person gets one e-mail; the second press says the PDF was just
// made and shows no second password.
func TestMinutesPDFPressedTwice(t *testing.T) {
	t.Parallel()
	a, srv := startMailApp(t)
	conf := offSlackConference(a, srv)
	a.recordOutcomeWith(minutesShared())
	first := a.clickAgain("U0CM", "minutes_pdf", fmt.Sprintf("c%d", conf), "first")
	second := a.clickAgain("U0CM", "minutes_pdf", fmt.Sprintf("c%d", conf), "second")
	one, two := a.replyTo(first), a.replyTo(second)
	password := a.passwordIn(t, "CC-0001-minutes.pdf") // fails on two passwords
	a.waitOutboxDone(20 * time.Second)
	got := byRecipient(t, srv.Messages())
	for _, to := range []string{"person.a@example.org", "person.b@example.org"} {
		if len(got[to]) != 2 {
			t.Errorf("%s got %d e-mails, want the invitation and one minutes", to, len(got[to]))
		}
	}
	if n := a.count(`SELECT count(*) FROM disclosures WHERE medium = 'email'`); n != 2 {
		t.Errorf("%d minutes disclosures, want 2", n)
	}
	if strings.Contains(one, "moment ago") == strings.Contains(two, "moment ago") || strings.Contains(one+two, password) {
		t.Errorf("the two presses answered:\n%s\n%s", one, two)
	}
	n := 0
	for _, c := range a.slack.CallsTo("response_url") {
		if strings.Contains(string(c.Body), "The password of") {
			n++
		}
	}
	if n != 1 {
		t.Errorf("%d passwords shown, want 1", n)
	}
}

// clickAgain is click, with its own response URL (named by press), for a
// button pressed more than once.
func (a *app) clickAgain(userID, actionID, value, press string) string {
	a.t.Helper()
	respID := fmt.Sprintf("click-%s-%s-%s-%s", userID, actionID, value, press)
	a.send(fakeslack.Envelope{Type: fakeslack.TypeInteractive, Payload: map[string]any{
		"type": "block_actions", "team": map[string]any{"id": fakeslack.TeamID}, "user": map[string]any{"id": userID},
		"api_app_id": fakeslack.AppID, "trigger_id": "trig-" + respID, "response_url": a.slack.ResponseURL(respID),
		"container": map[string]any{"type": "message", "channel_id": fakeslack.DMChannelID(userID)},
		"actions":   []map[string]any{{"type": "button", "action_id": actionID, "block_id": "b", "value": value, "action_ts": "1700000000." + press}},
	}})
	return respID
}

// TestMinutesPDFNotSentOnceConsentStopsCovering: the mail server is
// refusing for now when the minutes are e-mailed; before they go, the
// client's consent stops covering the readers' agency (housing). The
// minutes PDF is then not sent to them: whom it may go to is decided again
// when it goes, as for the minutes on Slack.
func TestMinutesPDFNotSentOnceConsentStopsCovering(t *testing.T) {
	t.Parallel()
	a, srv := startMailApp(t)
	conf := offSlackConference(a, srv)
	a.recordOutcomeWith(minutesShared())
	srv.Refuse(421, 421, 421, 421, 421, 421, 421, 421)
	a.replyTo(a.click("U0CM", "minutes_pdf", fmt.Sprintf("c%d", conf)))
	a.eventually("the minutes e-mails refused for now", func() bool {
		return a.count(`SELECT count(*) FROM outbox WHERE kind = 'email_minutes' AND state = 'pending' AND cardinality(errors) > 0`) == 2
	})
	a.exec(`UPDATE consents SET agency_kinds = '{health_gp}'`)
	a.exec(`UPDATE outbox SET not_before = now() WHERE kind = 'email_minutes'`)
	a.main.Bot.Sender().Wake()
	a.eventually("the minutes e-mails withheld", func() bool {
		return a.count(`SELECT count(*) FROM outbox WHERE kind = 'email_minutes' AND state = 'cancelled' AND attachment IS NULL`) == 2
	})
	for _, m := range srv.Messages() {
		if e := readEmail(t, m); strings.HasPrefix(e.header.Get("Subject"), "Minutes") {
			t.Errorf("the minutes went to %v after the consent stopped covering them", m.To)
		}
	}
	if n := a.count(`SELECT count(*) FROM disclosures WHERE medium = 'email' AND sent_at IS NOT NULL`); n != 0 {
		t.Errorf("%d minutes disclosures delivered", n)
	}
}

// TestMinutesPDFMadeByAnAdministrator: an administrator (covering for an
// absent case manager) e-mails the minutes. The password was shown to
// them, not to the case manager, so the e-mail says the administrator
// will give it by phone.
func TestMinutesPDFMadeByAnAdministrator(t *testing.T) {
	t.Parallel()
	srv := smtptest.Start(t)
	a := startAppWith(t, map[string]string{"CASECONF_SMTP_URL": srv.URL(), "CASECONF_MAIL_FROM": mailFrom, "CASECONF_ADMINS": "U0ADMIN"},
		func(m *Main) { m.MailTLS = srv.TLS })
	a.slack.AddUser(slack.User{ID: "U0CM", Name: "u0cm", RealName: "Casey Manager", TZ: "Europe/London",
		Profile: slack.UserProfile{RealName: "Casey Manager", Title: "Senior Key Worker", Email: "casey.manager@westminster.example", Phone: "020 7946 0999"}})
	a.slack.AddUser(slack.User{ID: "U0ADMIN", Name: "u0admin", RealName: "Ada Admin", TZ: "Europe/London",
		Profile: slack.UserProfile{RealName: "Ada Admin", Title: "Service Manager", Email: "ada.admin@westminster.example", Phone: "020 7946 0123"}})
	conf := offSlackConference(a, srv)
	a.recordOutcomeWith(minutesShared())
	a.replyTo(a.click("U0ADMIN", "minutes_pdf", fmt.Sprintf("c%d", conf)))
	a.passwordIn(t, "CC-0001-minutes.pdf")
	got := byRecipient(t, srv.Wait(t, 5, 15*time.Second))
	e := got["person.a@example.org"][1]
	if !strings.Contains(e.text, "Ada Admin (020 7946 0123) will give you the password by phone") || strings.Contains(e.text, "Casey Manager will give you the password") {
		t.Errorf("the minutes e-mail:\n%s", e.text)
	}
}
