package bot

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/slack-go/slack"
)

// openView opens a modal, telling the user if Slack will not (an expired
// trigger, say).
func (b *Bot) openView(ctx context.Context, r *Request, triggerID string, view slack.ModalViewRequest) {
	if _, err := b.api.OpenViewContext(ctx, triggerID, view); err != nil {
		b.log.Warn("could not open a modal", "callback", view.CallbackID, "err", err)
		r.Reply(ctx, "Sorry, Slack would not open the form just now. Please try again.")
	}
}

// updateView replaces the open modal a block action came from (an Add row
// or Remove button, say) with view, keeping what the user has typed in
// inputs whose block IDs stay the same. The view's hash makes Slack refuse
// the update if the modal changed meanwhile (two quick clicks), so an
// older picture never replaces a newer one; the user is told to try again.
// Form state that is not in an input (rows added so far) belongs in
// view.PrivateMetadata (encodeState).
func (b *Bot) updateView(ctx context.Context, r *Request, view slack.ModalViewRequest) error {
	cur := r.Interaction.View
	if cur.ID == "" {
		return fmt.Errorf("update view: the action did not come from a modal")
	}
	_, err := b.api.UpdateViewContext(ctx, view, "", cur.Hash, cur.ID)
	if err != nil {
		b.log.Warn("could not update a modal", "callback", view.CallbackID, "err", err)
		if r.UserID != "" {
			b.dm(ctx, r.UserID, "Sorry, that form changed while we were updating it. Please press the button again.")
		}
	}
	return err
}

// dm sends a private message to a user straight away (not through the
// database, which may be what failed): in as many messages as its blocks
// need, in order, so nothing is left out.
func (b *Bot) dm(ctx context.Context, userID, text string, blocks ...slack.Block) {
	msgs := pack(blocks)
	if len(msgs) == 0 {
		msgs = [][]slack.Block{nil}
	}
	for _, part := range msgs {
		opts := []slack.MsgOption{slack.MsgOptionText(text, false)}
		if len(part) > 0 {
			opts = append(opts, slack.MsgOptionBlocks(part...))
		}
		if _, _, err := b.api.PostMessageContext(ctx, userID, opts...); err != nil {
			b.log.Warn("could not DM a user", "user", userID, "err", err)
			return
		}
	}
}

// lateAnswer is called when a handler answers a delivery after its ack
// went empty (it missed Slack's deadline). A slash command or a click has
// already been answered by response_url (Request.Reply). A view submission
// has no response_url: Slack closed the form when the empty ack went, so
// an error meant for it would vanish, and with it what the user typed.
// They are told by DM what went wrong, and given back what they typed.
func (b *Bot) lateAnswer(r *Request, payload any) {
	if done, ok := payload.(doneResponse); ok {
		b.lateSuccess(r, done)
		return
	}
	resp, ok := payload.(*slack.ViewSubmissionResponse)
	if !ok || r.Interaction == nil || r.Interaction.Type != slack.InteractionTypeViewSubmission || r.UserID == "" {
		return
	}
	if resp.ResponseAction == slack.RAClear || resp.ResponseAction == "" {
		return // it worked; closing the form was right
	}
	view := r.Interaction.View
	title := "your form"
	if view.Title != nil && view.Title.Text != "" {
		title = "*" + escape(view.Title.Text) + "*"
	}
	var problems []string
	switch resp.ResponseAction {
	case slack.RAErrors:
		keys := make([]string, 0, len(resp.Errors))
		for k := range resp.Errors {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			problems = append(problems, "• "+escape(fieldLabel(&view, k))+": "+escape(resp.Errors[k]))
		}
	case slack.RAUpdate, slack.RAPush:
		if resp.View != nil {
			for _, bl := range resp.View.Blocks.BlockSet {
				if s, ok := bl.(*slack.SectionBlock); ok && s.Text != nil {
					problems = append(problems, s.Text.Text)
				}
			}
		}
	}
	text := fmt.Sprintf(":warning: Slack closed %s before we could finish with it, so *it may not have been saved*. Before filling it in again, check whether it was (for a conference, `/caseconf list`).", title)
	if len(problems) > 0 {
		text += "\n" + strings.Join(problems, "\n")
	}
	blocks := sections(text)
	if typed := typedValues(&view); len(typed) > 0 {
		blocks = append(blocks, lineSections("*Here is what you typed, so nothing is lost.* Please open the form again and copy it back:", typed)...)
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(b.work), lateAnswerTimeout)
	defer cancel()
	b.log.Warn("form answered after Slack closed it; told the user by DM", "callback", view.CallbackID, "user", r.UserID)
	b.dm(ctx, r.UserID, "Your form was not saved", blocks...)
}

// doneResponse is a view submission's answer that says it worked while
// replacing the form (with what was done), rather than closing it: it is
// sent to Slack as the response it holds. Answered late, its text reaches
// the user by DM as it is: it worked, and nothing needs doing again.
type doneResponse struct{ *slack.ViewSubmissionResponse }

func (b *Bot) lateSuccess(r *Request, done doneResponse) {
	if r.UserID == "" || done.View == nil {
		return
	}
	var blocks []slack.Block
	for _, bl := range done.View.Blocks.BlockSet {
		if s, ok := bl.(*slack.SectionBlock); ok && s.Text != nil {
			blocks = append(blocks, bl)
		}
	}
	if len(blocks) == 0 {
		return
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(b.work), lateAnswerTimeout)
	defer cancel()
	b.log.Info("form answered after Slack closed it; told the user it worked by DM", "callback", r.Interaction.View.CallbackID, "user", r.UserID)
	b.dm(ctx, r.UserID, "Done: "+plainOf(blocks[0]), blocks...)
}

// plainOf is a section's text, for a notification: its first line.
func plainOf(b slack.Block) string {
	s, _ := b.(*slack.SectionBlock)
	if s == nil || s.Text == nil {
		return ""
	}
	line, _, _ := strings.Cut(s.Text.Text, "\n")
	return strings.NewReplacer("*", "", "_", "", ":white_check_mark: ", "", ":memo: ", "").Replace(line)
}

// maxMessageBlocks is Slack's limit on blocks in one message.
const maxMessageBlocks = 50

// typedValues lists what a submitted modal held, field by field, in the
// modal's order, as mrkdwn lines safe to show (the user's own text,
// escaped).
func typedValues(view *slack.View) []string {
	if view.State == nil {
		return nil
	}
	var order []string
	seen := map[string]bool{}
	for _, bl := range view.Blocks.BlockSet {
		if in, ok := bl.(*slack.InputBlock); ok && in.BlockID != "" {
			order = append(order, in.BlockID)
			seen[in.BlockID] = true
		}
	}
	var rest []string
	for id := range view.State.Values {
		if !seen[id] {
			rest = append(rest, id)
		}
	}
	sort.Strings(rest)
	var lines []string
	for _, id := range append(order, rest...) {
		for _, a := range view.State.Values[id] {
			v := actionValue(a)
			if v == "" {
				continue
			}
			label := escape(fieldLabel(view, id))
			if strings.Contains(v, "\n") {
				lines = append(lines, "*"+label+":*\n>"+strings.ReplaceAll(v, "\n", "\n>"))
			} else {
				lines = append(lines, "*"+label+":* "+v)
			}
		}
	}
	return lines
}

// actionValue is one input's value as safe mrkdwn.
func actionValue(a slack.BlockAction) string {
	var parts []string
	switch {
	case a.Value != "":
		parts = append(parts, escape(a.Value))
	case a.SelectedDate != "":
		parts = append(parts, escape(a.SelectedDate))
	case a.SelectedTime != "":
		parts = append(parts, escape(a.SelectedTime))
	case a.SelectedUser != "":
		parts = append(parts, user(escape(a.SelectedUser)))
	case len(a.SelectedUsers) > 0:
		for _, u := range a.SelectedUsers {
			parts = append(parts, user(escape(u)))
		}
	case a.SelectedOption.Value != "":
		parts = append(parts, optionText(a.SelectedOption))
	case len(a.SelectedOptions) > 0:
		for _, o := range a.SelectedOptions {
			parts = append(parts, optionText(o))
		}
	}
	return strings.Join(parts, ", ")
}

func optionText(o slack.OptionBlockObject) string {
	if o.Text != nil && o.Text.Text != "" {
		return escape(o.Text.Text)
	}
	return escape(o.Value)
}

// fieldLabel is the label of the input block id in view, or the ID made
// readable when the view did not come with its blocks.
func fieldLabel(view *slack.View, id string) string {
	for _, bl := range view.Blocks.BlockSet {
		if in, ok := bl.(*slack.InputBlock); ok && in.BlockID == id && in.Label != nil {
			return in.Label.Text
		}
	}
	s := strings.ReplaceAll(id, "_", " ")
	if s == "" {
		return "field"
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
