package caseconf

import (
	"strconv"
	"strings"
	"time"
)

// The outcome of a conference: who was there, what was said, the action
// plan, the review date and who the minutes go to (the practitioners'
// "case conference record"). The chair, minute taker or case manager
// records it after the meeting; it may be kept as a draft and finished
// later.

// Outcome form fields; the bot uses them as block IDs so errors land on
// the right input. An action row's fields are ActionField(name, row).
const (
	FieldAttended        = "attended"         // Slack users who attended
	FieldAttendedOthers  = "attended_others"  // others, one a line: name, job title, agency
	FieldApologies       = "apologies"        // Slack users who sent apologies
	FieldApologiesOthers = "apologies_others" // others, one a line
	FieldLeadChanged     = "lead_changed"     // "yes" or "no"
	FieldNewCaseManager  = "new_case_manager" // a Slack user
	FieldNewLeadAgency   = "new_lead_agency"
	FieldSummary         = "summary"
	FieldOutcomeWorked   = "outcome_worked"
	FieldOutcomeNotWork  = "outcome_not_worked"
	FieldClientViews     = "client_views"
	FieldReviewOn        = "review_on"
	FieldShareWith       = "share_with"   // Slack users the minutes go to
	FieldShareOthers     = "share_others" // others, one a line: name, contact
	FieldSaveAs          = "save_as"      // SaveFinal or SaveDraft
)

// The choices of FieldSaveAs.
const (
	SaveFinal = "final"
	SaveDraft = "draft"
)

// Action row fields, for ActionField.
const (
	ActionArea        = "area"
	ActionWhat        = "what"
	ActionOwner       = "owner"
	ActionOwnerName   = "owner_name"
	ActionOwnerAgency = "owner_agency"
	ActionDue         = "due"
	ActionChoice      = "choice" // a row from the plan under review: CarryKeep, CarryDone or CarryDrop
)

// ActionField names the block of one field of action row row: rows are
// numbered when they are added and keep their number when another row is
// removed, so what was typed in them stays where it was.
func ActionField(field string, row int) string { return "act_" + field + "_" + strconv.Itoa(row) }

// Limits on the outcome's text, inside Block Kit's 3,000 characters for a
// plain_text_input.
const (
	MaxOutcomeText = 3000 // summary, what has and has not worked, the client's views
	MaxActionText  = 1000 // an action, with its risks and barriers
	MaxPeopleText  = 1500 // the lines of people not on Slack (the form fills them in from the invitees: three off Slack take up to 1,208)
	MaxActionRows  = 20   // more than a modal can hold anyway
)

// ActionForm is one row of the action plan as typed.
type ActionForm struct {
	Row         int    `json:"row"`
	Area        string `json:"area,omitempty"`
	What        string `json:"what,omitempty"`
	OwnerID     string `json:"owner,omitempty"` // a Slack user
	OwnerName   string `json:"owner_name,omitempty"`
	OwnerAgency string `json:"owner_agency,omitempty"`
	DueOn       string `json:"due,omitempty"` // "2006-01-02"
	// Carry is the open action of the plan under review the row starts
	// from (0: a new row), and Choice what becomes of it: CarryKeep,
	// CarryDone or CarryDrop.
	Carry  int64  `json:"carry,omitempty"`
	Choice string `json:"choice,omitempty"`
	// ID is the recorded action the row shows, in a form correcting the
	// record (0: a new row).
	ID int64 `json:"id,omitempty"`
}

// blank reports whether nothing was typed in the row.
func (a ActionForm) blank() bool {
	return !Visible(a.Area) && !Visible(a.What) && a.OwnerID == "" && !Visible(a.OwnerName) && !Visible(a.OwnerAgency) && a.DueOn == ""
}

// OutcomeForm is the outcome form as typed. A draft is kept as this.
type OutcomeForm struct {
	Attended        []string     `json:"attended,omitempty"`
	AttendedOthers  string       `json:"attended_others,omitempty"`
	Apologies       []string     `json:"apologies,omitempty"`
	ApologiesOthers string       `json:"apologies_others,omitempty"`
	LeadChanged     string       `json:"lead_changed,omitempty"`
	NewCaseManager  string       `json:"new_case_manager,omitempty"`
	NewLeadAgency   string       `json:"new_lead_agency,omitempty"`
	Summary         string       `json:"summary,omitempty"`
	Worked          string       `json:"worked,omitempty"`
	NotWorked       string       `json:"not_worked,omitempty"`
	ClientViews     string       `json:"client_views,omitempty"`
	ReviewOn        string       `json:"review_on,omitempty"`
	ShareWith       []string     `json:"share_with,omitempty"`
	ShareOthers     string       `json:"share_others,omitempty"`
	Actions         []ActionForm `json:"actions,omitempty"`
	SaveAs          string       `json:"save_as,omitempty"`
	// AmendReason is what changed and why, in a form correcting the
	// record (FieldAmendReason).
	AmendReason string `json:"amend_reason,omitempty"`
}

// CheckSaveAs answers a form submitted without choosing how to save it:
// nothing is preselected, so that nothing is sent by accident.
func (f OutcomeForm) CheckSaveAs() FieldErrors {
	if f.SaveAs == SaveFinal || f.SaveAs == SaveDraft {
		return nil
	}
	return FieldErrors{FieldSaveAs: "Please choose: record it and send the minutes, or keep it as a draft."}
}

// Draft reports whether the form is to be kept as a draft.
func (f OutcomeForm) Draft() bool { return f.SaveAs == SaveDraft }

// Person is someone named in the record who may not be on Slack: an
// attendee, an apology or someone the minutes are shared with.
type Person struct {
	UserID   string // Slack user; "" for someone not on Slack
	Name     string
	JobTitle string
	Agency   string
	Contact  string // for the share list
}

// Outcome is a recorded outcome. Its text is what the recorder wrote; it
// never goes to logs or error strings.
type Outcome struct {
	ConferenceID     int64
	RecordedBy       string
	RecordedAt       time.Time
	Attended         []Person
	Apologies        []Person
	LeadChanged      bool
	NewCaseManagerID string
	NewLeadAgency    string
	Summary          string
	Worked           string
	NotWorked        string
	ClientViews      string
	ReviewOn         time.Time // a calendar date
	ShareWith        []Person  // Slack users first, then people not on Slack
	Actions          []Action  // in the order of the plan
	// Settled is what becomes of each open action of the plan under
	// review the form started with (a review conference's only).
	Settled []Settled
	// Version is 1 as first recorded, and one more for each correction
	// (amend.go); AmendedBy, AmendedAt and AmendReason are the latest
	// correction's: who, when, and what changed and why.
	Version     int
	AmendedBy   string
	AmendedAt   time.Time
	AmendReason string
}

// ValidateDraft checks what a draft may hold: anything, as long as each
// text can be stored (caseconf.CheckText) and the rows are not too many.
func (f OutcomeForm) ValidateDraft() FieldErrors {
	errs := FieldErrors{}
	f.checkText(errs, false)
	if len(f.Actions) > MaxActionRows {
		errs[FieldSummary] = "This plan has more rows than a form can hold."
	}
	if len(errs) > 0 {
		return errs
	}
	return nil
}

// checkText checks every text field's length and characters; with
// required, the summary and the client's views must be there too.
func (f OutcomeForm) checkText(errs FieldErrors, required bool) {
	check := func(id, v string, max int, multiline bool, missing string) {
		v = strings.TrimSpace(v)
		if !Visible(v) {
			if required && missing != "" {
				errs[id] = missing
			}
			return
		}
		if msg := CheckText(v, max, multiline); msg != "" {
			errs[id] = msg
		}
	}
	check(FieldAttendedOthers, f.AttendedOthers, MaxPeopleText, true, "")
	check(FieldApologiesOthers, f.ApologiesOthers, MaxPeopleText, true, "")
	check(FieldNewLeadAgency, f.NewLeadAgency, MaxShortText, false, "")
	check(FieldSummary, f.Summary, MaxOutcomeText, true, "Please summarise the issues discussed.")
	check(FieldOutcomeWorked, f.Worked, MaxOutcomeText, true, "")
	check(FieldOutcomeNotWork, f.NotWorked, MaxOutcomeText, true, "")
	check(FieldClientViews, f.ClientViews, MaxOutcomeText, true,
		"Please give the client's views (if they were not there, say how their views were sought).")
	check(FieldShareOthers, f.ShareOthers, MaxPeopleText, true, "")
	// People not on Slack, a line each, name first.
	for id, v := range map[string]string{FieldAttendedOthers: f.AttendedOthers, FieldApologiesOthers: f.ApologiesOthers, FieldShareOthers: f.ShareOthers} {
		if errs[id] != "" {
			continue
		}
		for _, line := range strings.Split(v, "\n") {
			name, _, _ := strings.Cut(line, ",")
			if Visible(line) && !Visible(name) {
				errs[id] = "Each line needs a name first: " + map[bool]string{true: "name, contact", false: "name, job title, agency"}[id == FieldShareOthers] + "."
				break
			}
		}
	}
	// People on Slack are chosen from Slack's list: anything else did
	// not come from the form.
	users := map[string][]string{FieldAttended: f.Attended, FieldApologies: f.Apologies, FieldShareWith: f.ShareWith}
	if f.NewCaseManager != "" {
		users[FieldNewCaseManager] = []string{f.NewCaseManager}
	}
	for _, a := range f.Actions {
		if a.OwnerID != "" {
			users[ActionField(ActionOwner, a.Row)] = []string{a.OwnerID}
		}
	}
	for id, list := range users {
		for _, u := range list {
			if !IsSlackUserID(u) {
				errs[id] = "Please choose people from the list."
				break
			}
		}
	}
	for _, a := range f.Actions {
		check(ActionField(ActionArea, a.Row), a.Area, MaxShortText, false, "")
		check(ActionField(ActionWhat, a.Row), a.What, MaxActionText, true, "")
		check(ActionField(ActionOwnerName, a.Row), a.OwnerName, MaxShortText, false, "")
		check(ActionField(ActionOwnerAgency, a.Row), a.OwnerAgency, MaxShortText, false, "")
	}
}

// Validate checks a final outcome for a meeting that started at meeting,
// as of now: the summary and the client's views are given; a change of
// lead says to whom; the review date is within its window
// (ReviewWindow) and not past; every action has an area, what is to be
// done, one owner (a Slack user, the client, or a named person not on
// Slack, with their agency if they have one) and a date within its window
// (ActionDueWindow). Rows left wholly blank are dropped. It returns the outcome, or
// every problem found keyed by field.
func (f OutcomeForm) Validate(meeting, now time.Time, cal Calendar) (Outcome, FieldErrors) {
	return f.validate(meeting, now, cal, time.Time{}, nil)
}

// validate is Validate, except that a review date of keptReview, and a
// row showing a recorded action (ActionForm.ID) whose date is kept as
// keptDue has it, are not refused for having passed (a correction keeps
// what was recorded).
func (f OutcomeForm) validate(meeting, now time.Time, cal Calendar, keptReview time.Time, keptDue map[int64]time.Time) (Outcome, FieldErrors) {
	errs := FieldErrors{}
	f.checkText(errs, true)
	o := Outcome{
		Summary: strings.TrimSpace(f.Summary), Worked: strings.TrimSpace(f.Worked), NotWorked: strings.TrimSpace(f.NotWorked),
		ClientViews: strings.TrimSpace(f.ClientViews), NewLeadAgency: strings.TrimSpace(f.NewLeadAgency),
	}
	for _, p := range []*string{&o.Worked, &o.NotWorked, &o.NewLeadAgency} {
		if !Visible(*p) {
			*p = ""
		}
	}
	for _, u := range f.Attended {
		o.Attended = append(o.Attended, Person{UserID: u})
	}
	o.Attended = append(o.Attended, peopleLines(f.AttendedOthers, false)...)
	for _, u := range f.Apologies {
		o.Apologies = append(o.Apologies, Person{UserID: u})
	}
	o.Apologies = append(o.Apologies, peopleLines(f.ApologiesOthers, false)...)
	if len(o.Attended) == 0 {
		errs[FieldAttended] = "Please say who attended."
	}
	for _, u := range f.Apologies {
		for _, a := range f.Attended {
			if u == a {
				errs[FieldApologies] = "Someone cannot both attend and send apologies: please take them off one list."
			}
		}
	}

	switch f.LeadChanged {
	case "yes":
		o.LeadChanged, o.NewCaseManagerID = true, f.NewCaseManager
		if f.NewCaseManager == "" && o.NewLeadAgency == "" {
			errs[FieldNewCaseManager] = "Please choose the new case manager, or name the new lead agency."
		}
	case "no", "":
		if f.NewCaseManager != "" || o.NewLeadAgency != "" {
			errs[FieldLeadChanged] = "You named a new case manager or lead agency: please choose Yes, or clear them."
		}
	default:
		errs[FieldLeadChanged] = "Please choose Yes or No."
	}

	today := cal.Date(now)
	if f.ReviewOn == "" {
		errs[FieldReviewOn] = "Please give the date of the review meeting."
	} else if d, err := time.ParseInLocation(DateLayout, f.ReviewOn, cal.Loc); err != nil {
		errs[FieldReviewOn] = "Please choose a date."
	} else if !keptReview.IsZero() && sameDay(d, keptReview) {
		o.ReviewOn = d
	} else if msg := ReviewWindow(meeting, cal).Check(d); msg != "" {
		errs[FieldReviewOn] = msg
	} else if d.Before(today) {
		errs[FieldReviewOn] = "That date has passed: please choose today or later, so that the review can be called."
	} else {
		o.ReviewOn = d
	}

	for _, u := range f.ShareWith {
		o.ShareWith = append(o.ShareWith, Person{UserID: u})
	}
	o.ShareWith = append(o.ShareWith, peopleLines(f.ShareOthers, true)...)

	if len(f.Actions) > MaxActionRows {
		errs[FieldSummary] = "This plan has more rows than a form can hold."
	}
	carried := map[int64]bool{}
	for _, a := range f.Actions {
		if a.Carry != 0 {
			if carried[a.Carry] {
				errs[ActionField(ActionChoice, a.Row)] = "This action of the plan under review is in the form twice: please remove one."
				continue
			}
			carried[a.Carry] = true
			if !ValidCarryChoice(a.Choice) {
				errs[ActionField(ActionChoice, a.Row)] = "Please choose: keep it in the new plan, done, or drop it."
				continue
			}
			o.Settled = append(o.Settled, Settled{ActionID: a.Carry, Choice: a.Choice})
			if a.Choice != CarryKeep {
				continue // closed, not carried: what the row says is not checked
			}
		} else if a.blank() {
			continue
		}
		window := ActionDueWindow(now, cal)
		if due, ok := keptDue[a.ID]; ok && a.ID != 0 && a.DueOn == due.Format(DateLayout) {
			window = DateWindow{} // kept as recorded
		}
		act, e := a.validate(window, cal)
		for k, v := range e {
			if errs[k] == "" {
				errs[k] = v
			}
		}
		o.Actions = append(o.Actions, act)
	}
	if len(errs) > 0 {
		return Outcome{}, errs
	}
	return o, nil
}

// CheckOwners answers, on each row's owner field, a Slack owner of form
// f's plan who may not own an action of c's (CanOwnAction).
func (f OutcomeForm) CheckOwners(c *Conference) FieldErrors {
	errs := FieldErrors{}
	for _, a := range f.Actions {
		if a.Carry != 0 && a.Choice != CarryKeep {
			continue
		}
		if a.OwnerID != "" && !CanOwnAction(c, a.OwnerID) {
			errs[ActionField(ActionOwner, a.Row)] = "Only someone invited to this conference can own an action on Slack: invite them to the review, or name them as someone not on Slack."
		}
	}
	if len(errs) == 0 {
		return nil
	}
	return errs
}

// validate checks one action row that is not blank.
func (a ActionForm) validate(due DateWindow, cal Calendar) (Action, FieldErrors) {
	errs := FieldErrors{}
	field := func(name string) string { return ActionField(name, a.Row) }
	act := Action{ID: a.ID, Area: strings.TrimSpace(a.Area), What: strings.TrimSpace(a.What), OwnerID: a.OwnerID,
		OwnerName: strings.TrimSpace(a.OwnerName), OwnerAgency: strings.TrimSpace(a.OwnerAgency), Status: ActionOpen}
	if !Visible(act.Area) {
		errs[field(ActionArea)] = "Please give the area of need."
	}
	if !Visible(act.What) {
		errs[field(ActionWhat)] = "Please say what is to be done."
	}
	// An owner not on Slack is named, with their agency if they have one:
	// the client ("the client") or a carer has none.
	named, agency := Visible(act.OwnerName), Visible(act.OwnerAgency)
	switch {
	case act.OwnerID != "" && (named || agency):
		errs[field(ActionOwnerName)] = "Choose an owner on Slack or name one who is not, not both."
	case act.OwnerID == "" && !named && !agency:
		errs[field(ActionOwner)] = "Every action needs an owner: choose someone on Slack, or name someone who is not (write “the client” for the client)."
	case act.OwnerID == "" && !named:
		errs[field(ActionOwnerName)] = "Please name the person responsible."
	}
	if act.OwnerID != "" {
		act.OwnerName, act.OwnerAgency = "", ""
	} else if named {
		o := OwnerOffSlack(act.OwnerName, act.OwnerAgency)
		act.OwnerName, act.OwnerAgency, act.OwnerClient = o.Name, o.Agency, o.Client
	}
	if a.DueOn == "" {
		errs[field(ActionDue)] = "Every action needs a date to be met or reviewed."
	} else if d, err := time.ParseInLocation(DateLayout, a.DueOn, cal.Loc); err != nil {
		errs[field(ActionDue)] = "Please choose a date."
	} else if msg := due.Check(d); msg != "" {
		errs[field(ActionDue)] = msg
	} else {
		act.DueOn = d
	}
	return act, errs
}

// peopleLines reads lines of people not on Slack: "name, job title,
// agency" (or, for the share list, "name, contact"), blank lines dropped.
func peopleLines(s string, contact bool) []Person {
	var out []Person
	for _, line := range strings.Split(s, "\n") {
		if !Visible(line) {
			continue
		}
		parts := strings.SplitN(line, ",", 3)
		for i := range parts {
			parts[i] = strings.TrimSpace(parts[i])
		}
		p := Person{Name: parts[0]}
		if contact {
			p.Contact = strings.TrimSpace(strings.Join(parts[1:], ","))
		} else {
			if len(parts) > 1 {
				p.JobTitle = parts[1]
			}
			if len(parts) > 2 {
				p.Agency = parts[2]
			}
		}
		out = append(out, p)
	}
	return out
}
