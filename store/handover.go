package store

import (
	"context"
	"fmt"

	"github.com/caseconf/caseconf"
)

// KindHandoverOffer offers the case manager the handover meeting that an
// outcome changing the lead agency or case manager calls for, with a
// button to call it. Subject: the conference; to its case manager.
const KindHandoverOffer = "handover_offer"

// handoverOffer is the message the outcome o of conference c calls for,
// if any (caseconf.HandoverDue). It is written with the outcome.
func handoverOffer(c *caseconf.Conference, o caseconf.Outcome) []Outbox {
	if !caseconf.HandoverDue(c, &o) {
		return nil
	}
	return []Outbox{{Kind: KindHandoverOffer, DedupKey: fmt.Sprintf("%s:%d", KindHandoverOffer, c.ID),
		RecipientID: c.CaseManagerID, ConferenceID: c.ID, SubjectID: c.ID}}
}

// HandoverForm reads conference id and its recorded outcome for v, to
// fill in the handover form, if caseconf.CanCallHandover allows it, and
// audits the read. To anyone but its case manager it does not exist.
func (s *DB) HandoverForm(ctx context.Context, id int64, v caseconf.Viewer) (*caseconf.Conference, *caseconf.Outcome, error) {
	c, err := s.ConferenceByID(ctx, id, v, "conference.handover_form")
	if err != nil {
		return nil, nil, err
	}
	if v.UserID != c.CaseManagerID {
		return nil, nil, caseconf.NotFound() // the outcome is not read for them
	}
	o, err := s.OutcomeSnapshot(ctx, id)
	if caseconf.ErrorCode(err) == caseconf.ENOTFOUND {
		o, err = nil, nil
	}
	if err != nil {
		return nil, nil, err
	}
	if err := caseconf.CanCallHandover(c, o, v); err != nil {
		return nil, nil, err
	}
	return c, o, nil
}
