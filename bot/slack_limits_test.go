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
	c.ClientAttends, c.ClientAbsenceNote, c.ClientToldHow = false, long(caseconf.MaxReasonText), long(caseconf.MaxReasonText)
	c.ClientAbsence, c.ChildCareManager = caseconf.AbsenceChildWelfare, long(caseconf.MaxShortText)
	c.Consent.Checked, c.Consent.NotCheckedWhy = false, long(caseconf.MaxReasonText)
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

// sectionTexts is the text of each section of blocks, in order.
func sectionTexts(blocks []slack.Block) []string {
	var out []string
	for _, b := range blocks {
		if s, ok := b.(*slack.SectionBlock); ok {
			out = append(out, s.Text.Text)
		}
	}
	return out
}

// followPages renders page after page through the Next button whose
// action ID is next, from the first, and returns them.
func followPages(t *testing.T, first message, next string, render func(subject) message) []message {
	t.Helper()
	pages := []message{first}
	for len(pages) < 200 {
		value := ""
		for _, b := range pages[len(pages)-1].Blocks {
			if a, ok := b.(*slack.ActionBlock); ok {
				for _, el := range a.Elements.ElementSet {
					if btn, ok := el.(*slack.ButtonBlockElement); ok && btn.ActionID == next {
						value = btn.Value
					}
				}
			}
		}
		if value == "" {
			return pages
		}
		subj, err := parseSubject(value)
		if err != nil {
			t.Fatalf("page button %q: %v", value, err)
		}
		pages = append(pages, render(subj))
	}
	t.Fatalf("more than 200 pages")
	return nil
}

// The reports, however long, are paged within one message a page, and
// the pages hold every block of every report, once, in order.
func TestReportsPagesHoldEveryBlock(t *testing.T) {
	cal := london(t)
	for _, n := range []int{1, 2, 5} {
		c, reports := readingConference(n)
		reports[0].Concerns = strings.Repeat("short ", 10) // a short one among long ones
		var want []string
		for _, rep := range orderReports(c, reports) {
			want = append(want, sectionTexts(reportBlocks(c, rep))...)
		}
		pages := followPages(t, reportsMessage(c, reports, 0, 0, cal), actionReports+":next", func(s subject) message {
			if s.Conference != c.ID {
				t.Fatalf("a page button for conference %d", s.Conference)
			}
			return reportsMessage(c, reports, s.Invitee, int(s.Page), cal)
		})
		var got []string
		for i, p := range pages {
			withinOneMessage(t, fmt.Sprintf("%d reports, page %d", n, i+1), p.Blocks)
			got = append(got, sectionTexts(p.Blocks)[1:]...) // after the heading
			if len(pages) > 1 && !strings.Contains(rendered(t, p), fmt.Sprintf("page %d of %d", i+1, len(pages))) {
				t.Errorf("%d reports: page %d does not say so", n, i+1)
			}
		}
		if strings.Join(got, "\x00") != strings.Join(want, "\x00") {
			t.Errorf("%d reports: the %d pages hold %d sections, want the %d of the reports in order", n, len(pages), len(got), len(want))
		}
	}
}

// show of the fullest conference, with long reports, is paged within one
// message a page, the record button on every page, and the pages hold
// all of it.
func TestShowPaged(t *testing.T) {
	cal := london(t)
	c := fullestConference(30, 3)
	_, reports := readingConference(3)
	for i := range reports {
		reports[i].ConferenceID, reports[i].InviteeID, reports[i].AuthorID = c.ID, c.Invitees[i].ID, c.Invitees[i].SlackUserID
	}
	chair := caseconf.Viewer{UserID: c.ChairID}
	now := c.StartsAt.Add(time.Hour) // after the meeting: the outcome may be recorded
	var want []string
	want = append(want, sectionTexts(showBlocks(c, chair, cal))...)
	pages := followPages(t, showMessage(c, chair, reports, nil, now, cal, 0), actionShowPage+":next", func(s subject) message {
		return showMessage(c, chair, reports, nil, now, cal, int(s.Page))
	})
	if len(pages) < 2 {
		t.Fatalf("show of the fullest conference on %d page", len(pages))
	}
	var got []string
	for i, p := range pages {
		withinOneMessage(t, fmt.Sprintf("show, page %d", i+1), p.Blocks)
		r := rendered(t, p)
		if !strings.Contains(r, `"action_id":"record"`) || !strings.Contains(r, fmt.Sprintf("Page %d of %d", i+1, len(pages))) {
			t.Errorf("show, page %d: no record button or page number", i+1)
		}
		got = append(got, sectionTexts(p.Blocks)...)
	}
	if !strings.HasPrefix(strings.Join(got, "\x00"), strings.Join(want, "\x00")) {
		t.Errorf("the pages of show do not hold the conference in order")
	}
	if r := fmt.Sprint(got); !strings.Contains(r, "Agency reports:* 3 received") {
		t.Errorf("the pages of show do not list the reports")
	}
	// A page past the last is the last.
	if showMessage(c, chair, reports, nil, now, cal, 99).fingerprint() != pages[len(pages)-1].fingerprint() {
		t.Errorf("page 99 is not the last page")
	}
}

// The outcome form opens filled in within its fields: three people not on
// Slack with the longest names and contacts in full, and as many briefed
// colleagues as fit (the rest by name, then left out).
func TestOutcomeDefaultsWithinTheirFields(t *testing.T) {
	c := fullestConference(12, 3)
	for i := range c.Invitees {
		c.Invitees[i].Name, c.Invitees[i].Contact = strings.Repeat("n", caseconf.MaxShortText), strings.Repeat("c", caseconf.MaxShortText)
		c.Invitees[i].Agency = strings.Repeat("a", caseconf.MaxShortText)
	}
	f := outcomeDefaults(c)
	for name, v := range map[string]string{"share with (not on Slack)": f.ShareOthers, "others who attended": f.AttendedOthers} {
		if n := len([]rune(v)); n > caseconf.MaxPeopleText {
			t.Errorf("%s filled in with %d characters, past its %d", name, n, caseconf.MaxPeopleText)
		}
	}
	if lines := strings.Split(f.ShareOthers, "\n"); len(lines) != 3 || len(lines[2]) != 2*caseconf.MaxShortText+2 {
		t.Errorf("the three people not on Slack are not all there in full: %d lines", len(lines))
	}
	if lines := strings.Split(f.AttendedOthers, "\n"); len(lines) < 3 {
		t.Errorf("only %d briefed colleagues filled in", len(lines))
	}
	if _, err := outcomeModal(c, f, "", time.Time{}, london(t), 0); err != nil {
		t.Fatal(err)
	}
}
