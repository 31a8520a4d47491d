package bot

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/slack-go/slack"

	"github.com/caseconf/caseconf"
)

func london(t *testing.T) caseconf.Calendar {
	t.Helper()
	loc, err := time.LoadLocation("Europe/London")
	if err != nil {
		t.Fatal(err)
	}
	return caseconf.NewCalendar(loc, nil)
}

// sampleConference is a fresh conference with one invitee on Slack, who
// has not accepted the agreement yet. Each test builds its own.
func sampleConference() (*caseconf.Conference, *caseconf.Invitee) {
	c := &caseconf.Conference{
		ID: 7, Ref: "CC-0007", ClientRef: "JS-4411", ClientName: "Jane Smith",
		CaseManagerID: "U0CM", ChairID: "U0CM", MinuteTakerID: "U0CM",
		Reasons: []string{"complex_health"}, Purpose: "Keep the <tenancy> & more",
		StartsAt: time.Date(2026, 11, 20, 10, 30, 0, 0, time.UTC), DurationMinutes: 60, Place: "Church Street Surgery",
		ClientAttends: true, Status: caseconf.StatusScheduled,
		Consent:   caseconf.Consent{Method: caseconf.ConsentWritten, AgencyKinds: []string{"health_gp"}},
		CreatedAt: time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC),
	}
	c.Invitees = []caseconf.Invitee{{ID: 42, ConferenceID: 7, SlackUserID: "U0GP"}}
	return c, &c.Invitees[0]
}

// accept makes inv have accepted the agreement, from an agency of kind.
func accept(c *caseconf.Conference, inv *caseconf.Invitee, kind string) {
	at := c.CreatedAt
	inv.AcceptedAt = &at
	inv.AgencyKind = kind
}

// rendered is a message's text and the JSON of its blocks.
func rendered(t *testing.T, m message) string {
	t.Helper()
	raw, err := json.Marshal(m.Blocks)
	if err != nil {
		t.Fatal(err)
	}
	return m.Text + "\n" + string(raw)
}

func TestInvitationMessage(t *testing.T) {
	cal := london(t)

	t.Run("BeforeAgreementShowsOnlyReferenceCallerAndDate", func(t *testing.T) {
		c, inv := sampleConference()
		got := rendered(t, invitationMessage(c, inv, cal))
		for _, want := range []string{"CC-0007", "\\u003c@U0CM\\u003e", "Friday 20 November 2026 at 10:30 GMT", `"action_id":"agree"`, `"value":"i42"`} {
			if !strings.Contains(got, want) {
				t.Errorf("missing %q in %s", want, got)
			}
		}
		for _, secret := range []string{"JS-4411", "tenancy", "Church Street", "respond:"} {
			if strings.Contains(got, secret) {
				t.Errorf("shows %q before the agreement", secret)
			}
		}
	})
	t.Run("AfterAgreementCoveredShowsDetailsAndButtons", func(t *testing.T) {
		c, inv := sampleConference()
		accept(c, inv, "health_gp")
		got := rendered(t, invitationMessage(c, inv, cal))
		for _, want := range []string{"Keep the \\u0026lt;tenancy\\u0026gt; \\u0026amp; more", "Church Street Surgery", "respond:attending", "respond:colleague", "respond:apologies", "not given yet"} {
			if !strings.Contains(got, want) {
				t.Errorf("missing %q in %s", want, got)
			}
		}
	})
	t.Run("AfterAgreementNotCoveredWithholdsDetails", func(t *testing.T) {
		c, inv := sampleConference()
		accept(c, inv, "housing")
		got := rendered(t, invitationMessage(c, inv, cal))
		if strings.Contains(got, "tenancy") || strings.Contains(got, "JS-4411") || !strings.Contains(got, "does not cover your agency (Housing)") {
			t.Errorf("uncovered invitee sees: %s", got)
		}
	})
	t.Run("CancelledHasNoButtons", func(t *testing.T) {
		c, inv := sampleConference()
		accept(c, inv, "health_gp")
		c.Status = caseconf.StatusCancelled
		got := rendered(t, invitationMessage(c, inv, cal))
		if strings.Contains(got, "respond:") || !strings.Contains(got, "cancelled") {
			t.Errorf("cancelled invitation: %s", got)
		}
	})
}

func TestScheduleModalFitsBlockKit(t *testing.T) {
	v := scheduleModal("U0CM", time.Date(2026, 11, 16, 0, 0, 0, 0, time.UTC))
	if n := len(v.Blocks.BlockSet); n > 100 {
		t.Fatalf("%d blocks; a modal takes at most 100", n)
	}
	if !slack.ValidateUniqueBlockID(v) {
		t.Fatal("block IDs are not unique")
	}
	raw, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"initial_date":"2026-11-16"`, `"initial_user":"U0CM"`, `"max_length":3000`} {
		if !strings.Contains(string(raw), want) {
			t.Errorf("modal lacks %s", want)
		}
	}
	if len(v.Title.Text) > 24 || len(v.Submit.Text) > 24 {
		t.Errorf("title %q or submit %q is over Slack's 24 characters", v.Title.Text, v.Submit.Text)
	}
}

// The letter to a GP lets the surgery act on it: placeholders for the
// patient's name, date of birth and NHS number (which caseconf never
// holds), the concerns as a numbered list with their labels as written,
// the request for the earliest suitable appointment, and the sender's
// details from their Slack profile, with placeholders for what it lacks.
func TestDraftLetter(t *testing.T) {
	c, _ := sampleConference()
	gp := &caseconf.Invitee{ID: 43, Name: "Dr Patel", Role: "GP"}
	from := senderFrom(&slack.User{RealName: "Alex Keyworker", Profile: slack.UserProfile{Title: "Key worker", Email: "alex@example.org"}})
	got := draftLetter(c, gp, from, time.Date(2026, 11, 2, 12, 0, 0, 0, time.UTC), london(t))
	want := []string{"2 November 2026", "Dear Dr Patel,", "[patient's full name]", "date of birth [DD/MM/YYYY]", "NHS number [NHS number]",
		"our reference JS-4411", "Friday 20 November 2026 at 10:30", "Church Street Surgery", "earliest suitable appointment",
		"Alex Keyworker\nKey worker, [your organisation]", "Phone: [your phone number]", "E-mail: alex@example.org", "CC-0007"}
	for i, r := range c.Reasons {
		want = append(want, fmt.Sprintf("\n%d. %s\n", i+1, caseconf.Label(caseconf.ConferenceReasons, r)))
	}
	for _, w := range want {
		if !strings.Contains(got, w) {
			t.Errorf("letter lacks %q:\n%s", w, got)
		}
	}
	if strings.Contains(got, "Jane Smith") {
		t.Error("the letter names the client; the case manager fills the name in")
	}
	if strings.Contains(got, "In particular:") {
		t.Error("the concerns are run into one lower-cased line")
	}
	if blank := senderFrom(nil); blank.Name != "[your name]" || blank.Email != "[your e-mail address]" {
		t.Errorf("no profile: %+v", blank)
	}
}

func TestParseCommand(t *testing.T) {
	tests := []struct {
		text, name string
		args       int
	}{
		{"", "help", 0},
		{"  SHOW   cc-0001 ", "show", 1},
		{"new", "new", 0},
	}
	for _, tt := range tests {
		name, args := parseCommand(tt.text)
		if name != tt.name || len(args) != tt.args {
			t.Errorf("parseCommand(%q) = %q %v", tt.text, name, args)
		}
	}
}

func TestSplitTextNeverCutsAnEscapeOrToken(t *testing.T) {
	// Every cut position lands on an escape or a token at some offset.
	for shift := 0; shift < 12; shift++ {
		text := strings.Repeat("x", shift) + strings.Repeat(escape("a&b<c>")+"<@U0CM>", 400)
		parts := splitText(text, 100)
		if strings.Join(parts, "") != text {
			t.Fatalf("shift %d: the parts do not add up to the text", shift)
		}
		for i, p := range parts {
			if n := len([]rune(p)); n > 100 || n == 0 {
				t.Fatalf("shift %d: part %d has %d characters", shift, i, n)
			}
			if i < len(parts)-1 && !startsClean(parts[i+1]) {
				t.Fatalf("shift %d: part %d starts inside an escape or token: %q", shift, i+1, parts[i+1][:10])
			}
		}
	}
}

// startsClean reports whether s begins where an escape or token could
// begin or has ended.
func startsClean(s string) bool {
	for _, frag := range []string{"amp;", "mp;", "p;", "lt;", "t;", "gt;", "@U0CM>", "U0CM>", "0CM>", "CM>", "M>", ">"} {
		if strings.HasPrefix(s, frag) {
			return false
		}
	}
	return true
}

// A message longer than Slack takes is cut to fit, in order, saying so,
// with its closing blocks kept; one that fits is left alone.
func TestFitKeepsAMessageWithinSlack(t *testing.T) {
	var long []slack.Block
	for i := 0; i < 60; i++ {
		long = append(long, section(strings.Repeat("x", 500)))
	}
	end := []slack.Block{section("closing"), note("last")}
	got := fit(long, end, "cut short")
	if len(got) > maxMessageBlocks || messageChars(got) > maxMessageText {
		t.Fatalf("fitted message has %d blocks and %d characters", len(got), messageChars(got))
	}
	if n := len(got); blockChars(got[n-1]) != 4 || blockChars(got[n-2]) != 7 || blockChars(got[n-3]) != len("cut short") {
		t.Errorf("the note and the closing blocks are not last")
	}
	if len(got) < 20 {
		t.Errorf("only %d blocks kept", len(got))
	}
	short := []slack.Block{section("a"), section("b")}
	if got := fit(short, end, "cut short"); len(got) != 4 {
		t.Errorf("a short message changed: %d blocks", len(got))
	}
	m := message{Text: "x", Blocks: long}.fitted()
	if len(m.Blocks) > maxMessageBlocks || messageChars(m.Blocks) > maxMessageText {
		t.Errorf("fitted() left %d blocks, %d characters", len(m.Blocks), messageChars(m.Blocks))
	}
}

// An invitation whose purpose, place and absence reasons are typed with
// many '&', '<', '>' (each escapes to 4–5 characters: a pasted e-mail
// thread quoted with '>' does it) once passed Slack's 11,000 characters;
// the sender's last guard (message.fitted) then had to cut it. It is short
// by design now: the beginning of each, with show for the rest, within
// the limit, so nothing is cut and the invitee's Attending / Can't attend
// buttons and the report button are there.
func TestFittedKeepsTheInvitationsButtons(t *testing.T) {
	cal := london(t)
	c, inv := sampleConference()
	accept(c, inv, "health_gp")
	c.Purpose = strings.Repeat("&", 3000)
	c.Place = strings.Repeat(">", 500)
	c.ClientAttends = false
	c.ClientAbsence, c.ChildCareManager = caseconf.AbsenceChildWelfare, strings.Repeat("<", caseconf.MaxShortText)
	c.ClientAbsenceNote = strings.Repeat("<", 500)
	c.ClientToldHow = strings.Repeat("&", 500)
	m := invitationMessage(c, inv, cal)
	if n := messageChars(m.Blocks); n > maxMessageText/2 {
		t.Errorf("the invitation holds %d characters of block text", n)
	}
	got := m.fitted()
	if got.fingerprint() != m.fingerprint() {
		t.Errorf("fitted() cut the invitation")
	}
	if r := rendered(t, got); !strings.Contains(r, "/caseconf show CC-0007` has the rest") {
		t.Errorf("the invitation does not say where the rest of the purpose is: %.500s", r)
	}
	actions := map[string]bool{}
	for _, b := range got.Blocks {
		if a, ok := b.(*slack.ActionBlock); ok {
			actions[a.BlockID] = true
		}
	}
	for _, id := range []string{"respond", "report"} {
		if !actions[id] {
			t.Errorf("fitted() dropped the %q buttons of the invitation (%d blocks kept of %d)", id, len(got.Blocks), len(m.Blocks))
		}
	}
}

// fitted() keeps the last actions block of any long
// message it cuts (reminders, the action assigned, the summary end with
// their buttons).
func TestFittedNeverDropsTrailingActions(t *testing.T) {
	var blocks []slack.Block
	for i := 0; i < 5; i++ {
		blocks = append(blocks, section(strings.Repeat("x", 2999)))
	}
	blocks = append(blocks, slack.NewActionBlock("buttons", button("a", "v", "Mark done", "")))
	got := message{Text: "x", Blocks: blocks}.fitted()
	if _, ok := got.Blocks[len(got.Blocks)-1].(*slack.ActionBlock); !ok {
		t.Errorf("the trailing actions block was dropped: %d blocks kept of %d", len(got.Blocks), len(blocks))
	}
}

// pack splits a long run of blocks over messages Slack takes, in order,
// leaving nothing out.
func TestPackLeavesNothingOut(t *testing.T) {
	var blocks []slack.Block
	for i := 0; i < 120; i++ {
		blocks = append(blocks, section(strings.Repeat("y", 400)))
	}
	parts := pack(blocks)
	n := 0
	for _, p := range parts {
		if len(p) > maxMessageBlocks || messageChars(p) > maxMessageText {
			t.Errorf("a part of %d blocks, %d characters", len(p), messageChars(p))
		}
		n += len(p)
	}
	if n != len(blocks) || len(parts) < 5 {
		t.Errorf("%d blocks in %d parts, from %d", n, len(parts), len(blocks))
	}
}
