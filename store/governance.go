package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"github.com/caseconf/caseconf"
)

// Governance: an administrator's view of a conference's audit trail, a
// client's subject-access export, and erasure (by an administrator, or by
// the retention job). None of it writes a client's details into the audit
// log: entries name the client by its numeric ID only.

// DeleteTarget is the channel and timestamp a delete_message row deletes.
func DeleteTarget(m Outbox) (channel, ts string, ok bool) {
	rest, found := strings.CutPrefix(m.DedupKey, string(caseconf.KindDeleteMessage)+":")
	if !found {
		return "", "", false
	}
	channel, ts, ok = strings.Cut(rest, ":")
	return channel, ts, ok && channel != "" && ts != ""
}

// Erased is what one erasure removed.
type Erased struct {
	ClientID    int64
	Conferences int
	Messages    int      // Slack messages queued for deletion
	Files       int      // Slack files the bot uploaded about the client, queued for deletion
	Users       []string // the Slack users the conferences involved (their Home tabs change)
}

// EraseClient deletes everything held about the client in one
// transaction: its conferences (and with them, by cascade, invitees,
// answers, agreements, reports and their history, outcomes, drafts,
// actions and their updates, share lists, disclosures and outbox rows),
// its consents, and its details (the clients row stays as a tombstone
// with no details, so the audit log keeps its numeric ID). Every Slack
// message the bot posted about it is queued for deletion, collected
// before the rows go, and so is every file it uploaded about it
// (exports, subject-access documents, calendar files: uploaded_files). why says who asked ("administrator" or
// "retention"); it is written to the audit log with the counts only.
func (s *DB) EraseClient(ctx context.Context, clientID int64, actor, why string) (Erased, error) {
	tx, err := s.db.BeginTxx(ctx, nil)
	if err != nil {
		return Erased{}, fmt.Errorf("erase: %w", err)
	}
	defer tx.Rollback()
	res, err := eraseClient(ctx, tx, s.Now(), clientID, actor, why)
	if err != nil {
		return Erased{}, err
	}
	return res, tx.Commit()
}

func eraseClient(ctx context.Context, tx *sqlx.Tx, now time.Time, clientID int64, actor, why string) (Erased, error) {
	res := Erased{ClientID: clientID}
	var erased sql.NullTime
	if err := tx.GetContext(ctx, &erased, `SELECT erased_at FROM clients WHERE id = $1 FOR NO KEY UPDATE`, clientID); err != nil {
		if err == sql.ErrNoRows {
			return res, caseconf.NotFound()
		}
		return res, fmt.Errorf("erase: %w", err)
	}
	if erased.Valid {
		return res, caseconf.NotFound()
	}
	var confs []int64
	// Its conferences are locked before anything else of theirs, in the
	// order every change to a conference takes (conference, then its
	// outbox rows): an answer, a failed invitation or a message being
	// marked posted waits for the erasure, or the erasure for it.
	if err := tx.SelectContext(ctx, &confs, `SELECT id FROM conferences WHERE client_id = $1 ORDER BY id FOR UPDATE`, clientID); err != nil {
		return res, fmt.Errorf("erase: conferences: %w", err)
	}
	var consents []int64
	if err := tx.SelectContext(ctx, &consents, `SELECT id FROM consents WHERE client_id = $1`, clientID); err != nil {
		return res, fmt.Errorf("erase: consents: %w", err)
	}
	res.Conferences = len(confs)
	if err := tx.SelectContext(ctx, &res.Users, `SELECT DISTINCT u FROM (
			SELECT case_manager_id AS u FROM conferences WHERE id = ANY($1)
			UNION SELECT chair_id FROM conferences WHERE id = ANY($1)
			UNION SELECT minute_taker_id FROM conferences WHERE id = ANY($1)
			UNION SELECT slack_user_id FROM invitees WHERE conference_id = ANY($1) AND slack_user_id IS NOT NULL
			UNION SELECT owner_slack_id FROM actions WHERE conference_id = ANY($1) AND owner_slack_id IS NOT NULL) x
		WHERE u <> '' ORDER BY u`, pq.Array(confs)); err != nil {
		return res, fmt.Errorf("erase: users: %w", err)
	}
	// What the audit log says in words about the client's conferences
	// (lists of references, as a reader's list or Home showed them) goes:
	// the rows stay, by number only.
	if len(confs) > 0 {
		var refs []string
		if err := tx.SelectContext(ctx, &refs, `SELECT ref FROM conferences WHERE id = ANY($1)`, pq.Array(confs)); err != nil {
			return res, fmt.Errorf("erase: references: %w", err)
		}
		for _, ref := range refs {
			// Whole references only: CC-1000 is not to eat into CC-10000.
			if _, err := tx.ExecContext(ctx, `UPDATE audit_log SET detail = regexp_replace(detail, '\m' || $1 || '\M', '[erased]', 'g')
				WHERE detail LIKE '%' || $1 || '%'`, ref); err != nil {
				return res, fmt.Errorf("erase: audit detail: %w", err)
			}
		}
	}
	confIDs, consentIDs := pq.Array(confs), pq.Array(consents)
	// A message being sent right now cannot be stopped: it is kept,
	// detached from the client (no conference, no subject), so that its
	// sender can still finish it; marking it sent queues its deletion from
	// Slack (finishWith), and ClearErasedLeftovers catches any left. This
	// comes before what was posted is read, so a message marked posted
	// meanwhile is either read below or detached here.
	if _, err := tx.ExecContext(ctx, `UPDATE outbox SET conference_id = NULL, subject_id = NULL, dedup_key = $3 || id
		WHERE state = 'in_flight' AND (conference_id = ANY($1) OR (kind LIKE 'consent%' AND subject_id = ANY($2)))`,
		confIDs, consentIDs, erasedPrefix); err != nil {
		return res, fmt.Errorf("erase: messages in flight: %w", err)
	}
	// The bot's own messages about the client, wherever they were posted.
	var posted []struct {
		Channel string `db:"channel"`
		TS      string `db:"ts"`
	}
	if err := tx.SelectContext(ctx, &posted, `
		SELECT channel, ts FROM outbox WHERE channel IS NOT NULL AND ts IS NOT NULL AND kind <> $3
			AND (conference_id = ANY($1) OR (conference_id IS NULL AND kind LIKE 'consent%' AND subject_id = ANY($2)))
		UNION SELECT dm_channel, dm_ts FROM invitees WHERE conference_id = ANY($1) AND dm_channel IS NOT NULL AND dm_ts IS NOT NULL
		UNION SELECT cm_dm_channel, cm_dm_ts FROM conferences WHERE id = ANY($1) AND cm_dm_channel IS NOT NULL AND cm_dm_ts IS NOT NULL`,
		pq.Array(confs), pq.Array(consents), caseconf.KindDeleteMessage); err != nil {
		return res, fmt.Errorf("erase: messages: %w", err)
	}
	var dels []Outbox
	for _, p := range posted {
		dels = append(dels, Outbox{Kind: caseconf.KindDeleteMessage, DedupKey: string(caseconf.KindDeleteMessage) + ":" + p.Channel + ":" + p.TS, RecipientID: p.Channel})
	}
	n, err := enqueue(ctx, tx, now, dels...)
	if err != nil {
		return res, err
	}
	res.Messages = n
	if res.Files, err = eraseFiles(ctx, tx, now, clientID, confs); err != nil {
		return res, err
	}
	for _, q := range []struct {
		what, sql string
		args      []any
	}{
		// Every outbox row about the client, pending ones included: its
		// reminders stop. Rows tied to a conference would also go by
		// cascade; consent reminders may not be.
		{"outbox", `DELETE FROM outbox WHERE conference_id = ANY($1) OR (kind LIKE 'consent%' AND subject_id = ANY($2))`, []any{confIDs, consentIDs}},
		{"disclosures", `DELETE FROM disclosures WHERE conference_id = ANY($1) OR consent_id = ANY($2)`, []any{confIDs, consentIDs}},
		// Invitees, answers, agreements, reports and their history,
		// outcomes, attendees, drafts, actions and their updates and share
		// lists go by cascade.
		{"conferences", `DELETE FROM conferences WHERE id = ANY($1)`, []any{confIDs}},
		{"consents", `DELETE FROM consents WHERE id = ANY($1)`, []any{consentIDs}},
	} {
		if _, err := tx.ExecContext(ctx, q.sql, q.args...); err != nil {
			return res, fmt.Errorf("erase: %s: %w", q.what, err)
		}
	}
	if _, err := tx.ExecContext(ctx, `UPDATE clients SET reference = 'ERASED', full_name = NULL, case_manager_id = '', erased_at = $2
		WHERE id = $1`, clientID, now); err != nil {
		return res, fmt.Errorf("erase: client: %w", err)
	}
	if err := audit(ctx, tx, auditRow{At: now, Actor: actor, Action: ActionErase, ClientID: clientID,
		Detail: fmt.Sprintf("client erased (%s): %d conferences, %d consents, %d Slack messages and %d files to delete", why, len(confs), len(consents), n, res.Files)}); err != nil {
		return res, err
	}
	return res, nil
}

// erasedPrefix starts the dedup key of an outbox message that was being
// sent when its client was erased.
const erasedPrefix = "erased:"

// ClearErasedLeftovers finishes what erasures left to the messages that
// were being sent at the time: each one Slack took is queued for
// deletion, and every finished one goes. It reports how many deletions
// it queued.
func (s *DB) ClearErasedLeftovers(ctx context.Context) (int, error) {
	tx, err := s.db.BeginTxx(ctx, nil)
	if err != nil {
		return 0, fmt.Errorf("erased leftovers: %w", err)
	}
	defer tx.Rollback()
	var posted []struct {
		Channel string `db:"channel"`
		TS      string `db:"ts"`
	}
	if err := tx.SelectContext(ctx, &posted, `SELECT channel, ts FROM outbox WHERE dedup_key LIKE $1 || '%'
		AND state = 'sent' AND channel IS NOT NULL AND ts IS NOT NULL FOR UPDATE`, erasedPrefix); err != nil {
		return 0, fmt.Errorf("erased leftovers: %w", err)
	}
	var dels []Outbox
	for _, p := range posted {
		dels = append(dels, Outbox{Kind: caseconf.KindDeleteMessage, DedupKey: string(caseconf.KindDeleteMessage) + ":" + p.Channel + ":" + p.TS, RecipientID: p.Channel})
	}
	n, err := enqueue(ctx, tx, s.Now(), dels...)
	if err != nil {
		return 0, err
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM outbox WHERE dedup_key LIKE $1 || '%' AND state IN ('sent', 'failed', 'cancelled')`, erasedPrefix); err != nil {
		return 0, fmt.Errorf("erased leftovers: %w", err)
	}
	return n, tx.Commit()
}

// ClientsPastRetention are the clients, not yet erased, with no activity
// since before cutoff: nothing created, changed, held or recorded about
// them (their record, consents, conferences, actions and action updates).
func (s *DB) ClientsPastRetention(ctx context.Context, cutoff time.Time) ([]int64, error) {
	var ids []int64
	err := s.db.SelectContext(ctx, &ids, `SELECT c.id FROM clients c WHERE c.erased_at IS NULL AND GREATEST(c.created_at,
			(SELECT max(recorded_at) FROM consents WHERE client_id = c.id),
			(SELECT max(GREATEST(f.updated_at, f.starts_at)) FROM conferences f WHERE f.client_id = c.id),
			(SELECT max(a.updated_at) FROM actions a JOIN conferences f ON f.id = a.conference_id WHERE f.client_id = c.id),
			(SELECT max(u.at) FROM action_updates u JOIN conferences f ON f.id = u.conference_id WHERE f.client_id = c.id)
		) < $1 ORDER BY c.id`, cutoff)
	if err != nil {
		return nil, fmt.Errorf("clients past retention: %w", err)
	}
	return ids, nil
}

// AuditPage is one page of a conference's audit trail, newest first.
type AuditPage struct {
	Ref     string
	Entries []AuditEntry
	Offset  int
	More    bool // there are older entries
}

// ConferenceAudit reads limit entries of the audit trail of the
// conference ref from offset (newest first), for an administrator only
// (to anyone else it does not exist), and audits the reading.
func (s *DB) ConferenceAudit(ctx context.Context, ref string, v caseconf.Viewer, offset, limit int) (*AuditPage, error) {
	if err := caseconf.CanGovern(v); err != nil {
		return nil, err
	}
	var c struct {
		ID       int64  `db:"id"`
		Ref      string `db:"ref"`
		ClientID int64  `db:"client_id"`
	}
	if err := s.db.GetContext(ctx, &c, `SELECT id, ref, client_id FROM conferences WHERE ref = upper($1)`, strings.TrimSpace(ref)); err != nil {
		if err == sql.ErrNoRows {
			return nil, caseconf.NotFound()
		}
		return nil, fmt.Errorf("audit trail: %w", err)
	}
	if err := audit(ctx, s.db, auditRow{At: s.Now(), Actor: v.UserID, Action: "conference.audit.show", ConferenceID: c.ID, ClientID: c.ClientID,
		Detail: fmt.Sprintf("audit trail from entry %d", offset+1)}); err != nil {
		return nil, err
	}
	var rows []struct {
		At      time.Time `db:"at"`
		ActorID string    `db:"actor_id"`
		Action  string    `db:"action"`
		Detail  string    `db:"detail"`
	}
	if err := s.db.SelectContext(ctx, &rows, `SELECT at, actor_id, action, detail FROM audit_log WHERE conference_id = $1
		ORDER BY at DESC, id DESC OFFSET $2 LIMIT $3`, c.ID, offset, limit+1); err != nil {
		return nil, fmt.Errorf("audit trail: %w", err)
	}
	p := &AuditPage{Ref: c.Ref, Offset: offset, More: len(rows) > limit}
	for i, r := range rows {
		if i == limit {
			break
		}
		p.Entries = append(p.Entries, AuditEntry{At: r.At, ActorID: r.ActorID, Action: r.Action, ConferenceID: c.ID, ClientID: c.ClientID, Detail: r.Detail})
	}
	return p, nil
}

// heldClientRow and heldConsentRow are a client and a consent as they are
// read, before they become caseconf.HeldClient and caseconf.HeldConsent.
type heldClientRow struct {
	ID            int64     `db:"id"`
	Reference     string    `db:"reference"`
	FullName      string    `db:"full_name"`
	CaseManagerID string    `db:"case_manager_id"`
	CreatedAt     time.Time `db:"created_at"`
}

type heldConsentRow struct {
	Method      string         `db:"method"`
	GivenOn     sql.NullTime   `db:"given_on"`
	ValidUntil  sql.NullTime   `db:"valid_until"`
	Reason      string         `db:"no_consent_reason"`
	DecidedBy   string         `db:"decided_by"`
	Explanation string         `db:"explanation"`
	AgencyKinds pq.StringArray `db:"agency_kinds"`
	RecordedBy  string         `db:"recorded_by"`
	RecordedAt  time.Time      `db:"recorded_at"`
}

// SubjectAccess reads everything held about client clientID (one client:
// caseconf.ResolveClient): their details, consents, and the whole record
// of each of their conferences, for an administrator only, and audits it
// (by client ID and counts). It returns the client (as a list of one) and
// the records; NotFound when there is no such client, or it was erased.
func (s *DB) SubjectAccess(ctx context.Context, clientID int64, v caseconf.Viewer) ([]caseconf.HeldClient, []*caseconf.Record, error) {
	if err := caseconf.CanGovern(v); err != nil {
		return nil, nil, err
	}
	tx, err := s.db.BeginTxx(ctx, &sql.TxOptions{Isolation: sql.LevelRepeatableRead})
	if err != nil {
		return nil, nil, fmt.Errorf("subject access: %w", err)
	}
	defer tx.Rollback()
	var rows []heldClientRow
	if err := tx.SelectContext(ctx, &rows, `SELECT id, reference, coalesce(full_name, '') AS full_name, case_manager_id, created_at
		FROM clients WHERE id = $1 AND erased_at IS NULL`, clientID); err != nil {
		return nil, nil, fmt.Errorf("subject access: %w", err)
	}
	if len(rows) == 0 {
		return nil, nil, caseconf.NotFound()
	}
	now := s.Now()
	clients := make([]caseconf.HeldClient, len(rows))
	var out []*caseconf.Record
	for i, row := range rows {
		cl := row.ID
		clients[i] = caseconf.HeldClient{ID: row.ID, Reference: row.Reference, FullName: row.FullName, CaseManagerID: row.CaseManagerID, CreatedAt: row.CreatedAt}
		var consents []heldConsentRow
		if err := tx.SelectContext(ctx, &consents, `SELECT method, given_on, valid_until, coalesce(no_consent_reason, '') AS no_consent_reason,
			coalesce(decided_by, '') AS decided_by, coalesce(explanation, '') AS explanation, agency_kinds, recorded_by, recorded_at FROM consents WHERE client_id = $1 ORDER BY recorded_at, id`, cl); err != nil {
			return nil, nil, fmt.Errorf("subject access: consents: %w", err)
		}
		for _, c := range consents {
			clients[i].Consents = append(clients[i].Consents, caseconf.HeldConsent{Method: c.Method, GivenOn: c.GivenOn.Time, ValidUntil: c.ValidUntil.Time,
				Reason: c.Reason, DecidedBy: c.DecidedBy, Explanation: c.Explanation, AgencyKinds: []string(c.AgencyKinds), RecordedBy: c.RecordedBy, RecordedAt: c.RecordedAt})
		}
		var confs []int64
		if err := tx.SelectContext(ctx, &confs, `SELECT id FROM conferences WHERE client_id = $1 ORDER BY starts_at, id`, cl); err != nil {
			return nil, nil, fmt.Errorf("subject access: %w", err)
		}
		for _, id := range confs {
			c, err := loadConference(ctx, tx, id)
			if err != nil {
				return nil, nil, err
			}
			r := &caseconf.Record{Conference: c, ExportedBy: v.UserID, ExportedAt: now}
			for _, read := range []func(context.Context, *sqlx.Tx, *caseconf.Record) error{
				readAnswers, readReports, readRecordOutcome, readRecordActions, readRecordShareList, readDisclosures, readHistory,
			} {
				if err := read(ctx, tx, r); err != nil {
					return nil, nil, fmt.Errorf("subject access: %w", err)
				}
			}
			out = append(out, r)
		}
		if err := audit(ctx, tx, auditRow{At: now, Actor: v.UserID, Action: "client.subject_access", ClientID: cl,
			Detail: fmt.Sprintf("whole record: %d conferences; to the requester's direct messages", len(confs))}); err != nil {
			return nil, nil, err
		}
	}
	return clients, out, tx.Commit()
}

// SubjectAccessDelivered audits where a subject-access export went, and
// records the file against its clients (erasing one deletes it).
func (s *DB) SubjectAccessDelivered(ctx context.Context, clients []int64, actor, fileID, reason string) error {
	if fileID != "" {
		if err := s.FileUploaded(ctx, 0, clients, fileID, FileSubjectAccess); err != nil {
			return err
		}
	}
	for _, cl := range clients {
		row := auditRow{At: s.Now(), Actor: actor, Action: "client.subject_access.delivered", ClientID: cl,
			Detail: "Slack file " + fileID + " in the requester's direct messages"}
		if fileID == "" {
			row.Action, row.Detail = "client.subject_access.failed", reason
		}
		if err := audit(ctx, s.db, row); err != nil {
			return err
		}
	}
	return nil
}
