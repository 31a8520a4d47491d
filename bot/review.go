package bot

import (
	"context"
	"fmt"
	"slices"
	"strconv"
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
	view := scheduleModal(caller, day)
	view.Title = plain("Call the review")
	view.PrivateMetadata = followsReview + subject{Conference: c.ID}.String()
	start := c.StartsAt.In(cal.Loc)
	consentHolds := c.Consent.Method != caseconf.ConsentNone && !c.Consent.ValidUntil.IsZero() &&
		!dayIn(c.Consent.ValidUntil, cal.Loc).Before(dayIn(day, cal.Loc))
	var external []caseconf.Invitee
	var onSlack []string
	for _, inv := range c.Invitees {
		if inv.OnSlack() {
			onSlack = append(onSlack, inv.SlackUserID)
		} else if len(external) < externalRows {
			external = append(external, inv)
		}
	}
	for _, blk := range view.Blocks.BlockSet {
		in, ok := blk.(*slack.InputBlock)
		if !ok {
			continue
		}
		switch el := in.Element.(type) {
		case *slack.PlainTextInputBlockElement:
			fill(el, reviewText(in.BlockID, c, external))
		case *slack.MultiSelectBlockElement:
			switch in.BlockID {
			case caseconf.FieldReasons:
				el.InitialOptions = chosen(el.Options, c.Reasons)
			case caseconf.FieldSlackInvitees:
				el.InitialUsers = onSlack
			}
		case *slack.SelectBlockElement:
			switch in.BlockID {
			case caseconf.FieldChair:
				el.InitialUser = c.ChairID
			case caseconf.FieldMinuteTaker:
				el.InitialUser = c.MinuteTakerID
			default:
				for i, inv := range external {
					if in.BlockID == caseconf.ExternalField("agency_kind", i) {
						if o := chosen(el.Options, []string{inv.AgencyKind}); len(o) == 1 {
							el.InitialOption = o[0]
						}
					}
				}
			}
		case *slack.TimePickerBlockElement:
			el.InitialTime = start.Format("15:04")
		case *slack.NumberInputBlockElement:
			el.InitialValue = strconv.Itoa(c.DurationMinutes)
		case *slack.RadioButtonsBlockElement:
			switch in.BlockID {
			case caseconf.FieldClientAttends:
				attends := "no"
				if c.ClientAttends {
					attends = "yes"
				}
				if o := chosen(el.Options, []string{attends}); len(o) == 1 {
					el.InitialOption = o[0]
				}
			case caseconf.FieldConsentMethod:
				if consentHolds {
					if o := chosen(el.Options, []string{c.Consent.Method}); len(o) == 1 {
						el.InitialOption = o[0]
					}
				}
			}
		case *slack.DatePickerBlockElement:
			switch {
			case !consentHolds:
			case in.BlockID == caseconf.FieldConsentGiven:
				el.InitialDate = c.Consent.GivenOn.Format(caseconf.DateLayout)
			case in.BlockID == caseconf.FieldConsentUntil:
				el.InitialDate = c.Consent.ValidUntil.Format(caseconf.DateLayout)
			}
		case *slack.CheckboxGroupsBlockElement:
			if in.BlockID == caseconf.FieldAgencyKinds && consentHolds {
				el.InitialOptions = chosen(el.Options, c.Consent.AgencyKinds)
			}
		}
	}
	intro := fmt.Sprintf(":repeat: The review of *%s*, filled in from it: check everything before you press Schedule.", c.Ref)
	if !consentHolds {
		intro += " The client's consent recorded then does not cover the review date (or there was none): record it again below."
	}
	view.Blocks.BlockSet = slices.Insert(view.Blocks.BlockSet, 0, slack.Block(section(intro)))
	return view
}

// reviewText is the initial value of text field id in the review form.
func reviewText(id string, c *caseconf.Conference, external []caseconf.Invitee) string {
	switch id {
	case caseconf.FieldClientRef:
		return c.ClientRef
	case caseconf.FieldClientName:
		return c.ClientName
	case caseconf.FieldPurpose:
		return c.Purpose
	case caseconf.FieldPlace:
		return c.Place
	case caseconf.FieldAbsenceReason:
		return c.ClientAbsenceReason
	case caseconf.FieldToldHow:
		return c.ClientToldHow
	}
	for i, inv := range external {
		switch id {
		case caseconf.ExternalField("name", i):
			return inv.Name
		case caseconf.ExternalField("role", i):
			return inv.Role
		case caseconf.ExternalField("agency", i):
			return inv.Agency
		case caseconf.ExternalField("contact", i):
			return inv.Contact
		}
	}
	return ""
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
