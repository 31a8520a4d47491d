package caseconf

import (
	"strings"
	"testing"
	"time"
)

func TestCheckEmail(t *testing.T) {
	for _, ok := range []string{"", "gp@example.org", "a.patel@nhs.example.uk"} {
		if msg := CheckEmail(ok); msg != "" {
			t.Errorf("CheckEmail(%q) = %q, want fine", ok, msg)
		}
	}
	for _, bad := range []string{"patel", "@example.org", "gp@", "gp@localhost", "g p@example.org", "a@b@example.org", "gp@example.org\n"} {
		if CheckEmail(bad) == "" {
			t.Errorf("CheckEmail(%q) passed", bad)
		}
	}
}

func TestReplyFormValidate(t *testing.T) {
	today := time.Date(2026, 11, 10, 0, 0, 0, 0, time.UTC)
	r, errs := ReplyForm{Reply: "attending", AgreedHow: AgreedSignedForm, AgreedOn: "2026-11-09"}.Validate(today)
	if errs != nil || r.Answer != AnswerAttending || r.AgreedOn.Format(DateLayout) != "2026-11-09" {
		t.Fatalf("a signed form and attending: %+v %v", r, errs)
	}
	r, errs = ReplyForm{Reply: "no_reply", AgreedHow: AgreedNotYet}.Validate(today)
	if errs != nil || r.Answer != AnswerNoReply {
		t.Fatalf("no reply yet: %+v %v", r, errs)
	}
	r, errs = ReplyForm{Reply: "not_involved", Line: "  Discharged in May ", AgreedHow: AgreedNotYet}.Validate(today)
	if errs != nil || r.Line != "Discharged in May" {
		t.Fatalf("not involved: %+v %v", r, errs)
	}
	for _, tt := range []struct {
		name  string
		f     ReplyForm
		field string
		want  string
	}{
		{"NoReplyChosen", ReplyForm{AgreedHow: AgreedNotYet}, FieldReply, "reply"},
		{"UnknownReply", ReplyForm{Reply: "maybe", AgreedHow: AgreedNotYet}, FieldReply, "reply"},
		{"ColleagueUnnamed", ReplyForm{Reply: "colleague", Line: " ", AgreedHow: AgreedNotYet}, FieldReplyLine, "name the colleague"},
		{"AgreementNotSaid", ReplyForm{Reply: "attending"}, FieldAgreedHow, "Not yet"},
		{"AgreementUndated", ReplyForm{Reply: "attending", AgreedHow: AgreedEmail}, FieldAgreedOn, "date"},
		{"AgreementInFuture", ReplyForm{Reply: "attending", AgreedHow: AgreedVerbal, AgreedOn: "2026-11-11"}, FieldAgreedOn, "future"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, errs := tt.f.Validate(today)
			if !strings.Contains(errs[tt.field], tt.want) {
				t.Fatalf("errors %v, want %s about %q", errs, tt.field, tt.want)
			}
		})
	}
}

func TestCheckReceipt(t *testing.T) {
	today := time.Date(2026, 3, 12, 0, 0, 0, 0, time.UTC)
	r, errs := CheckReceipt(" by e-mail from Dr Patel ", "2026-03-12", today)
	if errs != nil || r.How != "by e-mail from Dr Patel" || r.On.Format(DateLayout) != "2026-03-12" {
		t.Fatalf("%+v %v", r, errs)
	}
	if _, errs := CheckReceipt("", "2026-03-13", today); errs[FieldReceivedHow] == "" || !strings.Contains(errs[FieldReceivedOn], "future") {
		t.Fatalf("blank how, future date: %v", errs)
	}
}

func TestCanRecordReply(t *testing.T) {
	c := &Conference{Ref: "CC-0001", CaseManagerID: "U0CM", ChairID: "U0CH", MinuteTakerID: "U0MT", Status: StatusScheduled,
		Consent:  Consent{AgencyKinds: []string{"health_gp"}},
		Invitees: []Invitee{{ID: 1, SlackUserID: "U0GP"}, {ID: 2, Name: "Dr Patel", AgencyKind: "health_gp"}, {ID: 3, Name: "PC Jones", AgencyKind: "probation_police"}}}
	gp, patel, jones := &c.Invitees[0], &c.Invitees[1], &c.Invitees[2]
	for _, tt := range []struct {
		name string
		v    Viewer
		inv  *Invitee
		code string
	}{
		{"CaseManager", Viewer{UserID: "U0CM"}, patel, ""},
		{"Chair", Viewer{UserID: "U0CH"}, patel, ""},
		{"MinuteTaker", Viewer{UserID: "U0MT"}, patel, EFORBIDDEN},
		{"InviteeNotYetAccepted", Viewer{UserID: "U0GP"}, patel, ENOTFOUND},
		{"Stranger", Viewer{UserID: "U0X"}, patel, ENOTFOUND},
		{"SlackInvitee", Viewer{UserID: "U0CM"}, gp, ENOTFOUND},
		{"Gone", Viewer{UserID: "U0CM"}, nil, ENOTFOUND},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := ErrorCode(CanRecordReply(c, tt.v, tt.inv)); got != tt.code {
				t.Fatalf("code %q, want %q", got, tt.code)
			}
		})
	}
	if err := CanEnterReport(c, Viewer{UserID: "U0CM"}, patel); err != nil {
		t.Fatalf("entering Dr Patel's report: %v", err)
	}
	if ErrorCode(CanEnterReport(c, Viewer{UserID: "U0CM"}, jones)) != EFORBIDDEN {
		t.Fatal("a report from an agency the consent does not cover was allowed")
	}
	c.Status = StatusCancelled
	if ErrorCode(CanRecordReply(c, Viewer{UserID: "U0CM"}, patel)) != ECONFLICT {
		t.Fatal("a reply recorded on a cancelled conference")
	}
	if InviteeChaser("", "U0CM") != "U0CM" || InviteeChaser("U0GP", "U0CM") != "U0GP" {
		t.Fatal("InviteeChaser")
	}
}
