package caseconf

import (
	"regexp"
	"time"
)

var refPattern = regexp.MustCompile(`^(?i)CC-[0-9]{1,12}$`)

// IsRef reports whether s is written like a conference reference (CC-0042,
// any case).
func IsRef(s string) bool { return refPattern.MatchString(s) }

var userIDPattern = regexp.MustCompile(`^[UW][A-Z0-9]{2,20}$`)

// IsSlackUserID reports whether s is written like a Slack user ID.
func IsSlackUserID(s string) bool { return userIDPattern.MatchString(s) }

// Status is where a conference is in its life.
type Status string

// Every status the schema allows.
const (
	StatusScheduled Status = "scheduled" // called; invitations out
	StatusCancelled Status = "cancelled" // called off by its case manager
	StatusHeld      Status = "held"      // the meeting took place; outcome not yet recorded
	StatusRecorded  Status = "recorded"  // the outcome and action plan are recorded
)

// Answer is an invitee's reply to an invitation.
type Answer string

// The answers an invitee can give.
const (
	AnswerAttending Answer = "attending"
	AnswerColleague Answer = "colleague" // sending a briefed colleague, named
	AnswerApologies Answer = "apologies" // cannot attend, will send a report
	// AnswerNotInvolved: not involved with this client, with an optional
	// line of explanation (Response.Reason). No report is owed, nothing
	// chases it, and the case manager is told.
	AnswerNotInvolved Answer = "not_involved"
)

// Valid reports whether a is one of the answers an invitee can give.
func (a Answer) Valid() bool {
	switch a {
	case AnswerAttending, AnswerColleague, AnswerApologies, AnswerNotInvolved:
		return true
	}
	return false
}

// MaxNotInvolvedReason is the longest line explaining "not involved".
const MaxNotInvolvedReason = MaxShortText

// CheckNotInvolvedReason checks the optional line explaining an answer
// of "not involved with this client": it returns it trimmed ("" when
// nothing visible was written), or what is wrong with it.
func CheckNotInvolvedReason(s string) (reason, problem string) {
	s = trimInvisible(s)
	if !Visible(s) {
		return "", ""
	}
	if msg := CheckText(s, MaxNotInvolvedReason, false); msg != "" {
		return "", msg
	}
	return s, ""
}

// Role is how a Slack user is involved in a conference.
type Role string

// Roles, most responsible first.
const (
	RoleCaseManager Role = "case manager"
	RoleChair       Role = "chair"
	RoleMinuteTaker Role = "minute taker"
	RoleInvitee     Role = "invitee"
	RoleShareList   Role = "on the share list"
)

// MessageRef is where a message the bot posted lives, so it can be updated
// or deleted. The zero value is a message not posted (yet).
type MessageRef struct {
	Channel, TS string
}

// Posted reports whether the message was posted.
func (m MessageRef) Posted() bool { return m.Channel != "" && m.TS != "" }

// Response is an invitee's current answer.
type Response struct {
	Answer    Answer
	Colleague string // the briefed colleague, for AnswerColleague
	Reason    string // why they are not involved (optional), for AnswerNotInvolved
	At        time.Time
	// RecordedBy is the Slack user who recorded the reply of someone not
	// on Slack; "" for an invitee's own answer.
	RecordedBy string
}

// Invitee is one person invited to a conference, on Slack or not, with
// their agreement and current answer.
type Invitee struct {
	ID           int64
	ConferenceID int64
	SlackUserID  string // "" for someone not on Slack
	Name         string
	Role         string
	Agency       string
	AgencyKind   string // "" until a Slack invitee tells us
	// Email and Phone reach someone not on Slack; Contact is both, for
	// showing ("" for a Slack invitee).
	Email, Phone, Contact string
	Invitation            MessageRef // the invitation DM
	AcceptedAt            *time.Time // when they accepted the confidentiality agreement
	// AcceptedHow is how someone not on Slack accepted it (AgreementWays),
	// as the case manager or chair recorded; "" for a Slack invitee.
	AcceptedHow string
	Response    *Response  // nil until they answer
	ReportAt    *time.Time // when their agency report was last saved; nil for none
}

// OnSlack reports whether the invitee is a Slack user.
func (i *Invitee) OnSlack() bool { return i.SlackUserID != "" }

// Accepted reports whether the invitee accepted the information-sharing
// and confidentiality agreement.
func (i *Invitee) Accepted() bool { return i.AcceptedAt != nil }

// Answered reports whether the invitee has given an answer.
func (i *Invitee) Answered() bool { return i.Response != nil }

// ReportSent reports whether the invitee has sent an agency report.
func (i *Invitee) ReportSent() bool { return i.ReportAt != nil }

// OwesReport reports whether the invitee said they cannot attend and has
// not sent the written report that comes with that answer, leaving aside
// whether the consent covers their agency (Conference.OwesReport asks
// that too).
func (i *Invitee) OwesReport() bool { return ReportOwed(i.answer(), i.ReportSent(), true) }

// Sharer is a Slack user on a conference's share list. One who was not
// invited is offered the information-sharing and confidentiality
// agreement (a share-list person offered the agreement by a button in a
// DM or in show): once they accept it, naming their agency, they see the
// case details and get the minutes while the client's consent covers
// that agency, as an invitee does.
type Sharer struct {
	UserID     string
	Agency     string     // the agency they named; before they accept, the one they last told caseconf
	AgencyKind string     // "" while not known
	AcceptedAt *time.Time // when they accepted the agreement for this conference; nil before
}

// Accepted reports whether they accepted the agreement for the conference.
func (s *Sharer) Accepted() bool { return s != nil && s.AcceptedAt != nil }

// Conference is one multi-agency case conference about one client.
type Conference struct {
	ID                int64
	Ref               string // CC-0001
	ClientID          int64
	ClientRef         string
	ClientName        string // optional and sensitive
	CaseManagerID     string
	ChairID           string
	MinuteTakerID     string
	Reasons           []string
	Purpose           string
	StartsAt          time.Time
	DurationMinutes   int
	Place             string
	ClientAttends     bool
	ClientAbsence     string // not attending: the policy's circumstance (ClientAbsences); "" on some migrated conferences
	ChildCareManager  string // child-welfare reasons: the child-care manager who decided
	ClientAbsenceNote string // why not, as typed on the form before 0018 (migrated conferences only)
	ClientToldHow     string
	Urgent            bool
	UrgentReason      string
	Status            Status
	CancelReason      string
	Summary           MessageRef // the case manager's live summary DM
	CreatedAt         time.Time
	Consent           Consent
	Invitees          []Invitee
	// ShareList holds the Slack users the minutes are shared with.
	ShareList []string
	// Sharers are the Slack users on the share list with their agreement
	// and agency (SharerFor); what decides what one who was not invited
	// may see.
	Sharers []Sharer
	// CalendarSequence is the SEQUENCE of the conference's calendar file
	// (export.ICal): 0 when it is called, raised by each change the
	// invitees' calendars must follow.
	CalendarSequence int
}

// Ends is when the meeting is expected to finish.
func (c *Conference) Ends() time.Time {
	return c.StartsAt.Add(time.Duration(c.DurationMinutes) * time.Minute)
}

// Cancelled reports whether the conference was called off.
func (c *Conference) Cancelled() bool { return c.Status == StatusCancelled }

// Started reports whether the meeting has begun at now.
func (c *Conference) Started(now time.Time) bool { return !now.Before(c.StartsAt) }

// InviteeFor is the invitee record of a Slack user, or nil.
func (c *Conference) InviteeFor(userID string) *Invitee {
	if userID == "" {
		return nil
	}
	for i := range c.Invitees {
		if c.Invitees[i].SlackUserID == userID {
			return &c.Invitees[i]
		}
	}
	return nil
}

// SharerFor is the share-list entry of a Slack user, or nil.
func (c *Conference) SharerFor(userID string) *Sharer {
	if userID == "" {
		return nil
	}
	for i := range c.Sharers {
		if c.Sharers[i].UserID == userID {
			return &c.Sharers[i]
		}
	}
	return nil
}

// Invitee is the invitee with this ID, or nil.
func (c *Conference) Invitee(id int64) *Invitee {
	for i := range c.Invitees {
		if c.Invitees[i].ID == id {
			return &c.Invitees[i]
		}
	}
	return nil
}

// Covered reports whether the conference's consent covers the invitee's
// agency. An agency not yet known is not covered.
func (c *Conference) Covered(inv *Invitee) bool { return c.Consent.Covers(inv.AgencyKind) }

// OwesReport reports whether inv owes this conference a written report:
// they can't attend, have sent none, and the client's consent covers
// their agency (nobody is asked for a report they may not share).
func (c *Conference) OwesReport(inv *Invitee) bool {
	return ReportOwed(inv.answer(), inv.ReportSent(), c.Covered(inv))
}

// Roles lists how the Slack user is involved, most responsible first.
func (c *Conference) Roles(userID string) []Role {
	var r []Role
	if userID == "" {
		return nil
	}
	if c.CaseManagerID == userID {
		r = append(r, RoleCaseManager)
	}
	if c.ChairID == userID {
		r = append(r, RoleChair)
	}
	if c.MinuteTakerID == userID {
		r = append(r, RoleMinuteTaker)
	}
	if c.InviteeFor(userID) != nil {
		r = append(r, RoleInvitee)
	}
	for _, u := range c.ShareList {
		if u == userID {
			r = append(r, RoleShareList)
			break
		}
	}
	return r
}

// Attends reports whether answer a brings the invitee's agency to the
// meeting: attending, or sending a briefed colleague. The one rule:
// Invitee.Attends and the reminder policy (InviteeFacts) apply it.
func (a Answer) Attends() bool { return a == AnswerAttending || a == AnswerColleague }

// ReportOwed is the one rule for a written report being owed: the
// invitee answered that they cannot attend (answer), has sent no report,
// and the client's consent covers their agency (covered: nobody is asked
// for a report they may not share). Conference.OwesReport and the
// reminder policy (InviteeFacts) apply it.
func ReportOwed(answer Answer, reportSent, covered bool) bool {
	return answer == AnswerApologies && !reportSent && covered
}

// answer is the invitee's current answer; "" when they have not answered.
func (i *Invitee) answer() Answer {
	if i.Response == nil {
		return ""
	}
	return i.Response.Answer
}

// Attends reports whether the invitee's current answer brings their
// agency to the meeting: attending, or sending a briefed colleague.
func (i *Invitee) Attends() bool { return i.answer().Attends() }
