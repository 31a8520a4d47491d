package caseconf

import (
	"strings"
	"testing"
)

func validReport() ReportForm {
	return ReportForm{Agency: " Church Street Surgery ", Role: "GP", Involvement: "Registered patient since 2019.",
		LastContact: "Surgery appointment, 28 October", Concerns: "Missed two appointments.\nWeight loss.",
		Recommendations: "A joint home visit."}
}

func TestReportValidate(t *testing.T) {
	r, errs := validReport().Validate()
	if errs != nil {
		t.Fatalf("a valid report: %v", errs)
	}
	if r.Agency != "Church Street Surgery" || r.Worked != "" || r.Concerns != "Missed two appointments.\nWeight loss." {
		t.Errorf("report = %+v", r)
	}
	tests := []struct {
		name   string
		change func(*ReportForm)
		want   []string
	}{
		{"Blank", func(f *ReportForm) { *f = ReportForm{} }, []string{FieldReportAgency, FieldReportRole, FieldInvolvement, FieldLastContact, FieldConcerns, FieldRecommendations}},
		{"InvisibleIsBlank", func(f *ReportForm) { f.Involvement = " \u200b\u00ad " }, []string{FieldInvolvement}},
		{"RoleOnOneLine", func(f *ReportForm) { f.Role = "GP\npartner" }, []string{FieldReportRole}},
		{"TooLong", func(f *ReportForm) { f.Concerns = strings.Repeat("x", MaxReportText+1) }, []string{FieldConcerns}},
		{"OptionalTooLong", func(f *ReportForm) { f.NotWorked = strings.Repeat("x", MaxReportText+1) }, []string{FieldNotWorked}},
		{"ControlCharacter", func(f *ReportForm) { f.Recommendations = "Visit\x00" }, []string{FieldRecommendations}},
		{"DirectionOverride", func(f *ReportForm) { f.Worked = "Weekly \u202ecalls" }, []string{FieldWorked}},
		{"Several", func(f *ReportForm) { f.Agency, f.LastContact = "", strings.Repeat("y", MaxReasonText+1) }, []string{FieldReportAgency, FieldLastContact}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := validReport()
			tt.change(&f)
			_, errs := f.Validate()
			if len(errs) != len(tt.want) {
				t.Fatalf("errors = %v, want on %v", errs, tt.want)
			}
			for _, id := range tt.want {
				if errs[id] == "" {
					t.Errorf("no error on %s: %v", id, errs)
				}
			}
		})
	}
	at := validReport()
	at.Worked = "   "
	if r, errs := at.Validate(); errs != nil || r.Worked != "" {
		t.Errorf("a blank optional field: %+v, %v", r, errs)
	}
}
