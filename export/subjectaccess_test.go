package export

import (
	"strings"
	"testing"
	"time"

	"github.com/caseconf/caseconf"
)

func TestSubjectAccess(t *testing.T) {
	clients := []caseconf.HeldClient{{ID: 1, Reference: "js-4411", FullName: "# Jane [Smith](http://evil.example)", CaseManagerID: "U0CM", CreatedAt: t0,
		Consents: []caseconf.HeldConsent{
			{Method: caseconf.ConsentWritten, GivenOn: t0, ValidUntil: t0.AddDate(0, 6, 0), AgencyKinds: []string{"health_gp"}, RecordedBy: "U0CM", RecordedAt: t0},
			{Method: caseconf.ConsentNone, Reason: caseconf.BasisLacksCapacity, DecidedBy: "A Lead", Explanation: "- not a list", RecordedBy: "U0CM", RecordedAt: t0},
		}}}
	rec := &caseconf.Record{Conference: fixture(), ExportedBy: "U0ADMIN", ExportedAt: t0}
	doc := string(SubjectAccess("js-4411", "U0ADMIN", t0, time.UTC, clients, []*caseconf.Record{rec}))
	for _, want := range []string{
		"# Subject access: everything held about client JS-4411\n",
		"Prepared for Slack user U0ADMIN on 20 November 2026 10:30:",
		"- **Name:** \\# Jane \\[Smith\\](http\\://evil.example)\n",
		"### Consents recorded (2)",
		"- signed consent form, given 2026-11-20, valid until 2027-05-20; agencies: health\\_gp; recorded by Slack user U0CM on 20 November 2026 10:30\n",
		"- no consent; basis for sharing without it: Client lacks capacity to consent; sharing is in their best interests; decided by: A Lead; why: \\- not a list; recorded by",
		"\n\n---\n\n# Case conference record: CC-0007\n",
	} {
		if !strings.Contains(doc, want) {
			t.Errorf("the document does not say %q:\n%s", want, doc)
		}
	}
	if got := SubjectAccessFilename(time.Date(2026, 11, 20, 10, 30, 5, 0, time.FixedZone("BST", 3600))); got != "subject-access-20261120-093005.md" {
		t.Errorf("SubjectAccessFilename = %q", got)
	}
}
