package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"syscall"
	"testing"
	"time"

	"github.com/caseconf/caseconf/internal/config"
	"github.com/caseconf/caseconf/internal/fakeslack"
	"github.com/caseconf/caseconf/internal/smtptest"
	"github.com/caseconf/caseconf/internal/testdb"
)

// `serve` killed with SIGKILL while invitations are going out, then
// started again: no invitation is lost, and any sent twice was in flight
// at the kill (each of a replica's 4 sender workers has one message in
// flight at a time).
func TestKilledWhileSendingLosesNothing(t *testing.T) {
	t.Parallel()
	dsn := testdb.New(t)
	fake := newFakeSlack(t)
	env := []string{
		runAsCaseconf + "=1", "DATABASE_URL=" + dsn, "DATABASE_MAX_CONNS=6", "SLACK_BOT_TOKEN=xoxb-test-token", "SLACK_APP_TOKEN=xapp-test-token",
		"SLACK_API_URL=" + fake.APIURL(), "HTTP_ADDR=127.0.0.1:0", "LOG_LEVEL=warn",
	}
	// Slack is slow today: each DM takes 100 ms.
	for range 40 {
		fake.FailNext("chat.postMessage", fakeslack.Failure{Delay: 100 * time.Millisecond})
	}
	invitees := make([]string, 16)
	for i := range invitees {
		invitees[i] = fmt.Sprintf("U0INV%02d", i)
	}

	child := exec.Command(os.Args[0], "serve")
	child.Env = append(os.Environ(), env...)
	var childErr syncBuffer
	child.Stderr = &childErr
	defer func() {
		if t.Failed() {
			t.Logf("child stderr:\n%s", childErr.String())
		}
	}()
	if err := child.Start(); err != nil {
		t.Fatal(err)
	}
	killed := false
	t.Cleanup(func() {
		if !killed {
			child.Process.Kill()
			child.Wait()
		}
	})
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := fake.WaitConnected(ctx); err != nil {
		t.Fatalf("the child did not connect: %v", err)
	}
	id, err := fake.Send(ctx, fakeslack.Envelope{Type: fakeslack.TypeInteractive,
		Payload: viewSubmissionPayload("U0CM", "schedule", "VKILL", "", scheduleForm().users("invitees", invitees...).
			// The child runs on the real clock.
			date("date", time.Now().AddDate(0, 1, 0).Format("2006-01-02")).
			date("consent_given", time.Now().AddDate(0, 0, -7).Format("2006-01-02")))})
	if err != nil {
		t.Fatal(err)
	}
	if ack, err := fake.WaitAck(ctx, id); err != nil || decodeMap(t, ack.Payload)["response_action"] != "clear" {
		t.Fatalf("schedule ack = %s, %v", ack.Payload, err)
	}
	if _, err := fake.WaitForCalls(ctx, "chat.postMessage", 5); err != nil {
		t.Fatal(err)
	}
	if err := child.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	child.Wait()
	killed = true
	before := len(fake.CallsTo("chat.postMessage"))
	if before >= len(invitees)+1 {
		t.Fatalf("every DM went before the kill (%d); the test needs a slower Slack", before)
	}

	// Started again (in process, with a short rescue time so the test
	// need not wait the default minute for the message in flight).
	lookup := func(k string) (string, bool) {
		for _, kv := range env {
			if len(kv) > len(k) && kv[:len(k)+1] == k+"=" {
				return kv[len(k)+1:], true
			}
		}
		return "", false
	}
	cfg := config.Read(lookup)
	if err := cfg.Validate(config.NeedServe); err != nil {
		t.Fatal(err)
	}
	m := NewMain(cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	m.OutboxStuckAfter = 2 * time.Second
	if err := m.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close() })
	a := &app{t: t, slack: fake, main: m, dsn: dsn, logs: &syncBuffer{}}
	a.waitOutboxDone(60 * time.Second)

	d := a.delivered()
	twice := 0
	for _, u := range invitees {
		switch d[u] {
		case 0:
			t.Errorf("%s's invitation was lost", u)
		case 1:
		default:
			twice++
		}
	}
	if d["U0CM"] < 1 {
		t.Error("the case manager's summary was lost")
	}
	if twice > 4 {
		t.Errorf("%d invitations sent twice; only those in flight at the kill (one per sender worker, 4) may be", twice)
	}
	t.Logf("%d DMs before the kill, %d invitations sent twice", before, twice)
}

// `serve` killed with SIGKILL while e-mails are going out to eight people
// not on Slack, then started again: no e-mail is lost, and any sent twice
// was in flight at the kill (one per sender worker, 4).
func TestKilledWhileEmailingLosesNothing(t *testing.T) {
	t.Parallel()
	dsn := testdb.New(t)
	fake := newFakeSlack(t)
	srv := smtptest.StartPlain(t)
	srv.Slow(150 * time.Millisecond) // the mail server is slow today
	env := []string{
		runAsCaseconf + "=1", "DATABASE_URL=" + dsn, "DATABASE_MAX_CONNS=6", "SLACK_BOT_TOKEN=xoxb-test-token", "SLACK_APP_TOKEN=xapp-test-token",
		"SLACK_API_URL=" + fake.APIURL(), "HTTP_ADDR=127.0.0.1:0", "LOG_LEVEL=warn",
		"CASECONF_SMTP_URL=" + srv.URL(), "CASECONF_MAIL_FROM=" + mailFrom,
	}
	child := exec.Command(os.Args[0], "serve")
	child.Env = append(os.Environ(), env...)
	var childErr syncBuffer
	child.Stderr = &childErr
	defer func() {
		if t.Failed() {
			t.Logf("child stderr:\n%s", childErr.String())
		}
	}()
	if err := child.Start(); err != nil {
		t.Fatal(err)
	}
	killed := false
	t.Cleanup(func() {
		if !killed {
			child.Process.Kill()
			child.Wait()
		}
	})
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := fake.WaitConnected(ctx); err != nil {
		t.Fatalf("the child did not connect: %v", err)
	}
	id, err := fake.Send(ctx, fakeslack.Envelope{Type: fakeslack.TypeInteractive,
		Payload: viewSubmissionPayload("U0CM", "schedule", "VKILL", "", eightOffSlack().
			date("date", time.Now().AddDate(0, 1, 0).Format("2006-01-02")).
			date("consent_given", time.Now().AddDate(0, 0, -7).Format("2006-01-02")))})
	if err != nil {
		t.Fatal(err)
	}
	if ack, err := fake.WaitAck(ctx, id); err != nil || decodeMap(t, ack.Payload)["response_action"] != "clear" {
		t.Fatalf("schedule ack = %s, %v", ack.Payload, err)
	}
	srv.Wait(t, 1, 30*time.Second)
	if err := child.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	child.Wait()
	killed = true
	before := len(srv.Messages())
	if before >= 8 {
		t.Fatalf("every e-mail went before the kill (%d); the test needs a slower mail server", before)
	}

	lookup := func(k string) (string, bool) {
		for _, kv := range env {
			if len(kv) > len(k) && kv[:len(k)+1] == k+"=" {
				return kv[len(k)+1:], true
			}
		}
		return "", false
	}
	cfg := config.Read(lookup)
	if err := cfg.Validate(config.NeedServe); err != nil {
		t.Fatal(err)
	}
	m := NewMain(cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	m.OutboxStuckAfter = 2 * time.Second
	if err := m.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close() })
	a := &app{t: t, slack: fake, main: m, dsn: dsn, logs: &syncBuffer{}}
	a.waitOutboxDone(60 * time.Second)

	got := map[string]int{}
	for _, msg := range srv.Messages() {
		got[msg.To[0]]++
	}
	twice := 0
	for i := range 8 {
		to := "person." + string(rune('a'+i)) + "@example.org"
		switch got[to] {
		case 0:
			t.Errorf("the invitation to %s was lost", to)
		case 1:
		default:
			twice++
		}
	}
	if n := a.count(`SELECT count(*) FROM outbox WHERE kind = 'email_invitation' AND state = 'sent'`); n != 8 {
		t.Errorf("%d invitation e-mails marked sent, want 8", n)
	}
	if twice > 4 {
		t.Errorf("%d e-mails sent twice; only those in flight at the kill (one per sender worker, 4) may be", twice)
	}
	t.Logf("%d e-mails before the kill, %d sent twice", before, twice)
}
