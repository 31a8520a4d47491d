package fakeslack

import (
	"context"
	"testing"
	"time"
)

func TestOutageDropRefuseAndRecover(t *testing.T) {
	fake := newFake(t)
	ctx := testContext(t)
	socketClient(t, fake)
	if err := fake.WaitConnected(ctx); err != nil {
		t.Fatal(err)
	}
	fake.RefuseSocketMode()
	if n := fake.DropConnections(); n != 1 {
		t.Fatalf("dropped %d connections, want 1", n)
	}
	// The client notices, tries apps.connections.open and is refused.
	before := len(fake.CallsTo("apps.connections.open"))
	if _, err := fake.WaitForCalls(ctx, "apps.connections.open", before+1); err != nil {
		t.Fatal(err)
	}
	short, cancel := context.WithTimeout(ctx, 300*time.Millisecond)
	defer cancel()
	if err := fake.WaitConnected(short); err == nil {
		t.Fatal("client connected while Socket Mode was refused")
	}

	fake.AcceptSocketMode()
	if err := fake.WaitConnections(ctx, 2); err != nil {
		t.Fatalf("client did not reconnect once Socket Mode was accepted: %v", err)
	}
	if n := fake.Connections(); n != 2 {
		t.Fatalf("connections = %d, want 2 (one before, one after the outage)", n)
	}
}
