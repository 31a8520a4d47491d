package export

import (
	"fmt"
	"strings"
	"time"

	"github.com/caseconf/caseconf"
)

// SubjectAccess is everything held about the clients with reference ref,
// as one Markdown document prepared for the Slack user preparedFor at the
// moment at: each client's details and consents, then the whole record
// (Markdown) of each of their conferences, times in loc. Every typed
// value is escaped. Each record's Names are filled in by the caller.
func SubjectAccess(ref, preparedFor string, at time.Time, loc *time.Location, clients []caseconf.HeldClient, recs []*caseconf.Record) []byte {
	var doc []byte
	doc = fmt.Appendf(doc, "# Subject access: everything held about client %s\n\n", MarkdownText(strings.ToUpper(ref)))
	doc = fmt.Appendf(doc, "Prepared for Slack user %s on %s: the client's details, every consent recorded, and the whole record of each of their %d conferences.\n",
		preparedFor, at.In(loc).Format("2 January 2006 15:04"), len(recs))
	for _, cl := range clients {
		doc = append(doc, heldClient(cl, loc)...)
	}
	for _, rec := range recs {
		doc = append(doc, "\n\n---\n\n"...)
		doc = append(doc, Markdown(rec, loc)...)
	}
	return doc
}

// SubjectAccessFilename is the name a subject-access document made at
// the moment at is uploaded under. It names no client.
func SubjectAccessFilename(at time.Time) string {
	return "subject-access-" + at.UTC().Format("20060102-150405") + ".md"
}

// heldClient is a client's details and consents, as Markdown, every typed
// value escaped.
func heldClient(cl caseconf.HeldClient, loc *time.Location) []byte {
	var sb strings.Builder
	day := func(t time.Time) string {
		if t.IsZero() {
			return "—"
		}
		return t.Format("2006-01-02")
	}
	fmt.Fprintf(&sb, "\n## Client %s\n\n", MarkdownText(cl.Reference))
	fmt.Fprintf(&sb, "- **Reference:** %s\n", MarkdownText(cl.Reference))
	if cl.FullName != "" {
		fmt.Fprintf(&sb, "- **Name:** %s\n", MarkdownText(cl.FullName))
	}
	fmt.Fprintf(&sb, "- **Case manager:** Slack user %s\n", MarkdownText(cl.CaseManagerID))
	fmt.Fprintf(&sb, "- **Record created:** %s\n", cl.CreatedAt.In(loc).Format("2 January 2006 15:04"))
	fmt.Fprintf(&sb, "\n### Consents recorded (%d)\n\n", len(cl.Consents))
	for _, c := range cl.Consents {
		fmt.Fprintf(&sb, "- %s", MarkdownText(caseconf.Consent{Method: c.Method}.MethodLabel()))
		if c.Method != caseconf.ConsentNone {
			fmt.Fprintf(&sb, ", given %s, valid until %s", day(c.GivenOn), day(c.ValidUntil))
		}
		if c.Reason != "" {
			fmt.Fprintf(&sb, "; basis for sharing without it: %s", MarkdownText(caseconf.NoConsentBasisLabel(c.Reason)))
		}
		if c.DecidedBy != "" {
			fmt.Fprintf(&sb, "; decided by: %s", MarkdownText(c.DecidedBy))
		}
		switch {
		case c.Explanation != "" && c.Method == caseconf.ConsentNone:
			fmt.Fprintf(&sb, "; why: %s", MarkdownText(c.Explanation))
		case c.Explanation != "":
			fmt.Fprintf(&sb, "; note: %s", MarkdownText(c.Explanation))
		}
		if len(c.AgencyKinds) > 0 {
			fmt.Fprintf(&sb, "; agencies: %s", MarkdownText(strings.Join(c.AgencyKinds, ", ")))
		}
		fmt.Fprintf(&sb, "; recorded by Slack user %s on %s\n", MarkdownText(c.RecordedBy), c.RecordedAt.In(loc).Format("2 January 2006 15:04"))
	}
	return []byte(sb.String())
}
