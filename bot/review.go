package bot

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"github.com/caseconf/caseconf"
)

// actionScheduleReview is the review reminder's button: value
// subject{Conference}. It opens the scheduling form filled in from the
// conference under review.
const actionScheduleReview = "schedule_review"

func (b *Bot) registerReview() {
	b.HandleAction(actionScheduleReview, b.clickScheduleReview)
}

// clickScheduleReview opens the form for the review conference, filled in
// from the one under review: same client, reasons, purpose, place,
// invitees, chair and minute taker, on the review date. The consent is
// filled in only if it still covers the review date; otherwise it must be
// recorded again. The read needs the database before the trigger ID (3 s)
// runs out: one indexed read.
func (b *Bot) clickScheduleReview(ctx context.Context, r *Request) {
	r.Ack(nil)
	c, ok := b.clickedConference(ctx, r, "conference.review_form", caseconf.CanScheduleReview)
	if !ok {
		return
	}
	reviewOn, err := b.store.ReviewDate(ctx, c.ID)
	if err != nil {
		b.replyError(ctx, r, err)
		return
	}
	earliest := b.cal.AddWorkingDays(b.now(), caseconf.MinNoticeWorkingDays)
	b.openView(ctx, r, r.Interaction.TriggerID, reviewModal(r.UserID, earliest, c, reviewOn, b.cal))
}

// reviewModal is scheduleModal filled in from c, for its review on
// reviewOn (zero: none recorded).
func reviewModal(caller string, earliest time.Time, c *caseconf.Conference, reviewOn time.Time, cal caseconf.Calendar) slack.ModalViewRequest {
	day := earliest
	if !reviewOn.IsZero() {
		day = reviewOn
	}
	var external []caseconf.Invitee
	for _, inv := range c.Invitees {
		if !inv.OnSlack() {
			external = append(external, inv)
		}
	}
	// As many as the form holds with its note on top (Slack's 100
	// blocks); the rest can be added with /caseconf edit.
	room := (maxModalBlocks - 1 - len(scheduleModalRows(caller, day, 0).Blocks.BlockSet)) / extRowBlocks
	external = external[:min(len(external), room)]
	view := scheduleModalRows(caller, day, max(externalRows, len(external)))
	view.Title = plain("Call the review")
	view.PrivateMetadata = followsReview + subject{Conference: c.ID}.String()
	consentHolds := consentCarries(c.Consent, day, cal)
	prefillSchedule(view.Blocks.BlockSet, c, cal, external, prefillReview, consentHolds)
	intro := fmt.Sprintf(":repeat: The review of *%s*, filled in from it: check everything before you press Schedule.", c.Ref)
	if !consentHolds {
		intro += " The client's consent recorded then does not cover the review date (or there was none): record it again below."
	}
	view.Blocks.BlockSet = slices.Insert(view.Blocks.BlockSet, 0, slack.Block(section(intro)))
	return view
}

// consentCarries reports whether consent recorded for one conference can
// fill in the form for another on day: a signed consent form still valid
// then. Verbal consent was for its meeting, and sharing without consent
// is decided afresh.
func consentCarries(c caseconf.Consent, day time.Time, cal caseconf.Calendar) bool {
	return c.Method == caseconf.ConsentWritten && !c.ValidUntil.IsZero() && !dayIn(c.ValidUntil, cal.Loc).Before(dayIn(day, cal.Loc))
}

// A scheduling form opened from a conference says so in its private
// metadata: "review:c7" or "handover:c7". The store checks on submission
// that its caller may call that (the metadata comes back from the
// client, so it is never trusted on its own).
const (
	followsReview   = "review:"
	followsHandover = "handover:"
)

// follows reads a scheduling form's private metadata: the conference it
// follows and whether it is that one's handover (0 for a plain form). ok
// is false for metadata that is neither empty nor well formed.
func follows(metadata string) (id int64, handover bool, ok bool) {
	if metadata == "" {
		return 0, false, true
	}
	rest, handover := strings.CutPrefix(metadata, followsHandover)
	if !handover {
		var review bool
		if rest, review = strings.CutPrefix(metadata, followsReview); !review {
			return 0, false, false
		}
	}
	subj, err := parseSubject(rest)
	if err != nil || subj.Conference == 0 || subj != (subject{Conference: subj.Conference}) {
		return 0, false, false
	}
	return subj.Conference, handover, true
}

// chosen are the options among opts whose values are in values.
func chosen(opts []*slack.OptionBlockObject, values []string) []*slack.OptionBlockObject {
	var out []*slack.OptionBlockObject
	for _, o := range opts {
		if slices.Contains(values, o.Value) {
			out = append(out, o)
		}
	}
	return out
}

// dayIn is the calendar day of a date (as the database gives it, midnight
// UTC) as midnight in loc.
func dayIn(d time.Time, loc *time.Location) time.Time {
	return time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, loc)
}

// clickedConference reads the conference a clicked button names (value
// subject{Conference}) for the clicking user, audited as action, and
// checks rule; on any refusal it has replied (a conference the user may
// not see reads like one that does not exist) and ok is false.
func (b *Bot) clickedConference(ctx context.Context, r *Request, action string, rule func(*caseconf.Conference, caseconf.Viewer) error) (c *caseconf.Conference, ok bool) {
	subj, err := parseSubject(r.Interaction.ActionCallback.BlockActions[0].Value)
	if err != nil || subj.Conference == 0 {
		b.replyError(ctx, r, caseconf.NotFound())
		return nil, false
	}
	v := b.viewer(r.UserID)
	c, err = b.store.ConferenceByID(ctx, subj.Conference, v, action)
	if err == nil {
		err = rule(c, v)
	}
	if err != nil {
		b.replyError(ctx, r, err)
		return nil, false
	}
	return c, true
}
