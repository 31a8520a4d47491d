package fakeslack

import (
	"encoding/json"
	"testing"
)

// WaitAck answers with the first ack of an envelope even when the client acks
// it again, and Acks keeps both.
func TestWaitAckReturnsFirstOfRepeatedAcks(t *testing.T) {
	fake := newFake(t)
	ctx := testContext(t)
	smc, events := socketClient(t, fake)
	id, err := fake.Send(ctx, Envelope{Type: TypeSlashCommands, Payload: SlashCommand("U1", "C1", "x")})
	if err != nil {
		t.Fatal(err)
	}
	evt := nextEvent(t, ctx, events)
	smc.Ack(*evt.Request, map[string]string{"text": "first"})
	smc.Ack(*evt.Request, map[string]string{"text": "second"})
	if err := fake.waitFor(ctx, func() bool { return len(fake.acks) == 2 }); err != nil {
		t.Fatalf("got %d acks, want 2: %v", len(fake.Acks()), err)
	}
	ack, err := fake.WaitAck(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	var payload map[string]string
	if err := json.Unmarshal(ack.Payload, &payload); err != nil || payload["text"] != "first" {
		t.Errorf("WaitAck payload %s (%v), want the first ack's", ack.Payload, err)
	}
}
