package bot

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/slack-go/slack"

	"github.com/caseconf/caseconf"
)

// withinOneMessage fails unless blocks are a message Slack takes: at most
// 50 blocks, 3,000 characters a section and maxMessageText in all.
func withinOneMessage(t *testing.T, what string, blocks []slack.Block) {
	t.Helper()
	if len(blocks) > maxMessageBlocks {
		t.Errorf("%s: %d blocks", what, len(blocks))
	}
	for i, b := range blocks {
		if n := blockChars(b); n > maxSectionText {
			t.Errorf("%s: block %d holds %d characters", what, i, n)
		}
	}
	if n := messageChars(blocks); n > maxMessageText {
		t.Errorf("%s: %d characters of block text", what, n)
	}
}

// A stray '&' is an escape cut in half.
var brokenEscape = regexp.MustCompile(`&(?:[^al]|a[^m]|am[^p]|l[^t]|lt[^;]|amp[^;])`)

func TestClip(t *testing.T) {
	if got := clip("a < b", 20, "…more"); got != "a &lt; b" {
		t.Errorf("short text: %q", got)
	}
	for _, s := range []string{strings.Repeat("&", 3000), strings.Repeat("a<b ", 700), strings.Repeat("é", 3000)} {
		for _, max := range []int{80, 300, 600} {
			got := clip(s, max, showRest("CC-0001"))
			if n := len([]rune(got)); n > max || n < max/2 {
				t.Errorf("clip to %d: %d characters", max, n)
			}
			if !strings.HasSuffix(got, "…"+showRest("CC-0001")) {
				t.Errorf("clip to %d does not say where the rest is: %q", max, got)
			}
			if brokenEscape.MatchString(got + "  ") {
				t.Errorf("clip to %d cuts an escape: %q", max, got)
			}
		}
	}
}

// fullestConference is a conference with every free-text field at its
// limit in characters that grow the most when escaped, and n invitees on
// Slack (sending colleagues with the longest names) and off it.
func fullestConference(n, off int) *caseconf.Conference {
	c, _ := sampleConference()
	long := func(k int) string { return strings.Repeat("&<", k/2) }
	c.ClientRef, c.ClientName = long(caseconf.MaxClientRef), long(caseconf.MaxClientName)
	c.Purpose, c.Place = long(caseconf.MaxPurpose), long(caseconf.MaxPlace)
	c.Urgent, c.UrgentReason = true, long(caseconf.MaxReasonText)
	c.ClientAttends, c.ClientAbsenceReason, c.ClientToldHow = false, long(caseconf.MaxReasonText), long(caseconf.MaxReasonText)
	c.Reasons = nil
	for _, o := range caseconf.ConferenceReasons {
		c.Reasons = append(c.Reasons, o.Value)
	}
	c.Consent.AgencyKinds = nil
	for _, o := range caseconf.AgencyKinds {
		c.Consent.AgencyKinds = append(c.Consent.AgencyKinds, o.Value)
	}
	c.Invitees = nil
	at := c.CreatedAt.Add(time.Hour)
	for i := 1; i <= n+off; i++ {
		inv := caseconf.Invitee{ID: int64(i), ConferenceID: c.ID, AgencyKind: "housing"}
		if i <= n {
			inv.SlackUserID = fmt.Sprintf("U0INV%03d", i)
			inv.AcceptedAt = &at
			inv.Response = &caseconf.Response{Answer: caseconf.AnswerColleague, Colleague: long(caseconf.MaxShortText), At: at}
			inv.ReportAt = &at
		} else {
			inv.Name, inv.Role, inv.Agency, inv.Contact = long(caseconf.MaxShortText), long(caseconf.MaxShortText), long(caseconf.MaxShortText), long(caseconf.MaxShortText)
		}
		c.Invitees = append(c.Invitees, inv)
	}
	c.Consent.AgencyKinds = c.Consent.AgencyKinds[:1] // so most are not covered, and warned of
	return c
}

// The case manager's summary and the invitations are short by design:
// within one Slack message whatever was typed and however many are
// invited, without the last guard cutting them.
func TestSummaryAndInvitationsShortByDesign(t *testing.T) {
	cal := london(t)
	for _, size := range [][2]int{{1, 0}, {3, 3}, {40, 3}, {200, 30}} {
		c := fullestConference(size[0], size[1])
		var failed []string
		for i := range size[0] {
			failed = append(failed, fmt.Sprintf("U0INV%03d", i+1))
		}
		what := fmt.Sprintf("%d on Slack, %d off", size[0], size[1])
		m := summaryMessage(c, cal, failed)
		withinOneMessage(t, "the summary, "+what, m.Blocks)
		if m.fitted().fingerprint() != m.fingerprint() {
			t.Errorf("the summary, %s: cut by the last guard", what)
		}
		r := rendered(t, m)
		if !strings.Contains(r, fmt.Sprintf("*Invitees* (%d)", size[0]+size[1])) {
			t.Errorf("the summary, %s, does not count the invitees: %.300s", what, r)
		}
		if size[0] > 20 && !strings.Contains(r, "more: `/caseconf show CC-0007` lists everyone") {
			t.Errorf("the summary, %s, does not say where the others are", what)
		}
		for i := range c.Invitees {
			inv := &c.Invitees[i]
			if !inv.OnSlack() {
				continue
			}
			accept(c, inv, c.Consent.AgencyKinds[0]) // covered: the case details are shown
			msg := invitationMessage(c, inv, cal)
			if !strings.Contains(rendered(t, msg), "Purpose and aims") {
				t.Fatalf("an invitation, %s: no case details", what)
			}
			withinOneMessage(t, "an invitation, "+what, msg.Blocks)
			if msg.fitted().fingerprint() != msg.fingerprint() {
				t.Errorf("an invitation, %s: cut by the last guard", what)
			}
			break
		}
	}
}
