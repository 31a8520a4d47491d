-- Consent and the client's participation, as the policy has them (issue 15 §3;
-- SPEC §1 items 2 and 3). Two separate questions replace the old form's one list
-- of "reasons to meet without consent" (which were really the policy's
-- circumstances for meeting without the client, section 6.2):
--
-- * Will the client attend? If not: conferences.client_absence, one of the
--   policy's eight circumstances (child_welfare also records, in
--   child_care_manager, the child-care manager who decided), and, as before,
--   client_told_how. The old free-text client_absence_reason stays as it was
--   typed (a note shown with migrated conferences); new conferences leave it
--   empty.
-- * Consent to share: written (a signed consent form, and this meeting's check
--   with the client: conferences.consent_checked, or consent_not_checked_why);
--   verbal (for this meeting); or none, with consents.no_consent_reason now the
--   basis for sharing without consent, consents.decided_by who decided and
--   consents.explanation why.
--
-- Every existing conference keeps its meaning (docs/information-governance.md
-- says the same):
--
-- old consent                          new consent                                   absence (if the client was not attending)
-- written                              written; this meeting's check "not asked"     not set: the old free-text reason is kept
-- verbal                               verbal (for this meeting), dates unchanged    not set: the old free-text reason is kept
-- none, cannot_locate_welfare          none, cannot_be_found_welfare                 cannot_locate_welfare
-- none, lacks_capacity                 none, lacks_capacity_best_interests           not_capable
-- none, risk_of_violence               none, risk_to_others                          risk_of_violence
-- none, professionals_only             none, none_recorded (no basis was recorded)   professionals_only
-- none, prison_or_hospital_agreed      verbal (for this meeting): the client agreed  institution_permission
--
-- * prison_or_hospital_agreed said the client agreed: that is consent, not its
--   absence. It becomes verbal consent given on the day it was recorded, valid
--   for the usual six months and at least to the meeting's day, covering the
--   kinds of agency recorded then; the old explanation stays with it.
-- * risk_of_violence was the policy's 6.2.5 (a risk of violent behaviour at
--   the meeting); as a basis for sharing without consent it is a risk of
--   serious harm to others.
-- * professionals_only (6.2.6) is no basis for sharing without consent, and
--   none was recorded: none_recorded says exactly that. No form offers it.
-- * A migrated conference without consent says who decided as "recorded
--   before <the day of this migration> by <the Slack user who recorded it>";
--   the old explanation is its why.
-- * The old form asked nothing about this meeting's check with the client:
--   written consent says "not asked" rather than inventing a tick.
-- * An attending client keeps no absence, whatever the old reason said.

ALTER TABLE conferences
    ADD COLUMN client_absence text CHECK (client_absence IN
        ('cannot_locate_welfare', 'institution_permission', 'not_capable', 'intoxicated_permission',
         'risk_of_violence', 'professionals_only', 'process_difficulties', 'child_welfare')),
    ADD COLUMN child_care_manager text,
    ADD COLUMN consent_checked boolean NOT NULL DEFAULT false,
    ADD COLUMN consent_not_checked_why text;

ALTER TABLE consents ADD COLUMN decided_by text;
ALTER TABLE consents DROP CONSTRAINT consents_no_consent_reason_check;

-- The absence, from the old reason, for clients not attending.
UPDATE conferences c SET client_absence = CASE k.no_consent_reason
        WHEN 'cannot_locate_welfare' THEN 'cannot_locate_welfare'
        WHEN 'lacks_capacity' THEN 'not_capable'
        WHEN 'risk_of_violence' THEN 'risk_of_violence'
        WHEN 'professionals_only' THEN 'professionals_only'
        WHEN 'prison_or_hospital_agreed' THEN 'institution_permission'
    END
    FROM consents k
    WHERE k.id = c.consent_id AND k.method = 'none' AND NOT c.client_attends;

-- Written consent: this meeting's check was not asked.
UPDATE conferences c SET consent_not_checked_why =
        'Not asked: recorded before ' || to_char(current_date, 'YYYY-MM-DD') || ', when the form did not ask for this meeting''s check with the client'
    FROM consents k
    WHERE k.id = c.consent_id AND k.method = 'written';

-- "In prison or hospital and agreed": verbal consent for this meeting.
UPDATE consents k SET method = 'verbal', no_consent_reason = NULL,
        given_on = k.recorded_at::date,
        valid_until = GREATEST((k.recorded_at::date + interval '6 months')::date,
            coalesce((SELECT max(c.starts_at)::date FROM conferences c WHERE c.consent_id = k.id), k.recorded_at::date))
    WHERE k.method = 'none' AND k.no_consent_reason = 'prison_or_hospital_agreed';

-- The other reasons: the basis for sharing without consent, and who decided.
UPDATE consents k SET no_consent_reason = CASE k.no_consent_reason
        WHEN 'cannot_locate_welfare' THEN 'cannot_be_found_welfare'
        WHEN 'lacks_capacity' THEN 'lacks_capacity_best_interests'
        WHEN 'risk_of_violence' THEN 'risk_to_others'
        WHEN 'professionals_only' THEN 'none_recorded'
    END,
        decided_by = 'recorded before ' || to_char(current_date, 'YYYY-MM-DD') || ' by ' || k.recorded_by
    WHERE k.method = 'none';

ALTER TABLE consents ADD CONSTRAINT consents_no_consent_basis_check CHECK (no_consent_reason IN
    ('risk_to_client', 'risk_to_others', 'lacks_capacity_best_interests', 'cannot_be_found_welfare', 'legal_duty',
     'none_recorded'));
ALTER TABLE consents ADD CONSTRAINT consents_decided_by_check CHECK (method <> 'none' OR decided_by IS NOT NULL);
ALTER TABLE conferences ADD CONSTRAINT conferences_absence_check CHECK (client_absence IS NULL OR NOT client_attends);
ALTER TABLE conferences ADD CONSTRAINT conferences_child_care_manager_check
    CHECK (client_absence IS DISTINCT FROM 'child_welfare' OR child_care_manager IS NOT NULL);
