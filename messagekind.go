package caseconf

// MessageKind is a kind of message the bot sends through the outbox: what
// it is about, who gets it, and what its outbox row's subject ID names.
// Every kind there is is listed here, once; the database keeps it as text.
type MessageKind string

// Messages a change calls for, written in the transaction of the change.
const (
	KindInvitation   MessageKind = "invitation"   // subject: the invitee; to the invitee
	KindSummary      MessageKind = "summary"      // subject: the conference; to its case manager
	KindCancellation MessageKind = "cancellation" // subject: the invitee; to the invitee
	// KindSendFailed tells the case manager an invitation or a
	// cancellation could not be delivered. Subject: the outbox message
	// that failed; to the case manager.
	KindSendFailed MessageKind = "send_failed"
	// KindNoConsentDPO tells a data-protection lead (CASECONF_DPO) that a
	// conference was scheduled under a recognised reason to meet without
	// the client's consent. Subject: the conference; to each DPO.
	KindNoConsentDPO MessageKind = "no_consent_dpo"
	// KindMinutes is one part of the minutes. Subject: the part, from 1;
	// to someone on the share list the minutes may go to.
	KindMinutes MessageKind = "minutes"
	// KindActionAssigned tells an action's owner on Slack of it. Subject:
	// the action; to its owner.
	KindActionAssigned MessageKind = "action_assigned"
	// KindMinutesWithheld is the case manager's notice once the outcome is
	// recorded: who on the share list the minutes did not go to, and why;
	// who is not on Slack; the actions owned by people not on Slack, for
	// them to chase; and the letter to the client to draft. Subject: the
	// conference; to its case manager.
	KindMinutesWithheld MessageKind = "minutes_withheld"
	// KindHandoverOffer offers the case manager the handover meeting that
	// an outcome changing the lead agency or case manager calls for, with
	// a button to call it. Subject: the conference; to its case manager.
	KindHandoverOffer MessageKind = "handover_offer"
	// KindActionDone tells a conference's case manager that an action of
	// its plan was marked done, and by whom. Subject: the action; to the
	// case manager.
	KindActionDone MessageKind = "action_done"
	// KindActionUpdate tells the case manager of a progress note or a new
	// date, and asks them to decide a proposed one. Subject: the update;
	// to the case manager.
	KindActionUpdate MessageKind = "action_update"
	// KindActionDate tells an action's owner its date moved, or that the
	// case manager kept the old one. Subject: the update; to the owner (or
	// whoever proposed the date).
	KindActionDate MessageKind = "action_date"
	// KindActionClosed tells a conference's case manager that an action
	// of its plan was closed as not achieved or no longer needed, by whom
	// and why. Subject: the action; to the case manager.
	KindActionClosed MessageKind = "action_closed"
	// KindActionReassigned tells an action's new owner on Slack (or, for
	// an owner not on Slack, the case manager who chases it) that it is
	// now theirs, with its buttons. Subject: the action; to its chaser.
	KindActionReassigned MessageKind = "action_reassigned"
	// KindActionTakenOff tells an action's owner before (or the case
	// manager who chased it) that it was given to someone else, and that
	// its reminders stop. Subject: the action; to its chaser before.
	KindActionTakenOff MessageKind = "action_taken_off"
	// KindDeleteMessage deletes one of the bot's own Slack messages
	// (chat.delete): the recipient is the channel, and the dedup key is
	// "delete_message:CHANNEL:TS". It names no client.
	KindDeleteMessage MessageKind = "delete_message"
	// KindCalendar uploads the meeting as an iCalendar file (METHOD:REQUEST,
	// as it now stands) into an invitee's DM; KindCalendarCancel, the same
	// meeting's METHOD:CANCEL. Neither names the client. Subject: the
	// invitee; to the invitee on Slack.
	KindCalendar       MessageKind = "calendar"
	KindCalendarCancel MessageKind = "calendar_cancel"
	// KindConferenceChanged tells someone still involved in a conference
	// what a change to it changed (with case details only for those who
	// may see them), and asks an invitee who said they would come to
	// confirm a moved time. Subject: the change (a ConferenceEdit); to
	// each Slack user caseconf.NoticeOfEdit names.
	KindConferenceChanged MessageKind = "conference_changed"
	// KindInvitationUpdate puts an invitee's invitation, as the
	// conference now stands, in place of the one in their DM
	// (chat.update), after a change: through the outbox, so that Slack
	// failing at the time does not leave the old date showing. Subject:
	// the invitee; to the invitee.
	KindInvitationUpdate MessageKind = "invitation_update"
	// KindUninvited tells someone a change took them off a conference
	// (no longer invited, chairing or taking the minutes). Subject: the
	// change; to each Slack user no longer involved.
	KindUninvited MessageKind = "uninvited"
	// KindAmendedMinutes is one part of the amended minutes, once the
	// record is corrected: "Amended minutes of CC-0042", with what changed
	// and why. Subject: AmendedPart(version, part); to someone on the
	// share list they may go to. It goes only while that version is the
	// record's latest (a later correction sends its own).
	KindAmendedMinutes MessageKind = "amended_minutes"
	// KindActionAmended tells an action's chaser (its owner on Slack, or
	// the case manager for an owner off Slack) that a correction of the
	// record added their action or changed it, as it now reads. Subject:
	// the action; to its chaser.
	KindActionAmended MessageKind = "action_amended"
	// KindActionRemoved tells an action's chaser before a correction that
	// it was removed from the plan or given to someone else, and that its
	// reminders stop. Subject: the action; to its chaser before.
	KindActionRemoved MessageKind = "action_removed"
	// KindShareAgreement offers someone on the share list who was not
	// invited the information-sharing and confidentiality agreement, with
	// a button: once they accept it (naming their agency) they see the
	// case details and get the minutes, if the client's consent covers
	// them. It names no client. Subject: the conference; to them.
	KindShareAgreement MessageKind = "share_agreement"
	// KindDeleteFile deletes a file the bot uploaded about a client
	// (files.delete): an export, the minutes as a PDF, a subject-access
	// document, a calendar file. The recipient is the file's ID and the
	// dedup key "delete_file:FILE". It names no client.
	KindDeleteFile MessageKind = "delete_file"
)

// E-mail to people not on Slack, where the organisation gives caseconf a
// mail server (CASECONF_SMTP_URL): written in the transaction of the
// change, like every message, with the recipient's e-mail address as the
// recipient. Each names the conference by its reference and nothing
// about the client (EmailSafe).
const (
	// KindEmailInvitation invites someone not on Slack, with the
	// meeting's calendar file. Subject: the invitee.
	KindEmailInvitation MessageKind = "email_invitation"
	// KindEmailChange tells an invitee not on Slack the meeting changed,
	// as it now stands, with the calendar file at its new SEQUENCE.
	// Subject: the invitee.
	KindEmailChange MessageKind = "email_change"
	// KindEmailCancellation tells an invitee not on Slack the meeting is
	// off, or that they are no longer invited, with the calendar's
	// METHOD:CANCEL. Subject: the invitee.
	KindEmailCancellation MessageKind = "email_cancellation"
	// KindEmailMinutes sends the minutes as a password-protected PDF (the
	// row carries it until it is sent) to someone not on Slack on the
	// share list whom the client's consent covers. Subject: the
	// conference.
	KindEmailMinutes MessageKind = "email_minutes"
	// KindEmailAddressNeeded asks a case manager whose Slack profile has
	// no e-mail address (and who gave caseconf none) for one, for replies
	// to the e-mails sent for them. Subject: the conference; to its case
	// manager, once.
	KindEmailAddressNeeded MessageKind = "email_address_needed"
)

// Reminders, written by the reminder sweep (package reminders decides
// which are due, and whether each still is when it goes).
const (
	KindInvitationUnanswered MessageKind = "invitation_unanswered" // invitee (not on Slack: the case manager): 7 and 3 working days before, then daily in the last 2
	KindReportOwed           MessageKind = "report_owed"           // invitee who can't attend (not on Slack: the case manager): 3 working days and the working day before
	KindConferenceToday      MessageKind = "conference_today"      // attendees and chair: the morning of the meeting
	KindOutcomeNotRecorded   MessageKind = "outcome_not_recorded"  // chair: 1 working day after, then every 2
	KindActionDueSoon        MessageKind = "action_due_soon"       // owner: 2 working days before
	KindActionDueToday       MessageKind = "action_due_today"      // owner: on the day
	KindActionOverdue        MessageKind = "action_overdue"        // owner: weekly once overdue
	KindActionOverdueManager MessageKind = "action_overdue_cm"     // case manager: weekly once overdue more than 7 days
	KindReviewApproaching    MessageKind = "review_approaching"    // case manager: 10 working days before the review date
	KindConsentExpiring      MessageKind = "consent_expiring"      // case manager: 10 working days before consent ends
)

// Subject is what an outbox message's subject ID names.
type Subject int

// What a message's subject ID names, by kind.
const (
	SubjectNone        Subject = iota
	SubjectInvitee             // an invitee of the message's conference
	SubjectConference          // the message's conference itself
	SubjectAction              // an action of the conference's plan
	SubjectUpdate              // an update to an action
	SubjectConsent             // a client's consent
	SubjectPart                // a part of the minutes, from 1
	SubjectMessage             // another outbox message
	SubjectEdit                // a saved change to the conference
	SubjectAmendedPart         // a part of a version of the amended minutes: AmendedPart
)

// kindInfo is what the list says of each kind.
type kindInfo struct {
	subject  Subject
	reminder bool
	email    bool
}

// messageKinds is every kind there is, in the order listed above.
var messageKinds = []struct {
	kind MessageKind
	kindInfo
}{
	{KindInvitation, kindInfo{subject: SubjectInvitee, reminder: false}},
	{KindSummary, kindInfo{subject: SubjectConference, reminder: false}},
	{KindCancellation, kindInfo{subject: SubjectInvitee, reminder: false}},
	{KindSendFailed, kindInfo{subject: SubjectMessage, reminder: false}},
	{KindNoConsentDPO, kindInfo{subject: SubjectConference, reminder: false}},
	{KindMinutes, kindInfo{subject: SubjectPart, reminder: false}},
	{KindActionAssigned, kindInfo{subject: SubjectAction, reminder: false}},
	{KindMinutesWithheld, kindInfo{subject: SubjectConference, reminder: false}},
	{KindHandoverOffer, kindInfo{subject: SubjectConference, reminder: false}},
	{KindActionDone, kindInfo{subject: SubjectAction, reminder: false}},
	{KindActionUpdate, kindInfo{subject: SubjectUpdate, reminder: false}},
	{KindActionDate, kindInfo{subject: SubjectUpdate, reminder: false}},
	{KindActionClosed, kindInfo{subject: SubjectAction, reminder: false}},
	{KindActionReassigned, kindInfo{subject: SubjectAction, reminder: false}},
	{KindActionTakenOff, kindInfo{subject: SubjectAction, reminder: false}},
	{KindDeleteMessage, kindInfo{subject: SubjectNone, reminder: false}},
	{KindCalendar, kindInfo{subject: SubjectInvitee, reminder: false}},
	{KindCalendarCancel, kindInfo{subject: SubjectInvitee, reminder: false}},
	{KindConferenceChanged, kindInfo{subject: SubjectEdit, reminder: false}},
	{KindInvitationUpdate, kindInfo{subject: SubjectInvitee, reminder: false}},
	{KindUninvited, kindInfo{subject: SubjectEdit, reminder: false}},
	{KindAmendedMinutes, kindInfo{subject: SubjectAmendedPart, reminder: false}},
	{KindActionAmended, kindInfo{subject: SubjectAction, reminder: false}},
	{KindActionRemoved, kindInfo{subject: SubjectAction, reminder: false}},
	{KindEmailInvitation, kindInfo{subject: SubjectInvitee, email: true}},
	{KindEmailChange, kindInfo{subject: SubjectInvitee, email: true}},
	{KindEmailCancellation, kindInfo{subject: SubjectInvitee, email: true}},
	{KindEmailMinutes, kindInfo{subject: SubjectConference, email: true}},
	{KindEmailAddressNeeded, kindInfo{subject: SubjectConference}},
	{KindShareAgreement, kindInfo{subject: SubjectConference}},
	{KindDeleteFile, kindInfo{subject: SubjectNone}},

	{KindInvitationUnanswered, kindInfo{subject: SubjectInvitee, reminder: true}},
	{KindReportOwed, kindInfo{subject: SubjectInvitee, reminder: true}},
	{KindConferenceToday, kindInfo{subject: SubjectConference, reminder: true}},
	{KindOutcomeNotRecorded, kindInfo{subject: SubjectConference, reminder: true}},
	{KindActionDueSoon, kindInfo{subject: SubjectAction, reminder: true}},
	{KindActionDueToday, kindInfo{subject: SubjectAction, reminder: true}},
	{KindActionOverdue, kindInfo{subject: SubjectAction, reminder: true}},
	{KindActionOverdueManager, kindInfo{subject: SubjectAction, reminder: true}},
	{KindReviewApproaching, kindInfo{subject: SubjectConference, reminder: true}},
	{KindConsentExpiring, kindInfo{subject: SubjectConsent, reminder: true}},
}

var kindIndex = func() map[MessageKind]kindInfo {
	m := make(map[MessageKind]kindInfo, len(messageKinds))
	for _, k := range messageKinds {
		m[k.kind] = k.kindInfo
	}
	return m
}()

// MessageKinds lists every kind of message, in the order of the list.
func MessageKinds() []MessageKind {
	out := make([]MessageKind, len(messageKinds))
	for i, k := range messageKinds {
		out[i] = k.kind
	}
	return out
}

// Known reports whether k is a kind on the list.
func (k MessageKind) Known() bool {
	_, ok := kindIndex[k]
	return ok
}

// Email reports whether k is an e-mail (to someone not on Slack, at the
// address in its recipient) rather than a Slack message.
func (k MessageKind) Email() bool { return kindIndex[k].email }

// Reminder reports whether k is a reminder's kind.
func (k MessageKind) Reminder() bool { return kindIndex[k].reminder }

// Subject says what the subject ID of a message of kind k names
// (SubjectNone for a kind not on the list).
func (k MessageKind) Subject() Subject { return kindIndex[k].subject }
