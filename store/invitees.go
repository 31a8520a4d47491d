package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/caseconf/caseconf"
)

// insertInvitees adds the conference's invitees: Slack users (whose agency
// is remembered from an earlier answer) and people not on Slack.
func insertInvitees(ctx context.Context, tx *sqlx.Tx, conferenceID int64, slackUsers []string, external []caseconf.ExternalInvitee, now time.Time) error {
	for _, u := range slackUsers {
		_, err := tx.ExecContext(ctx, `INSERT INTO invitees (conference_id, slack_user_id, agency, agency_kind, invited_at)
			SELECT $1, $2, coalesce(ua.agency, ''), ua.agency_kind, $3
			FROM (SELECT 1) one LEFT JOIN user_agencies ua ON ua.slack_user_id = $2`, conferenceID, u, now)
		if err != nil {
			return fmt.Errorf("create conference: invitee: %w", err)
		}
	}
	for _, e := range external {
		_, err := tx.ExecContext(ctx, `INSERT INTO invitees (conference_id, name, role, agency, agency_kind, email, phone, invited_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, conferenceID, e.Name, e.Role, e.Agency, e.AgencyKind, e.Email, e.Phone, now)
		if err != nil {
			return fmt.Errorf("create conference: external invitee: %w", err)
		}
	}
	return nil
}

// Invitation reads the conference behind invitee inviteeID for that
// invitee's own Slack user, whether or not they have accepted the
// agreement yet: it is what their invitation DM shows. For any other user
// it is ENOTFOUND (caseconf.CanReadInvitation). The read is audited as
// action.
func (s *DB) Invitation(ctx context.Context, inviteeID int64, userID, action string) (*caseconf.Conference, *caseconf.Invitee, error) {
	tx, err := s.db.BeginTxx(ctx, nil)
	if err != nil {
		return nil, nil, fmt.Errorf("read invitation: %w", err)
	}
	defer tx.Rollback()
	c, inv, err := invitation(ctx, tx, inviteeID, false)
	if err == nil {
		err = caseconf.CanReadInvitation(inv, userID)
	}
	if err != nil {
		return nil, nil, err
	}
	if err := audit(ctx, tx, auditRow{At: s.Now(), Actor: userID, Action: action, ConferenceID: c.ID, ClientID: c.ClientID}); err != nil {
		return nil, nil, err
	}
	return c, inv, tx.Commit()
}

// invitation loads the conference of invitee inviteeID and the invitee in
// it. With lock it also locks the conference row, so a change made on the
// strength of what it read (an answer, an acceptance) cannot interleave
// with a cancellation. Callers check who may act on it.
func invitation(ctx context.Context, tx *sqlx.Tx, inviteeID int64, lock bool) (*caseconf.Conference, *caseconf.Invitee, error) {
	var confID int64
	err := tx.GetContext(ctx, &confID, `SELECT conference_id FROM invitees WHERE id = $1`, inviteeID)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil, caseconf.NotFound()
	}
	if err != nil {
		return nil, nil, fmt.Errorf("read invitation: %w", err)
	}
	var c *caseconf.Conference
	if lock {
		c, err = lockConference(ctx, tx, confID)
	} else {
		c, err = loadConference(ctx, tx, confID)
	}
	if err != nil {
		return nil, nil, err
	}
	inv := c.Invitee(inviteeID)
	if inv == nil {
		return nil, nil, caseconf.NotFound()
	}
	return c, inv, nil
}

// AgencyAnswer is the agency an invitee says they work for.
type AgencyAnswer struct {
	Agency, Kind string
}

// AcceptAgreement records that the invitee's own Slack user accepted the
// information-sharing and confidentiality agreement, with their agency when
// they gave it and it was not known (caseconf.CanDeclareAgency; it is
// remembered for the user). An agency given when one is already recorded
// is ignored. Accepting twice keeps the first time. It returns the conference as the invitee now sees it.
func (s *DB) AcceptAgreement(ctx context.Context, inviteeID int64, userID string, agency *AgencyAnswer) (*caseconf.Conference, *caseconf.Invitee, error) {
	tx, err := s.db.BeginTxx(ctx, nil)
	if err != nil {
		return nil, nil, fmt.Errorf("accept agreement: %w", err)
	}
	defer tx.Rollback()
	now := s.Now()
	c, inv, err := invitation(ctx, tx, inviteeID, true)
	if err == nil {
		err = caseconf.CanAccept(c, inv, userID)
	}
	if err != nil {
		return nil, nil, err
	}
	if inv.Accepted() {
		// Accepted already (a double press): nothing changes.
		return c, inv, tx.Commit()
	}
	if agency != nil && caseconf.CanDeclareAgency(inv) {
		if _, err := tx.ExecContext(ctx, `UPDATE invitees SET agency = $2, agency_kind = $3 WHERE id = $1`,
			inv.ID, agency.Agency, agency.Kind); err != nil {
			return nil, nil, fmt.Errorf("accept agreement: agency: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO user_agencies (slack_user_id, agency, agency_kind, updated_at)
			VALUES ($1, $2, $3, $4) ON CONFLICT (slack_user_id) DO UPDATE
			SET agency = EXCLUDED.agency, agency_kind = EXCLUDED.agency_kind, updated_at = EXCLUDED.updated_at`,
			userID, agency.Agency, agency.Kind, now); err != nil {
			return nil, nil, fmt.Errorf("accept agreement: remember agency: %w", err)
		}
	} else if inv.AgencyKind == "" {
		return nil, nil, caseconf.Errorf(caseconf.EINVALID, "Please say which agency you work for.")
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO agreement_acknowledgements (invitee_id, conference_id, slack_user_id, accepted_at)
		VALUES ($1, $2, $3, $4) ON CONFLICT (invitee_id) DO NOTHING`, inv.ID, c.ID, userID, now); err != nil {
		return nil, nil, fmt.Errorf("accept agreement: %w", err)
	}
	if err := audit(ctx, tx, auditRow{At: now, Actor: userID, Action: "agreement.accept", ConferenceID: c.ID, ClientID: c.ClientID}); err != nil {
		return nil, nil, err
	}
	if !c.Cancelled() && !c.Started(now) {
		// The calendar file they have lacks the place (export.ICalNoPlace):
		// now they may see it, it comes again with it.
		m := calendarMessage(c, inv)
		m.DedupKey += ":accepted"
		if _, err := enqueue(ctx, tx, now, m); err != nil {
			return nil, nil, err
		}
	}
	c, inv, err = invitation(ctx, tx, inviteeID, false)
	if err != nil {
		return nil, nil, err
	}
	return c, inv, tx.Commit()
}

// RecordResponse stores an invitee's answer (attending, sending a named
// colleague, apologies with a report, or not involved with this client),
// if caseconf.CanAnswer allows it on the locked conference. line is the
// colleague's name for AnswerColleague (required) and the optional
// explanation for AnswerNotInvolved; other answers carry none. Every
// answer is kept with its time; the latest counts. In the same
// transaction the pending reminders asking for an answer are cancelled,
// and those asking for a report too unless the answer is "can't attend".
// Giving the same answer as the current one changes nothing and reports
// changed false, so a double click records one answer.
func (s *DB) RecordResponse(ctx context.Context, inviteeID int64, userID string, answer caseconf.Answer, line string) (c *caseconf.Conference, inv *caseconf.Invitee, changed bool, err error) {
	tx, err := s.db.BeginTxx(ctx, nil)
	if err != nil {
		return nil, nil, false, fmt.Errorf("record response: %w", err)
	}
	defer tx.Rollback()
	now := s.Now()
	c, inv, err = invitation(ctx, tx, inviteeID, true)
	if err == nil {
		err = caseconf.CanAnswer(c, inv, userID, now)
	}
	if err != nil {
		return nil, nil, false, err
	}
	var colleague, reason string
	switch {
	case !answer.Valid():
		return nil, nil, false, caseconf.Errorf(caseconf.EINVALID, "That is not an answer we know.")
	case answer == caseconf.AnswerNotInvolved:
		reason = line
	case answer != caseconf.AnswerColleague:
	case line == "":
		return nil, nil, false, caseconf.Errorf(caseconf.EINVALID, "Please name the colleague you are sending.")
	default:
		colleague = line
	}
	if r := inv.Response; r != nil && r.Answer == answer && r.Colleague == colleague && r.Reason == reason {
		return c, inv, false, tx.Commit()
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO responses (invitee_id, answer, colleague, reason, responded_at)
		VALUES ($1, $2, $3, $4, $5)`, inv.ID, string(answer), nullString(colleague), nullString(reason), now); err != nil {
		return nil, nil, false, fmt.Errorf("record response: %w", err)
	}
	if err := audit(ctx, tx, auditRow{At: now, Actor: userID, Action: "response." + string(answer), ConferenceID: c.ID, ClientID: c.ClientID}); err != nil {
		return nil, nil, false, err
	}
	// The reminders chasing an answer stop with it; so do those asking
	// for the report that only "can't attend" owes.
	if err := cancelPending(ctx, tx, c.ID, inv.ID, InvitationReminderKinds, "the invitee has answered"); err != nil {
		return nil, nil, false, err
	}
	if !caseconf.ReportOwed(answer, false, true) {
		if err := cancelPending(ctx, tx, c.ID, inv.ID, ReportReminderKinds, "the invitee's answer owes no report"); err != nil {
			return nil, nil, false, err
		}
	}
	c, inv, err = invitation(ctx, tx, inviteeID, false)
	if err != nil {
		return nil, nil, false, err
	}
	return c, inv, true, tx.Commit()
}

// CorrectAgency changes the agency of invitee inviteeID of conference id
// to agency (name and kind), if caseconf.CanCorrectAgency allows v on the
// locked conference: an agency chosen wrongly, or changed with the
// invitee's job. For an invitee on Slack it is also what caseconf
// remembers for them. Audited with what it was before. What the client's
// consent lets them see is decided on the new kind from now on, at every
// read and every send. changed is false when it was that already.
func (s *DB) CorrectAgency(ctx context.Context, id, inviteeID int64, v caseconf.Viewer, agency AgencyAnswer) (c *caseconf.Conference, inv *caseconf.Invitee, changed bool, err error) {
	if n, k := caseconf.CheckAgency(agency.Agency, agency.Kind); n != "" || k != "" {
		return nil, nil, false, caseconf.Errorf(caseconf.EINVALID, "%s", strings.TrimSpace(n+" "+k))
	}
	tx, err := s.db.BeginTxx(ctx, nil)
	if err != nil {
		return nil, nil, false, fmt.Errorf("correct agency: %w", err)
	}
	defer tx.Rollback()
	now := s.Now()
	if c, err = lockConference(ctx, tx, id); err != nil {
		return nil, nil, false, err
	}
	inv = c.Invitee(inviteeID)
	if err := caseconf.CanCorrectAgency(c, v, inv); err != nil {
		return nil, nil, false, err
	}
	if inv.Agency == agency.Agency && inv.AgencyKind == agency.Kind {
		return c, inv, false, tx.Commit()
	}
	if _, err := tx.ExecContext(ctx, `UPDATE invitees SET agency = $2, agency_kind = $3 WHERE id = $1`, inv.ID, agency.Agency, agency.Kind); err != nil {
		return nil, nil, false, fmt.Errorf("correct agency: %w", err)
	}
	if inv.OnSlack() {
		if _, err := tx.ExecContext(ctx, `INSERT INTO user_agencies (slack_user_id, agency, agency_kind, updated_at)
			VALUES ($1, $2, $3, $4) ON CONFLICT (slack_user_id) DO UPDATE
			SET agency = EXCLUDED.agency, agency_kind = EXCLUDED.agency_kind, updated_at = EXCLUDED.updated_at`,
			inv.SlackUserID, agency.Agency, agency.Kind, now); err != nil {
			return nil, nil, false, fmt.Errorf("correct agency: remember agency: %w", err)
		}
	}
	was := caseconf.Label(caseconf.AgencyKinds, inv.AgencyKind)
	if inv.AgencyKind == "" {
		was = "not known"
	}
	if err := audit(ctx, tx, auditRow{At: now, Actor: v.UserID, Action: "invitee.agency_corrected", ConferenceID: c.ID, ClientID: c.ClientID,
		Detail: fmt.Sprintf("invitee %d: agency %q, %s (was %q, %s)", inv.ID, agency.Agency, caseconf.Label(caseconf.AgencyKinds, agency.Kind), inv.Agency, was)}); err != nil {
		return nil, nil, false, err
	}
	if c, err = loadConference(ctx, tx, id); err != nil {
		return nil, nil, false, err
	}
	return c, c.Invitee(inviteeID), true, tx.Commit()
}
