package bot

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"testing"

	"github.com/slack-go/slack"

	"github.com/caseconf/caseconf/internal/fakeslack"
)

func rowsView(n int) slack.ModalViewRequest {
	var blocks []slack.Block
	for i := 1; i <= n; i++ {
		blocks = append(blocks, section(fmt.Sprintf("Row %d", i)))
	}
	blocks = append(blocks, slack.NewActionBlock("add", button("addrow", "x", "Add", "")))
	return slack.ModalViewRequest{Type: slack.VTModal, CallbackID: "rows", Title: plain("Rows"),
		PrivateMetadata: fmt.Sprint(n), Blocks: slack.Blocks{BlockSet: blocks}}
}

// TestUpdateViewKeepsTheNewestPicture: the helper for modals that change
// as the user works in them (Add action, Remove) updates the open modal
// with its hash, so a click on an outdated picture is refused by Slack and
// the user is asked to press again rather than an older picture winning.
func TestUpdateViewKeepsTheNewestPicture(t *testing.T) {
	fake := fakeslack.New()
	defer fake.Close()
	defer func() {
		for _, r := range fake.Refusals() {
			t.Errorf("Slack would refuse this: %s", r)
		}
	}()
	api := slack.New("xoxb-test", slack.OptionAPIURL(fake.APIURL()))
	b := New(Options{API: api, Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	ctx := context.Background()
	opened, err := api.OpenViewContext(ctx, "trig-1", rowsView(1))
	if err != nil {
		t.Fatal(err)
	}
	click := &Request{Kind: KindInteractive, UserID: "U0CM", Interaction: &slack.InteractionCallback{
		Type: slack.InteractionTypeBlockActions, View: slack.View{ID: opened.ID, Hash: opened.Hash}}}

	if err := b.updateView(ctx, click, rowsView(2)); err != nil {
		t.Fatalf("first update: %v", err)
	}
	up := fake.CallsTo("views.update")
	if len(up) != 1 || up[0].Params.Get("hash") != opened.Hash || up[0].Params.Get("view_id") != opened.ID || !strings.Contains(up[0].Params.Get("view"), "Row 2") {
		t.Fatalf("views.update calls = %+v, want one with the view's ID and hash and two rows", up)
	}
	if err := b.updateView(ctx, click, rowsView(2)); err == nil {
		t.Fatal("an update from an outdated picture was accepted")
	}
	dms := fake.CallsTo("chat.postMessage")
	if len(dms) != 1 || dms[0].Params.Get("channel") != "U0CM" || !strings.Contains(dms[0].Params.Get("text"), "press the button again") {
		t.Fatalf("DMs = %+v, want the user asked to press again", dms)
	}
	if err := b.updateView(ctx, &Request{Interaction: &slack.InteractionCallback{}}, rowsView(2)); err == nil {
		t.Fatal("an update with no modal to update was accepted")
	}
}
