package bot

import (
	"context"
	"fmt"
	"strings"

	"github.com/slack-go/slack"

	"github.com/caseconf/caseconf"
)

// noConsentDPOMessage tells a data-protection lead that a conference was
// scheduled without the client's consent: the reference, the basis for
// sharing without it, who decided and who scheduled it. Nothing else
// about the client (why is in the record, for those who may see it).
func noConsentDPOMessage(c *caseconf.Conference, cal caseconf.Calendar) message {
	basis := "a recorded basis (since replaced by recorded consent)"
	if c.Consent.Method == caseconf.ConsentNone {
		basis = caseconf.NoConsentBasisLabel(c.Consent.NoConsentReason) + "\n*Decided by:* " + c.Consent.DecidedBy
	}
	text := fmt.Sprintf(":shield: *%s* (on %s) was scheduled by %s *without the client's consent*.\n*Basis for sharing without it:* %s",
		c.Ref, when(c.StartsAt, cal.Loc), user(c.CaseManagerID), escape(basis))
	return message{c.Ref + " was scheduled without consent", sections(text)}
}

// /caseconf consent CLIENTREF: the client's case manager, or an
// administrator, renews the client's consent or withdraws it (wholly, or
// for some kinds of agency) in a modal. The change applies to the
// client's conferences that are not cancelled (store.ChangeConsent);
// messages with case details to agencies no longer covered are stopped.

const viewConsent = "consent"

func (b *Bot) registerConsent() {
	b.HandleCommand("consent", "CLIENTREF", "Renew or withdraw a client's consent to share information (their case manager, or an administrator)", b.cmdConsent)
	b.HandleView(viewConsent, b.submitConsent)
}

func (b *Bot) cmdConsent(ctx context.Context, r *Request, args []string) {
	ref := strings.Join(args, " ") // a reference may hold spaces
	if ref == "" {
		r.Reply(ctx, "Usage: `/caseconf consent CLIENTREF`, e.g. `/caseconf consent JS-4411`")
		return
	}
	if msg := caseconf.CheckText(ref, 64, false); msg != "" {
		r.Reply(ctx, msg)
		return
	}
	b.withClient(ctx, r, "consent", ref)
}

// openConsent opens the consent modal for client m (one client:
// withClient), from the command or from the press that chose m.
func (b *Bot) openConsent(ctx context.Context, r *Request, m caseconf.ClientMatch) {
	current, err := b.store.ClientConsent(ctx, m.ID, b.viewer(r.UserID))
	if err != nil {
		b.replyError(ctx, r, err)
		return
	}
	r.Ack(nil)
	b.openView(ctx, r, triggerID(r), consentModal(m, current))
}

func consentModal(m caseconf.ClientMatch, current caseconf.Consent) slack.ModalViewRequest {
	ref := m.Reference
	now := "No consent is recorded."
	switch {
	case current.Method == caseconf.ConsentNone:
		now = "Meetings so far were called without consent, on the basis: " + caseconf.NoConsentBasisLabel(current.NoConsentReason) + "."
	case current.Method != "":
		now = fmt.Sprintf("Current consent: %s, given %s, valid until %s, for: %s.", current.MethodLabel(),
			current.GivenOn.Format("2 Jan 2006"), current.ValidUntil.Format("2 Jan 2006"), labels(caseconf.AgencyKinds, current.AgencyKinds))
	}
	blocks := []slack.Block{
		section(fmt.Sprintf("*Client %s*\n%s", escape(ref), escape(now))),
		input(caseconf.FieldConsentChange, "What has changed?", "",
			slack.NewRadioButtonsBlockElement(caseconf.FieldConsentChange,
				slack.NewOptionBlockObject(caseconf.ConsentRenew, plain("Consent renewed (or given afresh)"), nil),
				slack.NewOptionBlockObject(caseconf.ConsentWithdraw, plain("Consent withdrawn, wholly or for some agencies"), nil)), false),
		input(caseconf.FieldConsentMethod, "Renewal: how was consent given?",
			"Verbal consent is for one meeting: record it on that meeting's form when you call it (or its review).",
			slack.NewRadioButtonsBlockElement(caseconf.FieldConsentMethod,
				slack.NewOptionBlockObject(caseconf.ConsentWritten, plain("A signed consent form"), nil)), true),
		input(caseconf.FieldConsentGiven, "Renewal: date the form was signed", "", slack.NewDatePickerBlockElement(caseconf.FieldConsentGiven), true),
		input(caseconf.FieldConsentUntil, "Renewal: consent valid until", "Leave blank for six months after it was given",
			slack.NewDatePickerBlockElement(caseconf.FieldConsentUntil), true),
		input(caseconf.FieldAgencyKinds, "Agencies information may be shared with", "A withdrawal: tick only those still covered (none to withdraw it wholly).",
			slack.NewCheckboxGroupsBlockElement(caseconf.FieldAgencyKinds, options(caseconf.AgencyKinds)...), true),
		input(caseconf.FieldConsentWhy, "Withdrawal: one-line note", "", textInput(caseconf.FieldConsentWhy, caseconf.MaxReasonText, false, ""), true),
	}
	return slack.ModalViewRequest{
		Type: slack.VTModal, CallbackID: viewConsent, PrivateMetadata: clientMeta(m),
		Title: plain("Client consent"), Submit: plain("Record"), Close: plain("Cancel"),
		Blocks: slack.Blocks{BlockSet: blocks},
	}
}

func (b *Bot) submitConsent(ctx context.Context, r *Request) {
	ic := r.Interaction
	v := viewValues(ic)
	viewer := b.viewer(r.UserID)
	m, err := b.metaClient(ctx, ic.View.PrivateMetadata, viewer, caseconf.ClientForConsent)
	if caseconf.ErrorCode(err) == caseconf.ENOTFOUND {
		err = caseconf.ConsentNotFound()
	}
	if err != nil {
		b.ackViewError(ctx, r, err, "")
		return
	}
	ref, clientID := m.Reference, m.ID
	current, err := b.store.ClientConsent(ctx, clientID, viewer)
	if err != nil {
		b.ackViewError(ctx, r, err, "")
		return
	}
	f := caseconf.ConsentChangeForm{
		Choice: v.option(caseconf.FieldConsentChange), Method: v.option(caseconf.FieldConsentMethod),
		Given: v.get(caseconf.FieldConsentGiven).SelectedDate, Until: v.get(caseconf.FieldConsentUntil).SelectedDate,
		AgencyKinds: v.options(caseconf.FieldAgencyKinds), Why: v.text(caseconf.FieldConsentWhy),
	}
	c, errs := f.Validate(current, b.now(), b.cal)
	if errs != nil {
		r.Ack(slack.NewErrorsViewSubmissionResponse(errs))
		return
	}
	withdraw := f.Choice == caseconf.ConsentWithdraw
	done, err := b.store.ChangeConsent(ctx, clientID, viewer, c, withdraw)
	if err != nil {
		b.ackViewError(ctx, r, err, "")
		return
	}
	r.Ack(slack.NewClearViewSubmissionResponse())
	what := "renewed"
	if withdraw {
		what = "withdrawn"
		if len(c.AgencyKinds) > 0 {
			what = "narrowed to " + labels(caseconf.AgencyKinds, c.AgencyKinds)
		}
	}
	text := fmt.Sprintf(":lock: Consent for client *%s* is %s. It now applies to %d conference(s)", escape(ref), what, len(done.Conferences))
	if len(done.Conferences) > 0 {
		text += ": " + strings.Join(done.Conferences, ", ")
	}
	text += "."
	if done.Cancelled > 0 {
		text += fmt.Sprintf(" %d message(s) to agencies it no longer covers were stopped.", done.Cancelled)
	}
	b.dm(ctx, r.UserID, text)
	b.log.Info("consent changed", "user", r.UserID, "withdraw", withdraw, "conferences", len(done.Conferences), "stopped", done.Cancelled)
}
