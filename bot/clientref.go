package bot

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/slack-go/slack"

	"github.com/caseconf/caseconf"
)

// One client is one person (caseconf.ResolveClient). The commands that
// name a client by reference (consent, client, subject-access, erase)
// resolve it to exactly one client the caller may know of before they
// read, send or erase anything: the caller's own client first; where
// clients of different case managers share it, the caller (in practice an
// administrator) is asked which, by case manager and date of first
// conference, with a button each. The button carries the client's number;
// its press checks it again (still there, still theirs to know of) and
// runs the command for exactly that client.

// clientChoiceAction is the action_id prefix of the choice buttons:
// "clientpick:COMMAND:N" (N only keeps action IDs distinct).
const clientChoiceAction = "clientpick"

// maxClientChoices is how many clients one choice lists (a message holds
// 50 blocks).
const maxClientChoices = 40

// clientCommand is what a command does once its reference names one
// client.
type clientCommand struct {
	use      caseconf.ClientUse
	notFound func(ctx context.Context, r *Request) // the answer to a reference that is not there
	run      func(ctx context.Context, r *Request, m caseconf.ClientMatch)
}

func (b *Bot) registerClientChoice() {
	b.HandleAction(clientChoiceAction, b.actClientChoice)
}

// clientCommand is the command name's, if it takes a client reference.
func (b *Bot) clientCommand(name string) (clientCommand, bool) {
	noClient := func(ctx context.Context, r *Request) { r.Reply(ctx, "No client has that reference.") }
	switch name {
	case "consent":
		return clientCommand{caseconf.ClientForConsent,
			func(ctx context.Context, r *Request) { b.replyError(ctx, r, caseconf.ConsentNotFound()) }, b.openConsent}, true
	case "client":
		return clientCommand{caseconf.ClientForChronology,
			func(ctx context.Context, r *Request) { b.replyError(ctx, r, caseconf.NotFound()) }, b.showChronology}, true
	case "subject-access":
		return clientCommand{caseconf.ClientForGovernance, noClient, b.subjectAccess}, true
	case "erase":
		return clientCommand{caseconf.ClientForGovernance, noClient, b.openErase}, true
	}
	return clientCommand{}, false
}

// withClient resolves ref for command name and runs the command on the one
// client it names; where it names several the caller may know of, it
// answers with the choice and does nothing else.
func (b *Bot) withClient(ctx context.Context, r *Request, name, ref string) {
	cmd, ok := b.clientCommand(name)
	if !ok {
		panic("bot: no client command " + name)
	}
	v := b.viewer(r.UserID)
	matches, err := b.store.FindClients(ctx, ref, v, cmd.use)
	if err != nil {
		b.replyError(ctx, r, err)
		return
	}
	res := caseconf.ResolveClient(matches, v)
	switch {
	case res.Client != nil:
		cmd.run(ctx, r, *res.Client)
	case len(res.Choices) > 0:
		if err := b.store.ClientChoiceShown(ctx, v, cmd.use, res.Choices); err != nil {
			b.replyError(ctx, r, err)
			return
		}
		msg := clientChoiceMessage(name, res.Choices[0].Reference, res.Choices, b.cal)
		r.Reply(ctx, msg.Text, msg.Blocks...)
	default:
		cmd.notFound(ctx, r)
	}
}

// clientChoiceMessage asks which of choices (clients sharing a reference)
// the caller means for command name: each by case manager and date of
// first conference, with a button.
func clientChoiceMessage(name, ref string, choices []caseconf.ClientMatch, cal caseconf.Calendar) message {
	blocks := []slack.Block{section(fmt.Sprintf(":busts_in_silhouette: *%d clients have the reference %s.* Which one do you mean? "+
		"Nothing is read, sent or erased until you choose.", len(choices), escape(ref)))}
	for i, m := range choices {
		if i == maxClientChoices {
			blocks = append(blocks, note(fmt.Sprintf("…and %d more: ask their case managers to tell their references apart.", len(choices)-i)))
			break
		}
		first := "no conference yet"
		if !m.FirstConference.IsZero() {
			first = "first conference " + m.FirstConference.In(cal.Loc).Format("2 Jan 2006")
		}
		s := section(fmt.Sprintf("Client of %s · %s", user(m.CaseManagerID), first))
		s.Accessory = slack.NewAccessory(button(fmt.Sprintf("%s:%s:%d", clientChoiceAction, name, i), strconv.FormatInt(m.ID, 10), "This one", ""))
		blocks = append(blocks, s)
	}
	return message{Text: "Which client " + ref + " do you mean?", Blocks: blocks}
}

// actClientChoice runs a command for the client chosen: checked again
// now, as the command itself would (an administrator's command for an
// administrator only, consent for their case manager or an
// administrator). A client gone meanwhile reads as not there.
func (b *Bot) actClientChoice(ctx context.Context, r *Request) {
	// A press is acknowledged empty: what it answers goes by response_url
	// (Request.Reply), and a form opens with the press's trigger.
	r.Ack(nil)
	act := r.Interaction.ActionCallback.BlockActions[0]
	parts := strings.Split(act.ActionID, ":")
	id, err := strconv.ParseInt(act.Value, 10, 64)
	var cmd clientCommand
	ok := len(parts) == 3 && err == nil
	if ok {
		cmd, ok = b.clientCommand(parts[1])
	}
	if !ok {
		return
	}
	v := b.viewer(r.UserID)
	if cmd.use == caseconf.ClientForGovernance && caseconf.CanGovern(v) != nil {
		return // to anyone else the command does not exist
	}
	m, err := b.store.ClientByID(ctx, id, v, cmd.use)
	if caseconf.ErrorCode(err) == caseconf.ENOTFOUND {
		cmd.notFound(ctx, r)
		return
	}
	if err != nil {
		b.replyError(ctx, r, err)
		return
	}
	cmd.run(ctx, r, m)
}

// triggerID is the trigger a modal opens with: the command's or the
// button press's.
func triggerID(r *Request) string {
	switch {
	case r.Command != nil:
		return r.Command.TriggerID
	case r.Interaction != nil:
		return r.Interaction.TriggerID
	}
	return ""
}

// clientMeta is a modal's private metadata naming one client: its number
// and its reference.
func clientMeta(m caseconf.ClientMatch) string {
	return "#" + strconv.FormatInt(m.ID, 10) + ":" + m.Reference
}

// metaClient is the client a modal's private metadata names, checked
// again for v and use. A form opened before clients were named by number
// holds the reference alone: it is resolved as the command would, and
// where it names more than one client the user is asked to start again.
func (b *Bot) metaClient(ctx context.Context, meta string, v caseconf.Viewer, use caseconf.ClientUse) (caseconf.ClientMatch, error) {
	if rest, ok := strings.CutPrefix(meta, "#"); ok {
		num, _, _ := strings.Cut(rest, ":")
		id, err := strconv.ParseInt(num, 10, 64)
		if err != nil {
			return caseconf.ClientMatch{}, caseconf.NotFound()
		}
		return b.store.ClientByID(ctx, id, v, use)
	}
	matches, err := b.store.FindClients(ctx, meta, v, use)
	if err != nil {
		return caseconf.ClientMatch{}, err
	}
	res := caseconf.ResolveClient(matches, v)
	switch {
	case res.Client != nil:
		return *res.Client, nil
	case len(res.Choices) > 0:
		return caseconf.ClientMatch{}, caseconf.Errorf(caseconf.ECONFLICT,
			"More than one client has that reference: please close this form and run the command again, then choose which client you mean.")
	}
	return caseconf.ClientMatch{}, caseconf.NotFound()
}
