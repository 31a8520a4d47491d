package bot

import (
	"context"
	"fmt"
	"strings"

	"github.com/slack-go/slack"

	"github.com/caseconf/caseconf"
	"github.com/caseconf/caseconf/store"
)

// IDs of the invitation flow.
const (
	actionAgree   = "agree"   // value: subject{Invitee}; opens the agreement modal
	actionRespond = "respond" // action_id respond:ANSWER, value: subject{Invitee}
	viewAgreement = "agreement"
	viewColleague = "colleague"

	fieldAgency     = "agency"
	fieldAgencyKind = "agency_kind"
	fieldColleague  = "colleague"
)

func (b *Bot) registerInvitations() {
	b.HandleAction(actionAgree, b.clickAgree)
	b.HandleAction(actionShareAgree, b.clickShareAgree) // bot/sharelist.go
	b.HandleAction(actionRespond, b.clickRespond)
	b.HandleView(viewAgreement, b.submitAgreement)
	b.HandleView(viewColleague, b.submitColleague)
	b.HandleView(viewNotInvolved, b.submitNotInvolved)
}

// invitationMessage is an invitee's DM. Before they accept the agreement
// it shows only who is calling, the conference's reference, when, and the
// standard agenda. After, it shows the details (if the consent covers their
// agency) and the response buttons with their current answer. It is short
// by design, whatever was typed: long text shows its beginning, with
// `show` for the rest (caseDetailsBrief), so Slack always takes it.
func invitationMessage(c *caseconf.Conference, inv *caseconf.Invitee, cal caseconf.Calendar) message {
	id := subject{Invitee: inv.ID}.String()
	text := fmt.Sprintf("%s has invited you to a case conference, %s", user(c.CaseManagerID), c.Ref)
	// The client's reference is a case detail: shown only once the invitee
	// has accepted the agreement, and only if the consent covers their
	// agency.
	client := ""
	if caseconf.CanSeeDetails(c, caseconf.Viewer{UserID: inv.SlackUserID}) {
		client = " · client " + escape(c.ClientRef)
	}
	blocks := []slack.Block{
		section(fmt.Sprintf("*%s has invited you to a multi-agency case conference*\n*%s*%s\n*When:* %s (%d minutes)",
			user(c.CaseManagerID), c.Ref, client, when(c.StartsAt, cal.Loc), c.DurationMinutes)),
	}
	if c.Cancelled() {
		blocks = append(blocks, section(":no_entry: *This conference has been cancelled.*"))
		return message{text + " (cancelled)", blocks}
	}
	if !inv.Accepted() {
		blocks = append(blocks,
			section(agendaText()),
			section("Before you can see the case details or reply, please read and accept the information-sharing and confidentiality agreement."),
			slack.NewActionBlock("invitation", button(actionAgree, id, "Read and accept the agreement", slack.StylePrimary)),
		)
		return message{text, blocks}
	}
	if caseconf.CanSeeDetails(c, caseconf.Viewer{UserID: inv.SlackUserID}) {
		blocks = append(blocks, caseDetailsBrief(c)...)
	} else {
		blocks = append(blocks, section(fmt.Sprintf("*Where:* %s\n:lock: The client's consent does not cover your agency (%s), so case details are withheld and you will not be sent reports or minutes. %s knows.",
			clip(c.Place, briefPlace, showRest(c.Ref)), caseconf.Label(caseconf.AgencyKinds, inv.AgencyKind), user(c.CaseManagerID))))
	}
	blocks = append(blocks, section(agendaText()), section("*Your answer:* "+answerText(inv)))
	// The buttons stay: answers can change until the meeting starts, and
	// the store refuses any later.
	blocks = append(blocks, slack.NewActionBlock("respond", answerButtons(id)...))
	if caseconf.CanWriteReport(c, inv, inv.SlackUserID) == nil {
		blocks = append(blocks, section("*Your agency report:* "+reportText(inv)),
			slack.NewActionBlock("report", reportButton(inv)))
	}
	return message{text, blocks}
}

// reportText says where an invitee's agency report is.
func reportText(inv *caseconf.Invitee) string {
	switch {
	case inv.ReportSent():
		return fmt.Sprintf("sent (<!date^%d^{date_short} {time}|%s>)", inv.ReportAt.Unix(), inv.ReportAt.UTC().Format("2 Jan 15:04 UTC"))
	case inv.OwesReport():
		return "not sent yet — you can't attend, so the chair is counting on it"
	}
	return "not sent (optional: every agency may send one)"
}

// caseDetails is what an authorised reader sees of a conference. The
// purpose (up to 3,000 characters, longer once escaped) has sections of its
// own so no block passes Slack's limit.
func caseDetails(c *caseconf.Conference) []slack.Block {
	out := []slack.Block{section(fmt.Sprintf("*Where:* %s\n*Why:* %s\n*Chair:* %s · *Minutes:* %s",
		escape(c.Place), labels(caseconf.ConferenceReasons, c.Reasons), user(c.ChairID), user(c.MinuteTakerID)))}
	out = append(out, sections("*Purpose and aims:* "+escape(c.Purpose))...)
	if c.ClientAttends {
		out = append(out, section("*The client will attend.*"))
	} else {
		out = append(out, sections(absenceText(c, escape))...)
	}
	return out
}

// absenceText is why the client will not attend (the policy's
// circumstance; for child-welfare reasons, who decided; on a conference
// called before the circumstances were asked, the reason typed then) and
// how they will be told the outcome, each typed text shown by show.
func absenceText(c *caseconf.Conference, show func(string) string) string {
	s := "*The client will not attend:* " + escape(caseconf.AbsenceLabel(c.ClientAbsence))
	if c.ClientAbsence == caseconf.AbsenceChildWelfare {
		s += "; decided by the child-care manager, " + show(c.ChildCareManager)
	}
	s += "."
	if caseconf.Visible(c.ClientAbsenceNote) {
		s += "\n*Why, as typed when it was called:* " + show(c.ClientAbsenceNote) + "."
	}
	return s + "\n*They will be told the outcome:* " + show(c.ClientToldHow) + "."
}

// How much of each free-text field the short messages (invitations, the
// case manager's summary) show, in characters once escaped: together well
// within the text Slack takes in one message (maxMessageText).
const (
	briefPurpose = 600 // the purpose and aims (up to 3,000 typed, 15,000 escaped)
	briefPlace   = 300 // the place (up to 500 typed)
	briefReason  = 300 // why the client will not attend, how they will be told, why it is urgent
	briefName    = 80  // a name, role, agency or contact of an invitee not on Slack
	briefAnswer  = 200 // the colleague sent (up to 200 typed, 1,000 escaped)

	// summaryListText is how much text the summary's list of invitees
	// takes at most; those that do not fit are counted, with show for
	// the whole list.
	summaryListText = 7000
	// summaryFailedNames is how many undelivered invitations the summary
	// names; the rest are counted.
	summaryFailedNames = 20
)

// caseDetailsBrief is caseDetails for the invitations: the same, with the
// beginning of long text and `show` for the rest.
func caseDetailsBrief(c *caseconf.Conference) []slack.Block {
	more := showRest(c.Ref)
	out := []slack.Block{section(fmt.Sprintf("*Where:* %s\n*Why:* %s\n*Chair:* %s · *Minutes:* %s",
		clip(c.Place, briefPlace, more), labels(caseconf.ConferenceReasons, c.Reasons), user(c.ChairID), user(c.MinuteTakerID)))}
	out = append(out, section("*Purpose and aims:* "+clip(c.Purpose, briefPurpose, more)))
	if c.ClientAttends {
		out = append(out, section("*The client will attend.*"))
	} else {
		out = append(out, section(absenceText(c, func(s string) string { return clip(s, briefReason, more) })))
	}
	return out
}

// inviteeList is every invitee's status, in as many sections as it takes,
// as v sees it: the line an invitee wrote for the case manager with a
// "Not involved" answer only for the case manager and that invitee.
func inviteeList(c *caseconf.Conference, v caseconf.Viewer) []slack.Block {
	lines := make([]string, len(c.Invitees))
	for i := range c.Invitees {
		inv := &c.Invitees[i]
		lines[i] = "• " + inviteeStatusFor(c, inv, escape, v.UserID == c.CaseManagerID || (v.UserID != "" && v.UserID == inv.SlackUserID))
	}
	return lineSections("*Invitees*", lines)
}

// inviteeListBrief is the summary's list of invitees: how many have
// answered what, and each one's status with the beginning of long names,
// as many as fit in summaryListText; the rest are counted, with show for
// the whole list.
func inviteeListBrief(c *caseconf.Conference) []slack.Block {
	var attending, colleague, apologies, notInvolved, waiting, offSlack, reports int
	for i := range c.Invitees {
		inv := &c.Invitees[i]
		if !inv.OnSlack() {
			offSlack++
		}
		switch {
		case !inv.Answered():
			waiting++
		case inv.Response.Answer == caseconf.AnswerAttending:
			attending++
		case inv.Response.Answer == caseconf.AnswerColleague:
			colleague++
		case inv.Response.Answer == caseconf.AnswerApologies:
			apologies++
		case inv.Response.Answer == caseconf.AnswerNotInvolved:
			notInvolved++
		}
		if inv.ReportSent() {
			reports++
		}
	}
	head := fmt.Sprintf("*Invitees* (%d): %d attending · %d sending a colleague · %d can't attend · %d not involved · %d yet to answer · %d not on Slack · %d reports sent",
		len(c.Invitees), attending, colleague, apologies, notInvolved, waiting, offSlack, reports)
	name := func(s string) string { return clip(s, briefName, "") }
	var lines []string
	used := 0
	for i := range c.Invitees {
		l := "• " + inviteeStatus(c, &c.Invitees[i], name)
		if used+len([]rune(l)) > summaryListText {
			lines = append(lines, fmt.Sprintf("…and %d more: `/caseconf show %s` lists everyone.", len(c.Invitees)-i, c.Ref))
			break
		}
		lines = append(lines, l)
		used += len([]rune(l)) + 1
	}
	return lineSections(head, lines)
}

func answerText(inv *caseconf.Invitee) string {
	if inv == nil || !inv.Answered() {
		return "not given yet"
	}
	resp := inv.Response
	var s string
	switch resp.Answer {
	case caseconf.AnswerAttending:
		s = "attending"
	case caseconf.AnswerColleague:
		s = "sending a colleague: " + clip(resp.Colleague, briefAnswer, "")
	case caseconf.AnswerApologies:
		s = "can't attend — will send a written report"
	case caseconf.AnswerNotInvolved:
		s = "*Not involved* with this client"
		if resp.Reason != "" {
			s += " — " + clip(resp.Reason, briefAnswer, "")
		}
	default:
		s = escape(string(resp.Answer))
	}
	return fmt.Sprintf("%s (<!date^%d^{date_short} {time}|%s>)", s, resp.At.Unix(), resp.At.UTC().Format("2 Jan 15:04 UTC"))
}

// inviteeStatus is one line of the case manager's summary, and of show;
// show renders the free text typed about someone not on Slack (escaped
// in full, or its beginning).
func inviteeStatus(c *caseconf.Conference, inv *caseconf.Invitee, show func(string) string) string {
	return inviteeStatusFor(c, inv, show, true)
}

// inviteeStatusFor is inviteeStatus, with a Not involved answer's line
// only if reason is set.
func inviteeStatusFor(c *caseconf.Conference, inv *caseconf.Invitee, show func(string) string, reason bool) string {
	var line string
	if !inv.OnSlack() {
		who := show(inv.Name)
		if detail := strings.Trim(show(inv.Role)+", "+show(inv.Agency), ", "); detail != "" {
			who += " (" + detail + ")"
		}
		line = who + " — not on Slack"
		if inv.Contact != "" {
			line += " · " + show(inv.Contact)
		}
		line += "\n      "
		if inv.Accepted() {
			line += fmt.Sprintf("agreement accepted (%s, %s); ", strings.ToLower(caseconf.Label(caseconf.AgreementWays, inv.AcceptedHow)),
				inv.AcceptedAt.UTC().Format("2 Jan"))
		} else {
			line += "agreement not yet accepted; "
		}
	} else {
		line = user(inv.SlackUserID) + " — "
		if !inv.Accepted() {
			line += "invited; agreement not yet accepted"
		} else if !inv.Answered() {
			line += "agreement accepted; "
		}
	}
	switch {
	case inv.OnSlack() && !inv.Accepted():
	case !inv.Answered():
		line += "no answer yet"
	case !reason && inv.Response.Answer == caseconf.AnswerNotInvolved:
		r := *inv
		resp := *inv.Response
		resp.Reason = ""
		r.Response = &resp
		line += answerText(&r)
	default:
		line += answerText(inv)
	}
	if resp := inv.Response; resp != nil && resp.RecordedBy != "" {
		line += ", recorded by " + user(resp.RecordedBy)
	}
	switch {
	case inv.ReportSent():
		line += fmt.Sprintf(" · :page_facing_up: report sent <!date^%d^{date_short}|%s>", inv.ReportAt.Unix(), inv.ReportAt.UTC().Format("2 Jan"))
		if !inv.OnSlack() {
			line += " (entered by the case manager)"
		}
	case c.OwesReport(inv):
		line += " · :hourglass: *report owed*"
	}
	if inv.AgencyKind != "" && !c.Covered(inv) {
		line += fmt.Sprintf("\n      :warning: their agency (%s) is not covered by the client's consent: they see no case details, get no reports or minutes, and no letter can be drafted to them",
			caseconf.Label(caseconf.AgencyKinds, inv.AgencyKind))
	}
	return line
}

// summaryMessage is the case manager's confirmation DM, kept up to date as
// answers arrive. It is short by design, whatever was typed and however
// many are invited: counts, names and the beginning of long text, with
// `show` for the rest, so Slack always takes it.
func summaryMessage(c *caseconf.Conference, cal caseconf.Calendar, failed []string) message {
	more := showRest(c.Ref)
	head := fmt.Sprintf("*%s is scheduled* · client %s\n*When:* %s (%d minutes)\n*Where:* %s",
		c.Ref, escape(c.ClientRef), when(c.StartsAt, cal.Loc), c.DurationMinutes, clip(c.Place, briefPlace, more))
	if c.Cancelled() {
		head = fmt.Sprintf("*%s has been cancelled* · client %s\n*Was:* %s", c.Ref, escape(c.ClientRef), when(c.StartsAt, cal.Loc))
	}
	if c.Urgent {
		head += "\n*Urgent:* " + clip(c.UrgentReason, briefReason, more)
	}
	consent := c.Consent
	if consent.Method == caseconf.ConsentNone {
		head += "\n*Without consent:* " + escape(caseconf.NoConsentBasisLabel(consent.NoConsentReason)) + "; decided by " + clip(consent.DecidedBy, briefName, more)
	} else {
		head += fmt.Sprintf("\n*Consent:* %s, valid until %s, for %s", consent.MethodLabel(), consent.ValidUntil.Format("2 Jan 2006"), labels(caseconf.AgencyKinds, consent.AgencyKinds))
		if consent.Method == caseconf.ConsentWritten && !consent.Checked {
			head += "\n*Not checked with the client for this meeting:* " + clip(consent.NotCheckedWhy, briefReason, more)
		}
	}
	blocks := append([]slack.Block{section(head)}, inviteeListBrief(c)...)
	if len(failed) > 0 {
		var names []string
		for i, u := range failed {
			if i == summaryFailedNames {
				names = append(names, fmt.Sprintf("%d more", len(failed)-i))
				break
			}
			names = append(names, user(u))
		}
		blocks = append(blocks, section(":warning: Slack would not deliver the invitation to "+strings.Join(names, ", ")+". Please contact them directly."))
	}
	if c.Status == caseconf.StatusScheduled {
		blocks = append(blocks, slack.NewActionBlock("edit", editButton(c)))
	}
	blocks = append(blocks, note("Updated as invitees answer. `/caseconf show "+c.Ref+"` for the full record; `/caseconf edit "+c.Ref+"` (or Edit) to change the date, place or who is invited."))
	return message{c.Ref + " is scheduled", blocks}
}

// refreshSummary re-renders the case manager's summary DM from the store.
// Two changes to one conference, handled on one replica or two, may
// render at once and reach Slack in either order; so after each update
// the conference is read again, and the update repeated until what Slack
// shows is what is stored. No lock is held while Slack is called.
func (b *Bot) refreshSummary(ctx context.Context, conferenceID int64) {
	shown := "-" // no rendering's fingerprint
	for range 3 {
		c, err := b.store.ConferenceSnapshot(ctx, conferenceID)
		if err != nil {
			b.log.Warn("could not read a conference to update its summary", "conference", conferenceID, "err", err)
			return
		}
		if !c.Summary.Posted() {
			return
		}
		failed, err := b.store.FailedInvitations(ctx, c.ID)
		if err != nil {
			b.log.Warn("could not read a conference's failed invitations", "conference", conferenceID, "err", err)
			return
		}
		msg := summaryMessage(c, b.cal, failed)
		if msg.fingerprint() == shown {
			return // what Slack shows is current
		}
		if !b.updateSummary(ctx, c, msg) {
			return
		}
		shown = msg.fingerprint()
	}
}

// updateSummary puts msg in place of the case manager's summary of c.
func (b *Bot) updateSummary(ctx context.Context, c *caseconf.Conference, msg message) bool {
	if _, _, _, err := b.api.UpdateMessageContext(ctx, c.Summary.Channel, c.Summary.TS, msg.options()...); err != nil {
		b.log.Warn("could not update the case manager's summary", "conference", c.ID, "err", err)
		return false
	}
	return true
}

// refreshInvitation re-renders an invitee's invitation DM.
func (b *Bot) refreshInvitation(ctx context.Context, c *caseconf.Conference, inv *caseconf.Invitee) {
	if !inv.Invitation.Posted() {
		return
	}
	if _, _, _, err := b.api.UpdateMessageContext(ctx, inv.Invitation.Channel, inv.Invitation.TS, invitationMessage(c, inv, b.cal).options()...); err != nil {
		b.log.Warn("could not update an invitation DM", "conference", c.ID, "invitee", inv.ID, "err", err)
	}
}

// inviteeID reads the invitee a button or modal carries. A malformed
// value reads as an invitee that does not exist (ID 0).
func inviteeID(v string) int64 {
	s, err := parseSubject(v)
	if err != nil {
		return 0
	}
	return s.Invitee
}

// clickAgree opens the agreement for the invitee to read and accept. Only
// the invitee's own Slack user gets it; for anyone else the button does
// nothing but say so.
func (b *Bot) clickAgree(ctx context.Context, r *Request) {
	r.Ack(nil)
	act := r.Interaction.ActionCallback.BlockActions[0]
	c, inv, err := b.store.Invitation(ctx, inviteeID(act.Value), r.UserID, "invitation.open")
	if err != nil {
		b.replyError(ctx, r, err)
		return
	}
	if err := caseconf.CanAccept(c, inv, r.UserID); err != nil {
		b.replyError(ctx, r, err)
		return
	}
	b.openView(ctx, r, r.Interaction.TriggerID, agreementModal(c, inv))
}

// agreementModal is the information-sharing and confidentiality agreement,
// with the invitee's agency asked for if it is not known yet.
func agreementModal(c *caseconf.Conference, inv *caseconf.Invitee) slack.ModalViewRequest {
	return agreementView(c, inv.Agency, inv.AgencyKind, subject{Invitee: inv.ID})
}

// agreementView is the agreement of c for someone whose agency is agency,
// of kind kind (asked for when "" ), submitted with meta: an invitee's
// (subject.Invitee) or a share-list person's (subject.Conference).
func agreementView(c *caseconf.Conference, agency, kind string, meta subject) slack.ModalViewRequest {
	blocks := []slack.Block{
		section(fmt.Sprintf("*Information-sharing and confidentiality agreement* for %s, called by %s.", c.Ref, user(c.CaseManagerID))),
		section("By accepting, I agree that:\n" +
			"• I will use what is shared for this conference only to plan and coordinate care for this client.\n" +
			"• I will not pass it on outside the conference, except where the law requires it or to prevent serious harm (safeguarding).\n" +
			"• I will keep reports, notes and minutes secure, and will not forward them beyond my own agency's record.\n" +
			"• I understand that the client's consent (or the recorded reason to meet without it) covers named kinds of agency only.\n" +
			"• Information presented will be factual and evidenced."),
	}
	if kind == "" {
		blocks = append(blocks,
			input(fieldAgency, "Your agency", "e.g. Church Street Surgery. Remembered for next time.", textInput(fieldAgency, caseconf.MaxShortText, false, ""), false),
			input(fieldAgencyKind, "Kind of agency", "This decides what you may see: the client's consent names the kinds of agency information may be shared with. Choose the one you work for; only the case manager can change it later.",
				slack.NewOptionsSelectBlockElement(slack.OptTypeStatic, plain("Choose"), fieldAgencyKind, options(caseconf.AgencyKinds)...), false),
		)
	} else {
		blocks = append(blocks, note(fmt.Sprintf("Your agency: %s (%s). The kind of agency decides what the client's consent lets you see; if it is wrong, ask %s to correct it.",
			escape(agency), caseconf.Label(caseconf.AgencyKinds, kind), user(c.CaseManagerID))))
	}
	return slack.ModalViewRequest{
		Type: slack.VTModal, CallbackID: viewAgreement, Title: plain("Confidentiality"),
		Submit: plain("I agree"), Close: plain("Not now"),
		PrivateMetadata: meta.String(),
		Blocks:          slack.Blocks{BlockSet: blocks},
	}
}

func (b *Bot) submitAgreement(ctx context.Context, r *Request) {
	ic := r.Interaction
	v := viewValues(ic)
	var agency *store.AgencyAnswer
	if _, asked := v[fieldAgencyKind]; asked {
		name := strings.TrimSpace(v.text(fieldAgency))
		kind := v.option(fieldAgencyKind)
		errs := map[string]string{}
		if msg := checkRequired(name, "Please name your agency.", caseconf.MaxShortText, false); msg != "" {
			errs[fieldAgency] = msg
		}
		if caseconf.Label(caseconf.AgencyKinds, kind) == kind {
			errs[fieldAgencyKind] = "Please choose the kind of agency."
		}
		if len(errs) > 0 {
			r.Ack(slack.NewErrorsViewSubmissionResponse(errs))
			return
		}
		agency = &store.AgencyAnswer{Agency: name, Kind: kind}
	}
	if meta, err := parseSubject(ic.View.PrivateMetadata); err == nil && meta.Invitee == 0 && meta.Conference > 0 {
		b.submitShareAgreement(ctx, r, meta.Conference, agency) // bot/sharelist.go
		return
	}
	c, inv, err := b.store.AcceptAgreement(ctx, inviteeID(ic.View.PrivateMetadata), r.UserID, agency)
	if err != nil {
		b.ackViewError(ctx, r, err, fieldAgency)
		return
	}
	r.Ack(slack.NewClearViewSubmissionResponse())
	b.sender.Wake() // the calendar file, now with the place
	b.refreshInvitation(ctx, c, inv)
	b.refreshSummary(ctx, c.ID)
}

// clickRespond records Attending or Can't attend, or opens the modal that
// asks which colleague is coming, or why they are not involved.
func (b *Bot) clickRespond(ctx context.Context, r *Request) {
	act := r.Interaction.ActionCallback.BlockActions[0]
	_, a, _ := strings.Cut(act.ActionID, ":")
	answer := caseconf.Answer(a)
	id := inviteeID(act.Value)
	r.Ack(nil)
	if answer == caseconf.AnswerColleague || answer == caseconf.AnswerNotInvolved {
		// Check before opening the modal: a stranger's click opens nothing.
		c, inv, err := b.store.Invitation(ctx, id, r.UserID, "invitation.open")
		if err == nil {
			err = caseconf.CanAnswer(c, inv, r.UserID, b.now())
		}
		if err != nil {
			b.replyError(ctx, r, err)
			return
		}
		modal := colleagueModal(c, inv)
		if answer == caseconf.AnswerNotInvolved {
			modal = notInvolvedModal(c, inv)
		}
		b.openView(ctx, r, r.Interaction.TriggerID, modal)
		return
	}
	c, inv, changed, err := b.store.RecordResponse(ctx, id, r.UserID, answer, "")
	if err != nil {
		b.replyError(ctx, r, err)
		return
	}
	if changed {
		b.refreshInvitation(ctx, c, inv)
		b.refreshSummary(ctx, c.ID)
	}
}

func colleagueModal(c *caseconf.Conference, inv *caseconf.Invitee) slack.ModalViewRequest {
	return slack.ModalViewRequest{
		Type: slack.VTModal, CallbackID: viewColleague, Title: plain("Sending a colleague"),
		Submit: plain("Save"), Close: plain("Back"),
		PrivateMetadata: subject{Invitee: inv.ID}.String(),
		Blocks: slack.Blocks{BlockSet: []slack.Block{
			section(fmt.Sprintf("Who will attend %s in your place? Please brief them beforehand.", c.Ref)),
			input(fieldColleague, "Colleague's name and role", "e.g. Sam Jones, practice nurse", textInput(fieldColleague, caseconf.MaxShortText, false, ""), false),
		}},
	}
}

func (b *Bot) submitColleague(ctx context.Context, r *Request) {
	ic := r.Interaction
	name, ok := requiredText(r, viewValues(ic), fieldColleague, "Please name the colleague you are sending.", caseconf.MaxShortText, false)
	if !ok {
		return
	}
	c, inv, changed, err := b.store.RecordResponse(ctx, inviteeID(ic.View.PrivateMetadata), r.UserID, caseconf.AnswerColleague, name)
	if err != nil {
		b.ackViewError(ctx, r, err, fieldColleague)
		return
	}
	r.Ack(slack.NewClearViewSubmissionResponse())
	if changed {
		b.refreshInvitation(ctx, c, inv)
		b.refreshSummary(ctx, c.ID)
	}
}
