package caseconf

import (
	"testing"
	"time"
)

var (
	t0       = time.Date(2026, 11, 20, 10, 30, 0, 0, time.UTC)
	accepted = t0.Add(-72 * time.Hour)
)

// fixture is a conference with one of every kind of participant. Each test
// builds its own, so a test can change it freely.
func fixture() *Conference {
	return &Conference{
		ID: 7, Ref: "CC-0007", ClientRef: "JS-4411", CaseManagerID: "U0CM", ChairID: "U0CHAIR", MinuteTakerID: "U0MIN",
		StartsAt: t0, DurationMinutes: 60, Status: StatusScheduled,
		Consent: Consent{Method: ConsentWritten, AgencyKinds: []string{"health_gp", "housing"}},
		Invitees: []Invitee{
			{ID: 1, SlackUserID: "U0GP", AgencyKind: "health_gp", AcceptedAt: &accepted},
			{ID: 2, SlackUserID: "U0PROB", AgencyKind: "probation_police", AcceptedAt: &accepted},
			{ID: 3, SlackUserID: "U0NEW"}, // not accepted yet, agency unknown
			{ID: 4, Name: "Dr Patel", AgencyKind: "health_gp"},
		},
		ShareList: []string{"U0SHARE", "U0GP", "U0SHOK", "U0SHUNC"},
		Sharers: []Sharer{
			{UserID: "U0SHARE"}, // offered the agreement, not accepted yet
			{UserID: "U0GP"},
			{UserID: "U0SHOK", AgencyKind: "housing", AcceptedAt: &accepted},
			{UserID: "U0SHUNC", AgencyKind: "mental_health", AcceptedAt: &accepted},
		},
	}
}

func TestCanSee(t *testing.T) {
	tests := []struct {
		name    string
		v       Viewer
		see     bool
		details bool
	}{
		{"CaseManager", Viewer{UserID: "U0CM"}, true, true},
		{"Chair", Viewer{UserID: "U0CHAIR"}, true, true},
		{"MinuteTaker", Viewer{UserID: "U0MIN"}, true, true},
		{"Admin", Viewer{UserID: "U0ADMIN", Admin: true}, true, true},
		{"InviteeAcceptedCovered", Viewer{UserID: "U0GP"}, true, true},
		{"InviteeAcceptedNotCovered", Viewer{UserID: "U0PROB"}, true, false},
		{"InviteeNotAccepted", Viewer{UserID: "U0NEW"}, false, false},
		{"ShareListNotAccepted", Viewer{UserID: "U0SHARE"}, true, false},
		{"ShareListAcceptedCovered", Viewer{UserID: "U0SHOK"}, true, true},
		{"ShareListAcceptedNotCovered", Viewer{UserID: "U0SHUNC"}, true, false},
		{"Outsider", Viewer{UserID: "U0OUT"}, false, false},
		{"NoUser", Viewer{}, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := fixture()
			if got := CanSee(c, tt.v); got != tt.see {
				t.Errorf("CanSee = %v, want %v", got, tt.see)
			}
			if got := CanSeeDetails(c, tt.v); got != tt.details {
				t.Errorf("CanSeeDetails = %v, want %v", got, tt.details)
			}
		})
	}
}

// An invitee on the share list who has not accepted the agreement sees
// the conference (it is on their list) but no case details: the share
// list lets nobody past the agreement.
func TestShareListIsNoWayRoundTheAgreement(t *testing.T) {
	c := fixture()
	c.ShareList = append(c.ShareList, "U0NEW")
	c.Sharers = append(c.Sharers, Sharer{UserID: "U0NEW", AgencyKind: "health_gp", AcceptedAt: &accepted})
	if !CanSee(c, Viewer{UserID: "U0NEW"}) || CanSeeDetails(c, Viewer{UserID: "U0NEW"}) {
		t.Error("an invitee who has not accepted sees case details through the share list")
	}
	if ErrorCode(CanAcceptShare(c, "U0NEW")) != ENOTFOUND {
		t.Error("an invitee is offered the share list's agreement, not their invitation's")
	}
}

// Only someone on the share list who was not invited accepts its
// agreement; show offers it until they have.
func TestCanAcceptShare(t *testing.T) {
	for u, want := range map[string]string{"U0SHARE": "", "U0SHOK": "", "U0GP": ENOTFOUND, "U0CM": ENOTFOUND, "U0OUT": ENOTFOUND, "": ENOTFOUND} {
		if got := ErrorCode(CanAcceptShare(fixture(), u)); got != want {
			t.Errorf("CanAcceptShare(%q) = %q, want %q", u, got, want)
		}
	}
	for u, want := range map[string]bool{"U0SHARE": true, "U0SHOK": false, "U0GP": false, "U0OUT": false} {
		if got := OffersShareAgreement(fixture(), u); got != want {
			t.Errorf("OffersShareAgreement(%q) = %v, want %v", u, got, want)
		}
	}
}

func TestCanCancel(t *testing.T) {
	tests := []struct {
		name   string
		v      Viewer
		change func(*Conference)
		want   string
	}{
		{"CaseManager", Viewer{UserID: "U0CM"}, nil, ""},
		{"Chair", Viewer{UserID: "U0CHAIR"}, nil, EFORBIDDEN},
		{"AdminIsNotTheCaseManager", Viewer{UserID: "U0ADMIN", Admin: true}, nil, EFORBIDDEN},
		{"Invitee", Viewer{UserID: "U0GP"}, nil, EFORBIDDEN},
		{"OutsiderReadsNotFound", Viewer{UserID: "U0OUT"}, nil, ENOTFOUND},
		{"AlreadyCancelled", Viewer{UserID: "U0CM"}, func(c *Conference) { c.Status = StatusCancelled }, ECONFLICT},
		{"AlreadyHeld", Viewer{UserID: "U0CM"}, func(c *Conference) { c.Status = StatusHeld }, ECONFLICT},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := fixture()
			if tt.change != nil {
				tt.change(c)
			}
			if got := ErrorCode(CanCancel(c, tt.v)); got != tt.want {
				t.Errorf("CanCancel = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestCanAnswer(t *testing.T) {
	before := t0.Add(-time.Hour)
	tests := []struct {
		name    string
		invitee int64
		user    string
		now     time.Time
		change  func(*Conference)
		want    string
	}{
		{"OwnAcceptedBeforeStart", 1, "U0GP", before, nil, ""},
		{"UncoveredMayStillAnswer", 2, "U0PROB", before, nil, ""},
		{"NotAcceptedYet", 3, "U0NEW", before, nil, ENOTREADY},
		{"SomeoneElsesInvitation", 1, "U0PROB", before, nil, ENOTFOUND},
		{"ExternalInviteeHasNoSlackUser", 4, "", before, nil, ENOTFOUND},
		{"Cancelled", 1, "U0GP", before, func(c *Conference) { c.Status = StatusCancelled }, ECONFLICT},
		{"AtTheStart", 1, "U0GP", t0, nil, ECONFLICT},
		{"AfterTheStart", 1, "U0GP", t0.Add(time.Minute), nil, ECONFLICT},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := fixture()
			if tt.change != nil {
				tt.change(c)
			}
			if got := ErrorCode(CanAnswer(c, c.Invitee(tt.invitee), tt.user, tt.now)); got != tt.want {
				t.Errorf("CanAnswer = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestCanAccept(t *testing.T) {
	c := fixture()
	if err := CanAccept(c, c.Invitee(3), "U0NEW"); err != nil {
		t.Errorf("own invitation: %v", err)
	}
	if got := ErrorCode(CanAccept(c, c.Invitee(3), "U0GP")); got != ENOTFOUND {
		t.Errorf("someone else's invitation = %q, want not_found", got)
	}
	if got := ErrorCode(CanAccept(c, nil, "U0GP")); got != ENOTFOUND {
		t.Errorf("no invitation = %q, want not_found", got)
	}
	c.Status = StatusCancelled
	if got := ErrorCode(CanAccept(c, c.Invitee(3), "U0NEW")); got != ECONFLICT {
		t.Errorf("cancelled = %q, want conflict", got)
	}
}

func TestCanWriteReport(t *testing.T) {
	tests := []struct {
		name    string
		invitee int64
		user    string
		change  func(*Conference)
		want    string
	}{
		{"CoveredAccepted", 1, "U0GP", nil, ""},
		{"AfterTheMeetingBeforeTheOutcome", 1, "U0GP", func(c *Conference) { c.Status = StatusHeld }, ""},
		{"NotCovered", 2, "U0PROB", nil, EFORBIDDEN},
		{"NotAccepted", 3, "U0NEW", nil, ENOTREADY},
		{"SomeoneElse", 1, "U0CM", nil, ENOTFOUND},
		{"AnotherInviteesInvitation", 1, "U0PROB", nil, ENOTFOUND},
		{"NotOnSlack", 4, "", nil, ENOTFOUND},
		{"Cancelled", 1, "U0GP", func(c *Conference) { c.Status = StatusCancelled }, ECONFLICT},
		{"OutcomeRecorded", 1, "U0GP", func(c *Conference) { c.Status = StatusRecorded }, ECONFLICT},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := fixture()
			if tt.change != nil {
				tt.change(c)
			}
			if got := ErrorCode(CanWriteReport(c, c.Invitee(tt.invitee), tt.user)); got != tt.want {
				t.Errorf("CanWriteReport = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestCanRecordOutcome(t *testing.T) {
	after := t0.Add(2 * time.Hour)
	tests := []struct {
		name   string
		v      Viewer
		now    time.Time
		change func(*Conference)
		want   string
	}{
		{"Chair", Viewer{UserID: "U0CHAIR"}, after, nil, ""},
		{"MinuteTaker", Viewer{UserID: "U0MIN"}, after, nil, ""},
		{"CaseManager", Viewer{UserID: "U0CM"}, after, nil, ""},
		{"InviteeReadsNotFound", Viewer{UserID: "U0GP"}, after, nil, ENOTFOUND},
		{"AdminReadsNotFound", Viewer{UserID: "U0ADMIN", Admin: true}, after, nil, ENOTFOUND},
		{"BeforeTheMeeting", Viewer{UserID: "U0CHAIR"}, t0.Add(-time.Minute), nil, ECONFLICT},
		{"Cancelled", Viewer{UserID: "U0CHAIR"}, after, func(c *Conference) { c.Status = StatusCancelled }, ECONFLICT},
		{"RecordedAlready", Viewer{UserID: "U0CM"}, after, func(c *Conference) { c.Status = StatusRecorded }, ECONFLICT},
		{"RecordedReadsNotFoundToOthers", Viewer{UserID: "U0GP"}, after, func(c *Conference) { c.Status = StatusRecorded }, ENOTFOUND},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := fixture()
			if tt.change != nil {
				tt.change(c)
			}
			if got := ErrorCode(CanRecordOutcome(c, tt.v, tt.now)); got != tt.want {
				t.Errorf("CanRecordOutcome = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestCanDraftLetter(t *testing.T) {
	tests := []struct {
		name    string
		v       Viewer
		invitee int64
		change  func(*Conference)
		want    string
	}{
		{"CaseManagerToCoveredGP", Viewer{UserID: "U0CM"}, 4, nil, ""},
		{"ChairMayNot", Viewer{UserID: "U0CHAIR"}, 4, nil, EFORBIDDEN},
		{"OutsiderReadsNotFound", Viewer{UserID: "U0OUT"}, 4, nil, ENOTFOUND},
		{"ToASlackInvitee", Viewer{UserID: "U0CM"}, 1, nil, ENOTFOUND},
		{"AgencyNotCovered", Viewer{UserID: "U0CM"}, 4, func(c *Conference) { c.Invitees[3].AgencyKind = "legal" }, EFORBIDDEN},
		{"Cancelled", Viewer{UserID: "U0CM"}, 4, func(c *Conference) { c.Status = StatusCancelled }, ECONFLICT},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := fixture()
			if tt.change != nil {
				tt.change(c)
			}
			if got := ErrorCode(CanDraftLetter(c, tt.v, c.Invitee(tt.invitee))); got != tt.want {
				t.Errorf("CanDraftLetter = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestAdmins(t *testing.T) {
	a := NewAdmins([]string{"U0ADMIN", ""})
	if !a.IsAdmin("U0ADMIN") || a.IsAdmin("U0CM") || a.IsAdmin("") {
		t.Errorf("IsAdmin wrong: %v", a)
	}
	if v := a.Viewer("U0ADMIN"); !v.Admin || v.UserID != "U0ADMIN" {
		t.Errorf("Viewer = %+v", v)
	}
}

func TestRoles(t *testing.T) {
	c := fixture()
	c.ChairID = "U0CM"
	got := c.Roles("U0CM")
	if len(got) != 2 || got[0] != RoleCaseManager || got[1] != RoleChair {
		t.Errorf("Roles(case manager who chairs) = %v", got)
	}
	if got := c.Roles("U0GP"); len(got) != 2 || got[0] != RoleInvitee || got[1] != RoleShareList {
		t.Errorf("Roles(invitee on the share list) = %v", got)
	}
	if got := c.Roles("U0OUT"); got != nil {
		t.Errorf("Roles(outsider) = %v", got)
	}
}

// The client's reference is a case detail: an invitation shows it only
// once its invitee has accepted the agreement, and only if the consent
// covers their agency (CanSeeDetails), not before.
func TestClientRefOnlyAfterTheAgreement(t *testing.T) {
	c := fixture()
	for id := range int64(5) {
		inv := c.Invitee(id)
		if inv == nil || inv.Accepted() && c.Covered(inv) {
			continue
		}
		if CanSeeDetails(c, Viewer{UserID: inv.SlackUserID}) {
			t.Errorf("invitee %d (accepted %v, covered %v) may see the client's reference", id, inv.Accepted(), c.Covered(inv))
		}
	}
}

func TestCanDeclareAgency(t *testing.T) {
	c := fixture()
	if !CanDeclareAgency(c.Invitee(3)) {
		t.Error("an invitee whose agency is unknown may not say it")
	}
	if CanDeclareAgency(c.Invitee(2)) {
		t.Error("an invitee whose agency is recorded (and not covered) may change it")
	}
}

func TestIsRefAndSlackUserID(t *testing.T) {
	for s, want := range map[string]bool{"CC-0001": true, "cc-42": true, "CC-10000": true, "CC-": false, "CC-0001\x00": false, "CC-1 ": false, "XX-1": false, "CC-1;DROP": false} {
		if got := IsRef(s); got != want {
			t.Errorf("IsRef(%q) = %v", s, got)
		}
	}
	for s, want := range map[string]bool{"U0CM": true, "W012ABC": true, "u0cm": false, "U0CM>": false, "C0CHAN": false, "": false} {
		if got := IsSlackUserID(s); got != want {
			t.Errorf("IsSlackUserID(%q) = %v", s, got)
		}
	}
}

func TestCanScheduleReview(t *testing.T) {
	tests := []struct {
		name   string
		v      Viewer
		change func(*Conference)
		want   string
	}{
		{"CaseManager", Viewer{UserID: "U0CM"}, func(c *Conference) { c.Status = StatusRecorded }, ""},
		{"ChairReadsNotFound", Viewer{UserID: "U0CHAIR"}, nil, ENOTFOUND},
		{"AdminReadsNotFound", Viewer{UserID: "U0ADMIN", Admin: true}, nil, ENOTFOUND},
		{"InviteeReadsNotFound", Viewer{UserID: "U0GP"}, nil, ENOTFOUND},
		{"OutsiderReadsNotFound", Viewer{UserID: "U0OUT"}, nil, ENOTFOUND},
		{"Cancelled", Viewer{UserID: "U0CM"}, func(c *Conference) { c.Status = StatusCancelled }, ECONFLICT},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := fixture()
			if tt.change != nil {
				tt.change(c)
			}
			if got := ErrorCode(CanScheduleReview(c, tt.v)); got != tt.want {
				t.Errorf("CanScheduleReview = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestCanExport(t *testing.T) {
	tests := []struct {
		name string
		v    Viewer
		code string // "" allowed
	}{
		{"CaseManager", Viewer{UserID: "U0CM"}, ""},
		{"Admin", Viewer{UserID: "U0ADMIN", Admin: true}, ""},
		{"Chair", Viewer{UserID: "U0CHAIR"}, EFORBIDDEN},
		{"MinuteTaker", Viewer{UserID: "U0MIN"}, EFORBIDDEN},
		{"InviteeCovered", Viewer{UserID: "U0GP"}, EFORBIDDEN},
		{"InviteeNotCovered", Viewer{UserID: "U0PROB"}, EFORBIDDEN},
		{"ShareListOnly", Viewer{UserID: "U0SHARE"}, EFORBIDDEN},
		{"InviteeNotAccepted", Viewer{UserID: "U0NEW"}, ENOTFOUND},
		{"Outsider", Viewer{UserID: "U0OUT"}, ENOTFOUND},
		{"NoUser", Viewer{}, ENOTFOUND},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := fixture()
			err := CanExport(c, tt.v)
			if got := ErrorCode(err); got != tt.code {
				t.Fatalf("CanExport = %v, want code %q", err, tt.code)
			}
			if tt.code == ENOTFOUND && ErrorMessage(err) != ErrorMessage(NotFound()) {
				t.Errorf("an outsider reads %q, not the not-found answer", ErrorMessage(err))
			}
		})
	}
	c := fixture()
	c.Status = StatusCancelled
	if err := CanExport(c, Viewer{UserID: "U0CM"}); err != nil {
		t.Errorf("a cancelled conference's record cannot be exported: %v", err)
	}
}

func TestCanGovern(t *testing.T) {
	if err := CanGovern(Viewer{UserID: "U0ADMIN", Admin: true}); err != nil {
		t.Errorf("an administrator: %v", err)
	}
	for _, v := range []Viewer{{UserID: "U0CM"}, {}, {Admin: true}} {
		if err := CanGovern(v); ErrorCode(err) != ENOTFOUND || ErrorMessage(err) != ErrorMessage(NotFound()) {
			t.Errorf("%+v: %v, want the not-found answer", v, err)
		}
	}
}

// Only the case manager corrects an invitee's agency, while the
// conference is on; to an outsider it does not exist.
func TestCanCorrectAgency(t *testing.T) {
	tests := []struct {
		name    string
		v       Viewer
		invitee int64
		change  func(*Conference)
		want    string
	}{
		{"CaseManager", Viewer{UserID: "U0CM"}, 2, nil, ""},
		{"CaseManagerOffSlackInvitee", Viewer{UserID: "U0CM"}, 4, nil, ""},
		{"Chair", Viewer{UserID: "U0CHAIR"}, 2, nil, EFORBIDDEN},
		{"TheInviteeThemselves", Viewer{UserID: "U0PROB"}, 2, nil, EFORBIDDEN},
		{"Outsider", Viewer{UserID: "U0OUT"}, 2, nil, ENOTFOUND},
		{"NoSuchInvitee", Viewer{UserID: "U0CM"}, 99, nil, ENOTFOUND},
		{"Cancelled", Viewer{UserID: "U0CM"}, 2, func(c *Conference) { c.Status = StatusCancelled }, ECONFLICT},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := fixture()
			if tt.change != nil {
				tt.change(c)
			}
			if got := ErrorCode(CanCorrectAgency(c, tt.v, c.Invitee(tt.invitee))); got != tt.want {
				t.Errorf("CanCorrectAgency = %q, want %q", got, tt.want)
			}
		})
	}
	if n, k := CheckAgency("Westminster Probation", "probation_police"); n != "" || k != "" {
		t.Errorf("a good agency: %q %q", n, k)
	}
	if n, k := CheckAgency(" ", "no_such_kind"); n == "" || k == "" {
		t.Errorf("a blank agency of no kind: %q %q", n, k)
	}
}
