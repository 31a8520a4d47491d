package bot

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"testing"
)

// Every feature registers its names once, so the bot builds; a command,
// action, view or event name registered a second time panics instead of
// silently replacing the first handler.
func TestRegisteringANameTwicePanics(t *testing.T) {
	b := New(Options{Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	run := func(context.Context, *Request, []string) {}
	handle := func(context.Context, *Request) {}
	for name, again := range map[string]func(){
		"command":       func() { b.HandleCommand("list", "", "again", run) },
		"admin command": func() { b.HandleAdminCommand("audit", "REF", "again", run) },
		"action":        func() { b.HandleAction(actionDone, handle) },
		"view":          func() { b.HandleView(eraseCallback, handle) },
		"event":         func() { b.HandleEvent("app_home_opened", handle) },
	} {
		t.Run(name, func(t *testing.T) {
			commands := len(b.order)
			defer func() {
				if r := recover(); r == nil || !strings.Contains(fmt.Sprint(r), "registered twice") {
					t.Errorf("registering it again: recovered %v, want a panic", r)
				}
				if len(b.order) != commands {
					t.Errorf("help lists %d commands after the second registration, want %d", len(b.order), commands)
				}
			}()
			again()
		})
	}
	if c := b.commands["list"]; c == nil || c.summary == "again" {
		t.Error("the second registration replaced the first command")
	}
}
