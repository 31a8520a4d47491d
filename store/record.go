package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/caseconf/caseconf"
)

// The export: a conference's whole record, read in one consistent
// snapshot and audited in the same transaction. What it holds is
// sensitive: none of it goes into an error, a log line or the audit
// log's detail (which says only how much was exported, and where to).

// ExportRecord reads the whole record of the conference with reference
// ref for v, if caseconf.CanExport allows it, and audits the export. To
// anyone who may not see the conference it does not exist.
func (s *DB) ExportRecord(ctx context.Context, ref string, v caseconf.Viewer) (*caseconf.Record, error) {
	tx, err := s.db.BeginTxx(ctx, &sql.TxOptions{Isolation: sql.LevelRepeatableRead})
	if err != nil {
		return nil, fmt.Errorf("export: %w", err)
	}
	defer tx.Rollback()
	var id int64
	err = tx.GetContext(ctx, &id, `SELECT id FROM conferences WHERE ref = upper($1)`, strings.TrimSpace(ref))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, caseconf.NotFound()
	}
	if err != nil {
		return nil, fmt.Errorf("export: %w", err)
	}
	c, err := loadConference(ctx, tx, id)
	if err != nil {
		return nil, err
	}
	if err := caseconf.CanExport(c, v); err != nil {
		return nil, err
	}
	r := &caseconf.Record{Conference: c, ExportedBy: v.UserID, ExportedAt: s.Now()}
	for _, read := range []func(context.Context, *sqlx.Tx, *caseconf.Record) error{
		readAnswers, readReports, readRecordOutcome, readOutcomeVersions, readRecordActions, readRecordShareList, readDisclosures, readHistory,
	} {
		if err := read(ctx, tx, r); err != nil {
			return nil, fmt.Errorf("export: %w", err)
		}
	}
	if err := audit(ctx, tx, auditRow{At: r.ExportedAt, Actor: v.UserID, Action: "conference.export", ConferenceID: c.ID, ClientID: c.ClientID,
		Detail: fmt.Sprintf("whole record: %d invitees, %d reports, %d actions; to the exporter's direct messages",
			len(c.Invitees), len(r.Reports), len(r.Actions))}); err != nil {
		return nil, err
	}
	return r, tx.Commit()
}

// ExportDelivered audits where the export of conference c for actor went:
// the Slack file (recorded against the conference and its client, so
// that erasure deletes it), or why it could not be delivered (reason
// names nothing of the record).
func (s *DB) ExportDelivered(ctx context.Context, c *caseconf.Conference, actor, fileID, reason string) error {
	tx, err := s.db.BeginTxx(ctx, nil)
	if err != nil {
		return fmt.Errorf("export delivered: %w", err)
	}
	defer tx.Rollback()
	now := s.Now()
	row := auditRow{At: now, Actor: actor, Action: "conference.export.delivered", ConferenceID: c.ID, ClientID: c.ClientID,
		Detail: "Slack file " + fileID + " in the exporter's direct messages"}
	if fileID == "" {
		row.Action, row.Detail = "conference.export.failed", reason
	} else if err := recordUpload(ctx, tx, now, c.ID, nil, fileID, FileExport); err != nil {
		return err
	}
	if err := audit(ctx, tx, row); err != nil {
		return err
	}
	return tx.Commit()
}

func readAnswers(ctx context.Context, tx *sqlx.Tx, r *caseconf.Record) error {
	var rows []struct {
		InviteeID int64          `db:"invitee_id"`
		Answer    string         `db:"answer"`
		Colleague sql.NullString `db:"colleague"`
		Reason    sql.NullString `db:"reason"`
		At        time.Time      `db:"responded_at"`
		By        sql.NullString `db:"recorded_by"`
	}
	if err := tx.SelectContext(ctx, &rows, `SELECT r.invitee_id, r.answer, r.colleague, r.reason, r.responded_at, r.recorded_by
		FROM responses r JOIN invitees i ON i.id = r.invitee_id
		WHERE i.conference_id = $1 ORDER BY r.responded_at, r.id`, r.Conference.ID); err != nil {
		return fmt.Errorf("answers: %w", err)
	}
	r.Answers = map[int64][]caseconf.Response{}
	for _, a := range rows {
		r.Answers[a.InviteeID] = append(r.Answers[a.InviteeID], caseconf.Response{Answer: caseconf.Answer(a.Answer), Colleague: a.Colleague.String, Reason: a.Reason.String, At: a.At, RecordedBy: a.By.String})
	}
	return nil
}

func readReports(ctx context.Context, tx *sqlx.Tx, r *caseconf.Record) error {
	var rows []reportRow
	if err := tx.SelectContext(ctx, &rows, `SELECT v.conference_id, v.invitee_id, v.author_id, v.author_agency, v.author_role,
			v.involvement, v.recent_contact, v.concerns, v.worked, v.not_worked, v.recommendations, v.revision,
			rp.submitted_at, v.saved_at AS updated_at, v.entered_by, v.received_how, v.received_on
		FROM report_revisions v JOIN reports rp ON rp.id = v.report_id
		WHERE v.conference_id = $1 ORDER BY v.invitee_id, v.revision`, r.Conference.ID); err != nil {
		return fmt.Errorf("reports: %w", err)
	}
	for i := range rows {
		rep := *rows[i].report()
		if n := len(r.Reports); n > 0 && r.Reports[n-1][0].InviteeID == rep.InviteeID {
			r.Reports[n-1] = append(r.Reports[n-1], rep)
		} else {
			r.Reports = append(r.Reports, []caseconf.Report{rep})
		}
	}
	return nil
}

func readRecordOutcome(ctx context.Context, tx *sqlx.Tx, r *caseconf.Record) error {
	o, err := readOutcomeRow(ctx, tx, r.Conference.ID)
	if err != nil {
		return fmt.Errorf("outcome: %w", err)
	}
	r.Outcome = o
	return nil
}

// readOutcomeVersions reads the earlier versions of the outcome, oldest
// first, each as it was kept.
func readOutcomeVersions(ctx context.Context, tx *sqlx.Tx, r *caseconf.Record) error {
	var rows []struct {
		Outcome    []byte    `db:"outcome"`
		MadeBy     string    `db:"made_by"`
		MadeAt     time.Time `db:"made_at"`
		Reason     string    `db:"reason"`
		ReplacedBy string    `db:"replaced_by"`
		ReplacedAt time.Time `db:"replaced_at"`
	}
	if err := tx.SelectContext(ctx, &rows, `SELECT outcome, made_by, made_at, reason, replaced_by, replaced_at FROM outcome_versions
		WHERE conference_id = $1 ORDER BY version`, r.Conference.ID); err != nil {
		return fmt.Errorf("outcome versions: %w", err)
	}
	for _, row := range rows {
		v := caseconf.OutcomeVersion{MadeBy: row.MadeBy, MadeAt: row.MadeAt, Reason: row.Reason, ReplacedBy: row.ReplacedBy, ReplacedAt: row.ReplacedAt}
		if err := json.Unmarshal(row.Outcome, &v.Outcome); err != nil {
			return fmt.Errorf("outcome versions: %w", err)
		}
		r.Versions = append(r.Versions, v)
	}
	return nil
}

// actionInDetail finds the action an audit entry is about ("action 42").
var actionInDetail = regexp.MustCompile(`^action ([0-9]+)\b`)

func readRecordActions(ctx context.Context, tx *sqlx.Tx, r *caseconf.Record) error {
	var rows []struct {
		actionRow
		Progress string `db:"progress"`
	}
	if err := tx.SelectContext(ctx, &rows, `SELECT `+actionColumns+`, progress FROM actions WHERE conference_id = $1 ORDER BY id`, r.Conference.ID); err != nil {
		return fmt.Errorf("actions: %w", err)
	}
	at := map[int64]int{}
	for i := range rows {
		at[rows[i].ID] = i
		r.Actions = append(r.Actions, caseconf.RecordAction{Action: *rows[i].action(), Progress: rows[i].Progress, ProposedDue: dateOf(rows[i].ProposedDue)})
	}
	// What was done to each action, from the audit log: who changed it,
	// and how, when.
	var changes []auditChange
	if err := tx.SelectContext(ctx, &changes, `SELECT at, actor_id, action, detail FROM audit_log
		WHERE conference_id = $1 AND action LIKE 'action.%' ORDER BY at, id`, r.Conference.ID); err != nil {
		return fmt.Errorf("action history: %w", err)
	}
	for _, ch := range changes {
		m := actionInDetail.FindStringSubmatch(ch.Detail)
		if m == nil {
			continue
		}
		id, _ := strconv.ParseInt(m[1], 10, 64)
		if i, ok := at[id]; ok {
			r.Actions[i].Updates = append(r.Actions[i].Updates, ch.change())
		}
	}
	return nil
}

func readRecordShareList(ctx context.Context, tx *sqlx.Tx, r *caseconf.Record) error {
	var rows []struct {
		UserID   sql.NullString `db:"slack_user_id"`
		Name     string         `db:"name"`
		Contact  string         `db:"contact"`
		Withheld sql.NullString `db:"withheld"`
	}
	if err := tx.SelectContext(ctx, &rows, `SELECT slack_user_id, name, contact, withheld FROM share_list
		WHERE conference_id = $1 ORDER BY slack_user_id IS NULL, id`, r.Conference.ID); err != nil {
		return fmt.Errorf("share list: %w", err)
	}
	for _, e := range rows {
		r.ShareList = append(r.ShareList, caseconf.Shared{Person: caseconf.Person{UserID: e.UserID.String, Name: e.Name, Contact: e.Contact},
			Withheld: e.Withheld.String})
	}
	return nil
}

func readDisclosures(ctx context.Context, tx *sqlx.Tx, r *caseconf.Record) error {
	var rows []struct {
		RecipientID string         `db:"recipient_id"`
		Version     int            `db:"version"`
		Part        int            `db:"part"`
		Parts       int            `db:"parts"`
		Basis       string         `db:"basis"`
		DecidedBy   string         `db:"decided_by"`
		DecidedAt   time.Time      `db:"decided_at"`
		SentAt      sql.NullTime   `db:"sent_at"`
		Name        sql.NullString `db:"recipient_name"`
		Medium      string         `db:"medium"`
	}
	if err := tx.SelectContext(ctx, &rows, `SELECT recipient_id, version, part, parts, basis, decided_by, decided_at, sent_at, recipient_name, medium FROM disclosures
		WHERE conference_id = $1 ORDER BY decided_at, id`, r.Conference.ID); err != nil {
		return fmt.Errorf("disclosures: %w", err)
	}
	for _, d := range rows {
		r.Disclosures = append(r.Disclosures, caseconf.Disclosure{RecipientID: d.RecipientID, Version: d.Version, Part: d.Part, Parts: d.Parts, Basis: d.Basis,
			DecidedBy: d.DecidedBy, DecidedAt: d.DecidedAt, SentAt: d.SentAt.Time, Name: d.Name.String, Medium: d.Medium})
	}
	return nil
}

// auditChange is an audit row as the record's history shows it.
type auditChange struct {
	At     time.Time `db:"at"`
	Actor  string    `db:"actor_id"`
	Action string    `db:"action"`
	Detail string    `db:"detail"`
}

// changeNames say what each kind of change was; a kind not named here is
// shown as it is written.
var changeNames = map[string]string{
	"conference.create": "conference called", "conference.cancel": "conference cancelled",
	"agreement.accept": "agreement accepted", "report.submit": "agency report sent", "report.update": "agency report updated",
	"outcome.draft": "outcome saved as a draft", "outcome.record": "outcome recorded", "outcome.amend": "outcome corrected",
	"action.amended": "action changed when the record was corrected", "action.done": "action marked done",
	"action.closed": "action closed", "action.reassigned": "action given to someone else", "action.settled": "action settled at the review",
	"conference.letter": "letter drafted", "conference.export": "record exported", "conference.edit": "conference changed",
}

func (a auditChange) change() caseconf.Change {
	what := changeNames[a.Action]
	if what == "" {
		what = a.Action
	}
	return caseconf.Change{At: a.At, By: a.Actor, What: what, Detail: a.Detail}
}

// isRead reports whether an audit action is only a read (shown, opened,
// listed): the record's history is its changes.
func isRead(action string) bool {
	for _, suffix := range []string{".show", ".open", ".list", ".review_form", ".repeat", ".delivered", ".failed", "_form"} {
		if strings.HasSuffix(action, suffix) {
			return true
		}
	}
	return action == "conference.list"
}

func readHistory(ctx context.Context, tx *sqlx.Tx, r *caseconf.Record) error {
	var rows []auditChange
	if err := tx.SelectContext(ctx, &rows, `SELECT at, actor_id, action, detail FROM audit_log
		WHERE conference_id = $1 ORDER BY at, id`, r.Conference.ID); err != nil {
		return fmt.Errorf("history: %w", err)
	}
	edits, err := conferenceEdits(ctx, tx, r.Conference.ID)
	if err != nil {
		return err
	}
	for _, a := range rows {
		if isRead(a.Action) {
			continue
		}
		ch := a.change()
		if a.Action == "conference.edit" {
			// What each changed thing was before, from the change's own
			// row (the audit log holds no free text).
			id, _, _ := strings.Cut(strings.TrimPrefix(a.Detail, "change "), ":")
			for _, e := range edits {
				if strconv.FormatInt(e.ID, 10) == id {
					ch.Detail = e.Describe(time.UTC)
				}
			}
		}
		r.History = append(r.History, ch)
	}
	return nil
}
