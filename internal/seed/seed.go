// Package seed fills an empty, migrated caseconf database with a year of a
// busy service's records, for benchmarks and memory audits: conferences
// over the past twelve months and the next two (most held with their
// outcome and minutes, some cancelled, some still to meet), each with its
// client, consent and invitees (answers, agreements, reports); an action
// plan for every outcome (mostly done, some open, some overdue); the
// outbox rows all that sent (nearly all sent long ago, a few hundred
// summaries still to go); and one case manager, HomeUser, whose Home tab
// lists exactly HomeItems items.
//
// Everything is written by INSERT … SELECT … generate_series in one
// transaction, with explicit IDs (the database must be empty); the
// sequences are moved past them, so the store carries on from there.
package seed

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Options says how much to seed.
type Options struct {
	Conferences int    // in all, HomeUser's included
	OutboxRows  int    // exactly this many outbox rows
	Actions     int    // in all, HomeUser's included
	HomeItems   int    // conferences and open actions on HomeUser's Home tab
	HomeUser    string // a Slack user ID outside the practitioner pool
	Now         time.Time
}

// Year is a year of a busy service.
func Year() Options {
	return Options{Conferences: 10000, OutboxRows: 100000, Actions: 50000, HomeItems: 500, HomeUser: "U0YEARCM", Now: time.Now()}
}

// PoolSize is how many practitioners (distinct Slack users) take part,
// besides HomeUser. Pool user i is PoolUser(i).
const PoolSize = 300

// PoolUser is the Slack user ID of practitioner i (taken modulo PoolSize).
func PoolUser(i int) string { return fmt.Sprintf("U0YP%04d", ((i%PoolSize)+PoolSize)%PoolSize) }

// PendingSummaries is at most how many outbox rows are left to send: the
// case manager's summaries of the conferences called last.
const PendingSummaries = 200

// HomeSplit says how HomeItems is made up: conferences (half still to
// meet, half held with an open action plan) and the open actions
// HomeUser owns on the held ones.
func (o Options) HomeSplit() (upcoming, held, actions int) {
	if o.HomeItems <= 0 {
		return 0, 0, 0
	}
	confs := max(o.HomeItems/5, 1)
	held = max(confs/2, 1)
	upcoming = confs - held
	return upcoming, held, o.HomeItems - confs
}

func (o Options) check() error {
	up, held, acts := o.HomeSplit()
	switch {
	case o.HomeUser == "" && o.HomeItems > 0:
		return errors.New("seed: HomeItems without HomeUser")
	case o.Conferences < up+held+10:
		return fmt.Errorf("seed: %d conferences cannot hold HomeUser's %d and a service", o.Conferences, up+held)
	case o.Actions < acts:
		return fmt.Errorf("seed: %d actions, fewer than HomeUser's %d", o.Actions, acts)
	case acts < held:
		return errors.New("seed: HomeItems too small to give each held conference an action")
	case o.Now.IsZero():
		return errors.New("seed: Now is zero")
	case o.OutboxRows < 0:
		return errors.New("seed: negative OutboxRows")
	}
	return nil
}

// Seed writes o into db, a migrated caseconf database with no conferences,
// in one transaction.
func Seed(ctx context.Context, db *sql.DB, o Options) error {
	if err := o.check(); err != nil {
		return err
	}
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("seed: %w", err)
	}
	defer tx.Rollback()
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT (SELECT count(*) FROM conferences) + (SELECT count(*) FROM clients) + (SELECT count(*) FROM outbox)`).Scan(&n); err != nil {
		return fmt.Errorf("seed: %w", err)
	}
	if n != 0 {
		return errors.New("seed: the database is not empty")
	}
	up, held, homeActs := o.HomeSplit()
	general := o.Conferences - up - held
	now := o.Now.UTC()
	// Every parameter is a number, a time or a quoted ID, written into the
	// statements: PostgreSQL would want a type for each parameter a
	// statement does not use.
	params := strings.NewReplacer(
		"$10", strconv.Itoa(PendingSummaries),
		"$1", "'"+now.Format(time.RFC3339Nano)+"'::timestamptz",
		"$2", strconv.Itoa(general),
		"$3", strconv.Itoa(up),
		"$4", strconv.Itoa(held),
		"$5", quote(o.HomeUser),
		"$6", strconv.Itoa(o.Actions-homeActs),
		"$7", strconv.Itoa(homeActs),
		"$8", strconv.Itoa(o.OutboxRows),
		"$9", strconv.Itoa(PoolSize),
	)
	for i, st := range statements {
		if _, err := tx.ExecContext(ctx, params.Replace(st)); err != nil {
			return fmt.Errorf("seed: step %d: %w", i+1, err)
		}
	}
	var got int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM outbox`).Scan(&got); err != nil {
		return fmt.Errorf("seed: %w", err)
	}
	if got != o.OutboxRows {
		return fmt.Errorf("seed: only %d outbox rows follow from the records, %d asked for", got, o.OutboxRows)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("seed: %w", err)
	}
	return nil
}

// quote is s as an SQL string literal.
func quote(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

// The parameters of every statement:
//
//	$1 now   $2 general conferences   $3 HomeUser's upcoming   $4 HomeUser's held
//	$5 HomeUser   $6 general actions   $7 HomeUser's actions   $8 outbox rows
//	$9 pool size   $10 pending summaries
//
// Pool user i is 'U0YP' || lpad(i % $9, 4, '0') (PoolUser).
var statements = []string{
	// The conferences: g 1..$2 spread over the past 365 days and the next
	// 60, on weekdays, 9:00 to 16:00 UTC; then HomeUser's, upcoming (the
	// next weeks) and held (the past weeks, each with an outcome).
	`CREATE TEMP TABLE seed_conf ON COMMIT DROP AS
	SELECT g, home, starts_at, created_at, status, cm, chair, mt, ninv,
		CASE WHEN g % 10 < 7 THEN 'written' WHEN g % 10 < 9 THEN 'verbal' ELSE 'none' END AS method
	FROM (
		SELECT g, false AS home, s AS starts_at, s - (14 + g % 10) * interval '1 day' AS created_at,
			CASE WHEN g % 20 = 0 THEN 'cancelled'
				WHEN s > $1::timestamptz - interval '3 days' OR g % 50 = 1 THEN 'scheduled'
				ELSE 'recorded' END AS status,
			'U0YP' || lpad((g % $9)::text, 4, '0') AS cm,
			'U0YP' || lpad(((g + 100) % $9)::text, 4, '0') AS chair,
			'U0YP' || lpad(((g + 200) % $9)::text, 4, '0') AS mt,
			3 + g % 4 AS ninv
		FROM (SELECT g, d + (9 + g % 8) * interval '1 hour'
				+ CASE extract(isodow FROM d) WHEN 6 THEN interval '2 days' WHEN 7 THEN interval '1 day' ELSE interval '0' END AS s
			FROM (SELECT g, date_trunc('day', $1::timestamptz) - interval '365 days' + ((g - 1) * 425 / $2) * interval '1 day' AS d
				FROM generate_series(1, $2::int) g) x) y
		UNION ALL
		SELECT $2 + h, true, s, s - interval '15 days',
			CASE WHEN h <= $3 THEN 'scheduled' ELSE 'recorded' END,
			$5, 'U0YP' || lpad(((h + 100) % $9)::text, 4, '0'), 'U0YP' || lpad(((h + 200) % $9)::text, 4, '0'), 3 + h % 4
		FROM (SELECT h, CASE WHEN h <= $3 THEN date_trunc('hour', $1::timestamptz) + (1 + h % 50) * interval '1 day' + interval '2 hours'
				ELSE date_trunc('hour', $1::timestamptz) - (4 + h % 50) * interval '1 day' END AS s
			FROM generate_series(1, $3::int + $4::int) h) z
	) c`,
	`CREATE UNIQUE INDEX ON seed_conf (g)`,

	`INSERT INTO clients (id, reference, full_name, case_manager_id, created_at)
	SELECT g, chr(65 + g % 26) || chr(65 + (g / 26) % 26) || '-' || (10000 + g),
		CASE WHEN g % 2 = 0 THEN 'Client ' || g END, cm, created_at
	FROM seed_conf`,

	`INSERT INTO consents (id, client_id, method, given_on, valid_until, no_consent_reason, decided_by, explanation,
		agency_kinds, recorded_by, recorded_at)
	SELECT g, g, method,
		CASE method WHEN 'written' THEN created_at::date - 5 WHEN 'verbal' THEN created_at::date END,
		CASE method WHEN 'written' THEN (created_at::date - 5 + interval '6 months')::date WHEN 'verbal' THEN starts_at::date + 1 END,
		CASE WHEN method = 'none' THEN 'risk_to_client' END,
		CASE WHEN method = 'none' THEN chair END,
		CASE WHEN method = 'none' THEN 'Serious concern for the client''s safety; not reachable to ask.' END,
		'{health_gp,adult_social_care,mental_health,substance_use,housing}', cm, created_at
	FROM seed_conf`,

	`INSERT INTO conferences (id, ref, client_id, consent_id, case_manager_id, chair_id, minute_taker_id, reasons, purpose,
		starts_at, duration_minutes, place, client_attends, client_absence, client_told_how, urgent, urgent_reason, status,
		cancel_reason, cm_dm_channel, cm_dm_ts, created_at, updated_at, calendar_sequence, consent_checked, consent_not_checked_why)
	SELECT g, 'CC-' || CASE WHEN g < 10000 THEN lpad(g::text, 4, '0') ELSE g::text END, g, g, cm, chair, mt,
		(ARRAY['{problem_solving,coordinating_services}', '{accommodation_move}', '{complex_health,potential_crisis}',
			'{eviction_risk}', '{safeguarding,advocacy}'])[1 + g % 5]::text[],
		'Agree a plan to keep the client safely housed and engaged with treatment.',
		starts_at, 60 + 30 * (g % 2), 'Meeting room 2, Civic Centre', g % 3 = 0,
		CASE WHEN g % 3 <> 0 THEN 'process_difficulties' END, CASE WHEN g % 3 <> 0 THEN 'By phone, by their key worker' END,
		g % 25 = 0, CASE WHEN g % 25 = 0 THEN 'Eviction notice expires this week' END, status,
		CASE WHEN status = 'cancelled' THEN 'The client has moved out of the area' END,
		'D' || cm, extract(epoch FROM created_at)::bigint || '.000100', created_at, created_at,
		CASE WHEN status = 'cancelled' THEN 1 ELSE 0 END,
		method = 'written', CASE WHEN method = 'verbal' THEN 'Verbal consent given for this meeting' END
	FROM seed_conf`,

	// Invitees: 3-6 practitioners on Slack each, and someone not on Slack
	// (a GP surgery) at one in ten.
	`CREATE TEMP TABLE seed_inv ON COMMIT DROP AS
	SELECT row_number() OVER (ORDER BY c.g, k) AS id, c.g, k, c.starts_at, c.created_at, c.status,
		CASE WHEN k <= c.ninv THEN 'U0YP' || lpad(((c.g + 11 * k) % $9)::text, 4, '0') END AS uid,
		(ARRAY['health_gp', 'adult_social_care', 'mental_health', 'substance_use', 'housing', 'probation_police'])[1 + (c.g + k) % 6] AS kind,
		CASE WHEN (c.g * 7 + k) % 8 = 0 THEN 'apologies' WHEN (c.g * 7 + k) % 8 = 1 THEN NULL ELSE 'attending' END AS answer
	FROM seed_conf c, generate_series(1, 7) k
	WHERE k <= c.ninv OR (k = 7 AND c.g % 10 = 0)`,
	`CREATE INDEX ON seed_inv (g)`,

	`INSERT INTO invitees (id, conference_id, slack_user_id, name, role, agency, agency_kind, contact, email, phone,
		dm_channel, dm_ts, invited_at)
	SELECT id, g, uid, CASE WHEN uid IS NULL THEN 'Dr Okafor' ELSE '' END, CASE WHEN uid IS NULL THEN 'GP' ELSE '' END,
		CASE kind WHEN 'health_gp' THEN 'Church Street Surgery' WHEN 'adult_social_care' THEN 'Westminster Adult Social Care'
			WHEN 'mental_health' THEN 'Community Mental Health Team' WHEN 'substance_use' THEN 'Turning Point'
			WHEN 'housing' THEN 'Housing Options' ELSE 'London Probation Service' END,
		kind, CASE WHEN uid IS NULL THEN 'reception@example.nhs.uk' ELSE '' END,
		CASE WHEN uid IS NULL THEN 'reception@example.nhs.uk' ELSE '' END, '',
		CASE WHEN uid IS NOT NULL THEN 'D' || uid END,
		CASE WHEN uid IS NOT NULL THEN extract(epoch FROM created_at)::bigint || '.' || lpad(k::text, 6, '0') END, created_at
	FROM seed_inv`,

	`INSERT INTO user_agencies (slack_user_id, agency, agency_kind, updated_at)
	SELECT DISTINCT ON (i.slack_user_id) i.slack_user_id, i.agency, i.agency_kind, i.invited_at
	FROM invitees i WHERE i.slack_user_id IS NOT NULL ORDER BY i.slack_user_id, i.id`,

	// Agreements, answers and reports, for what was called at least two
	// days before now; the one not on Slack is recorded by the case manager.
	`INSERT INTO agreement_acknowledgements (invitee_id, conference_id, slack_user_id, accepted_at, how, recorded_by)
	SELECT i.id, i.g, i.uid, i.created_at + interval '1 day',
		CASE WHEN i.uid IS NULL THEN 'email' END, CASE WHEN i.uid IS NULL THEN c.cm END
	FROM seed_inv i JOIN seed_conf c USING (g)
	WHERE i.created_at + interval '2 days' < $1 AND (i.g + i.k) % 9 <> 0`,

	`INSERT INTO responses (invitee_id, answer, responded_at, recorded_by)
	SELECT i.id, i.answer, i.created_at + interval '2 days', CASE WHEN i.uid IS NULL THEN c.cm END
	FROM seed_inv i JOIN seed_conf c USING (g)
	WHERE i.answer IS NOT NULL AND i.created_at + interval '2 days' < $1`,

	`INSERT INTO reports (id, conference_id, invitee_id, author_id, author_agency, author_role, involvement, recent_contact,
		concerns, worked, not_worked, recommendations, submitted_at, updated_at, entered_by, received_how, received_on)
	SELECT i.id, i.g, i.id, coalesce(i.uid, c.cm), iv.agency, 'Key worker',
		'Allocated worker since last spring; fortnightly visits.', 'Home visit last week.',
		'Rent arrears are growing and the client has missed two appointments.',
		'Regular contact with one named worker.', 'Letters; appointments far from home.',
		'A joint visit with housing, and a GP review of medication.',
		i.starts_at - interval '2 days', i.starts_at - interval '2 days',
		CASE WHEN i.uid IS NULL THEN c.cm END, CASE WHEN i.uid IS NULL THEN 'By e-mail' END,
		CASE WHEN i.uid IS NULL THEN (i.starts_at - interval '2 days')::date END
	FROM seed_inv i JOIN seed_conf c USING (g) JOIN invitees iv ON iv.id = i.id
	WHERE i.starts_at - interval '2 days' < $1 AND (i.g + i.k) % 9 <> 0 AND (i.answer = 'apologies' OR (i.g + i.k) % 2 = 0)`,

	`INSERT INTO report_revisions (report_id, conference_id, invitee_id, revision, author_id, author_agency, author_role,
		involvement, recent_contact, concerns, worked, not_worked, recommendations, saved_at, entered_by, received_how, received_on)
	SELECT id, conference_id, invitee_id, 1, author_id, author_agency, author_role, involvement, recent_contact, concerns,
		worked, not_worked, recommendations, updated_at, entered_by, received_how, received_on
	FROM reports`,

	// The outcomes of the conferences held, with who attended, the share
	// list (withheld from an agency the consent does not cover) and the
	// disclosure of the minutes to each.
	`INSERT INTO outcomes (conference_id, recorded_by, summary, worked, not_worked, client_views, review_on, recorded_at, updated_at, version)
	SELECT g, chair, 'Agencies agreed a joint plan: housing to hold the tenancy, the GP to review medication, weekly key-worker contact.',
		'Weekly contact with the key worker.', 'Appointments at the hospital site.', 'Wants to stay in the flat.',
		CASE WHEN g % 2 = 0 THEN (starts_at + interval '91 days')::date END,
		LEAST(starts_at + interval '3 hours', $1), LEAST(starts_at + interval '3 hours', $1), 1
	FROM seed_conf WHERE status = 'recorded'`,

	`INSERT INTO outcome_attendees (conference_id, slack_user_id, name, job_title, agency, present)
	SELECT i.g, iv.slack_user_id, iv.name, 'Key worker', iv.agency, coalesce(i.answer, '') <> 'apologies'
	FROM seed_inv i JOIN seed_conf c USING (g) JOIN invitees iv ON iv.id = i.id
	WHERE c.status = 'recorded'`,

	`INSERT INTO share_list (conference_id, slack_user_id, name, contact, withheld)
	SELECT i.g, i.uid, '', '', CASE WHEN i.kind = 'probation_police' THEN 'The client''s consent does not cover Probation / police' END
	FROM seed_inv i JOIN seed_conf c USING (g)
	WHERE c.status = 'recorded' AND i.uid IS NOT NULL`,

	`INSERT INTO disclosures (conference_id, recipient_id, part, parts, consent_id, basis, decided_by, decided_at, sent_at, version)
	SELECT s.conference_id, s.slack_user_id, 1, 1, s.conference_id,
		CASE c.method WHEN 'none' THEN 'no consent: risk of serious harm to the client; decided by ' || c.chair
			ELSE 'consent covering health_gp, adult_social_care, mental_health, substance_use, housing' END,
		c.chair, o.recorded_at, o.recorded_at + interval '1 minute', 1
	FROM share_list s JOIN seed_conf c ON c.g = s.conference_id JOIN outcomes o ON o.conference_id = s.conference_id
	WHERE s.withheld IS NULL`,

	// The action plans: the general actions round-robin over the general
	// conferences held, owned by one of their invitees on Slack (one in
	// twelve by the client); done, closed, open or overdue by their due
	// date. Then HomeUser's, open, on their held conferences.
	`CREATE TEMP TABLE seed_held ON COMMIT DROP AS
	SELECT row_number() OVER (ORDER BY g) AS r, g, home, starts_at, cm, ninv FROM seed_conf WHERE status = 'recorded'`,
	`CREATE INDEX ON seed_held (home, r)`,

	`INSERT INTO actions (conference_id, area_of_need, action, owner_slack_id, owner_name, owner_agency, owner_client,
		due_on, status, progress, done_at, done_by, closed_at, closed_by, close_reason, created_at, updated_at)
	SELECT g, area, what, owner, CASE WHEN owner IS NULL THEN 'the client' ELSE '' END, '', owner IS NULL, due_on, status,
		CASE WHEN status <> 'open' OR j % 3 = 0 THEN 'Phoned the client; appointment booked.' ELSE '' END,
		CASE WHEN status = 'done' THEN LEAST(due_on - 1 + interval '10 hours', $1) END,
		CASE WHEN status = 'done' THEN coalesce(owner, cm) END,
		CASE WHEN status = 'not_achieved' THEN LEAST(due_on + 7 + interval '10 hours', $1) END,
		CASE WHEN status = 'not_achieved' THEN cm END,
		CASE WHEN status = 'not_achieved' THEN 'The client did not attend twice.' ELSE '' END,
		created, GREATEST(created, LEAST(due_on + interval '10 hours', $1))
	FROM (
		SELECT j, h.g, h.cm, h.starts_at + interval '3 hours' AS created,
			(ARRAY['Housing', 'Physical health', 'Mental health', 'Substance use', 'Money and benefits', 'Safety'])[1 + j % 6] AS area,
			(ARRAY['Apply for a housing transfer', 'Book a GP medication review', 'Refer to the community mental health team',
				'Arrange a joint visit', 'Check the benefits claim', 'Complete a safety plan'])[1 + j % 6] AS what,
			CASE WHEN j % 12 = 0 THEN NULL ELSE 'U0YP' || lpad(((h.g + 11 * (1 + j % h.ninv)) % $9)::text, 4, '0') END AS owner,
			d AS due_on,
			CASE WHEN d >= $1::date THEN 'open'
				WHEN d >= $1::date - 14 THEN CASE WHEN j % 2 = 0 THEN 'open' ELSE 'done' END
				WHEN j % 20 = 1 THEN 'not_achieved'
				WHEN j % 10 = 2 THEN 'open'
				ELSE 'done' END AS status
		FROM generate_series(1, $6::int) j
		JOIN seed_held h ON NOT h.home AND h.r = 1 + (j - 1) % (SELECT count(*) FROM seed_held WHERE NOT home)
		CROSS JOIN LATERAL (SELECT (h.starts_at::date + 14 + (j * 7) % 60) AS d) dd
	) a`,

	`INSERT INTO actions (conference_id, area_of_need, action, owner_slack_id, due_on, created_at, updated_at)
	SELECT h.g, 'Housing', 'Chase the housing transfer, step ' || j, $5, $1::date + 1 + j % 60,
		h.starts_at + interval '3 hours', h.starts_at + interval '3 hours'
	FROM generate_series(1, $7::int) j
	JOIN seed_held h ON h.home AND h.r = (SELECT min(r) FROM seed_held WHERE home) + (j - 1) % (SELECT count(*) FROM seed_held WHERE home)`,

	// The outbox: every message those records sent, sampled evenly down
	// to $8 rows, nearly all sent; the summaries of the last $10
	// conferences called are still to go (and their case manager's DM
	// not yet posted).
	`CREATE TEMP TABLE seed_out ON COMMIT DROP AS
	SELECT * FROM (
		SELECT 'summary' AS kind, 'summary:' || c.g AS dedup_key, c.cm AS recipient_id, c.g AS conference_id, c.g AS subject_id,
			c.created_at AS at, row_number() OVER (ORDER BY c.created_at DESC, c.g DESC) <= $10 AND NOT c.home AS pending
		FROM seed_conf c WHERE c.status = 'scheduled' AND c.starts_at > $1
		UNION ALL
		SELECT 'summary', 'summary:' || c.g, c.cm, c.g, c.g, c.created_at, false
		FROM seed_conf c WHERE NOT (c.status = 'scheduled' AND c.starts_at > $1)
		UNION ALL
		SELECT 'invitation', 'invitation:' || i.id, i.uid, i.g, i.id, i.created_at, false FROM seed_inv i WHERE i.uid IS NOT NULL
		UNION ALL
		SELECT 'calendar', 'calendar:' || i.id || ':0', i.uid, i.g, i.id, i.created_at, false FROM seed_inv i WHERE i.uid IS NOT NULL
		UNION ALL
		SELECT 'cancellation', 'cancellation:' || i.id, i.uid, i.g, i.id, i.created_at + interval '5 days', false
		FROM seed_inv i WHERE i.uid IS NOT NULL AND i.status = 'cancelled' AND i.created_at + interval '5 days' < $1
		UNION ALL
		SELECT 'minutes', 'minutes:' || d.conference_id || ':' || d.recipient_id || ':1', d.recipient_id, d.conference_id, 1,
			d.decided_at, false FROM disclosures d
		UNION ALL
		SELECT 'minutes_withheld', 'minutes_withheld:' || o.conference_id, c.cm, o.conference_id, o.conference_id, o.recorded_at, false
		FROM outcomes o JOIN seed_conf c ON c.g = o.conference_id
		UNION ALL
		SELECT 'action_assigned', 'action_assigned:' || a.id, a.owner_slack_id, a.conference_id, a.id, a.created_at, false
		FROM actions a WHERE a.owner_slack_id IS NOT NULL
	) m
	ORDER BY pending DESC, md5(dedup_key)
	LIMIT $8`,

	`UPDATE conferences c SET cm_dm_channel = NULL, cm_dm_ts = NULL FROM seed_out o
	WHERE o.pending AND c.id = o.conference_id`,

	`INSERT INTO outbox (kind, dedup_key, recipient_id, conference_id, subject_id, state, not_before, attempts,
		claimed_by, claimed_at, sent_at, channel, ts, created_at)
	SELECT kind, dedup_key, recipient_id, conference_id, subject_id,
		CASE WHEN pending THEN 'pending' ELSE 'sent' END,
		CASE WHEN pending THEN LEAST(at, $1 - interval '1 minute') ELSE at END,
		CASE WHEN pending THEN 0 ELSE 1 END,
		CASE WHEN pending THEN NULL ELSE 'seed' END,
		CASE WHEN pending THEN NULL ELSE at + interval '1 second' END,
		CASE WHEN pending THEN NULL ELSE at + interval '2 seconds' END,
		CASE WHEN pending THEN NULL ELSE 'D' || recipient_id END,
		CASE WHEN pending THEN NULL ELSE extract(epoch FROM at)::bigint || '.' || lpad((subject_id % 1000000)::text, 6, '0') END,
		LEAST(at, $1 - interval '1 minute')
	FROM seed_out ORDER BY at, dedup_key`,

	`INSERT INTO audit_log (at, actor_id, action, conference_id, client_id, detail)
	SELECT created_at, cm, 'conference.create', g, g, '' FROM seed_conf
	UNION ALL
	SELECT o.recorded_at, o.recorded_by, 'outcome.record', o.conference_id, o.conference_id, 'seeded'
	FROM outcomes o`,

	`SELECT setval('clients_id_seq', (SELECT max(id) FROM clients)),
		setval('consents_id_seq', (SELECT max(id) FROM consents)),
		setval('conferences_id_seq', (SELECT max(id) FROM conferences)),
		setval('conference_ref_seq', (SELECT max(id) FROM conferences)),
		setval('invitees_id_seq', (SELECT max(id) FROM invitees)),
		setval('reports_id_seq', (SELECT coalesce(max(id), 1) FROM reports))`,

	`ANALYZE`,
}
