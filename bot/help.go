package bot

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/slack-go/slack"
)

// helpText lists every registered subcommand, one line each.
func (b *Bot) helpText() string {
	var sb strings.Builder
	sb.WriteString("*caseconf* runs multi-agency case conferences. Commands:\n")
	for _, name := range b.order {
		c := b.commands[name]
		if c.admin {
			continue // administrators' commands are not shown to anyone
		}
		usage := "/caseconf " + c.name
		if c.args != "" {
			usage += " " + c.args
		}
		fmt.Fprintf(&sb, "• `%s` — %s\n", usage, c.summary)
	}
	return strings.TrimRight(sb.String(), "\n")
}

func (b *Bot) registerHelp() {
	b.HandleCommand("help", "", "Show this list of commands", b.cmdHelp)
	b.commands["help"].answer = func() json.RawMessage { return b.helpAnswer().raw }
}

// cmdHelp answers help when Dispatch has not already answered it inline
// (only if its answer could not be encoded).
func (b *Bot) cmdHelp(ctx context.Context, r *Request, _ []string) {
	text := b.helpAnswer().text
	r.Reply(ctx, text, section(text))
}

// helpAnswer is help's answer, encoded (raw nil if it could not be). It
// only changes when a command is registered, so it is encoded once: help is
// the one answer that needs nothing but itself.
func (b *Bot) helpAnswer() *helpReply {
	cached := b.help.Load()
	if cached == nil || cached.commands != len(b.order) {
		text := b.helpText()
		raw, err := json.Marshal(ephemeral{ResponseType: slack.ResponseTypeEphemeral, Text: text, Blocks: []slack.Block{section(text)}})
		if err != nil {
			raw = nil
		}
		cached = &helpReply{commands: len(b.order), text: text, raw: raw}
		b.help.Store(cached)
	}
	return cached
}

// helpReply is help's answer, encoded, for the number of commands it lists.
type helpReply struct {
	commands int
	text     string
	raw      json.RawMessage
}

// unknownCommand answers a subcommand we do not have with help. The unknown
// word is not echoed back: it may be a client's name typed in the wrong
// place, and Slack keeps ephemeral replies in the channel view.
func (b *Bot) unknownCommand(ctx context.Context, r *Request) {
	text := "I don't know that command.\n" + b.helpText()
	r.Reply(ctx, text, slack.NewSectionBlock(slack.NewTextBlockObject(slack.MarkdownType, text, false, false), nil, nil))
}
