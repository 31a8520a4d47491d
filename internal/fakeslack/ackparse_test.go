package fakeslack

import (
	"bytes"
	"encoding/json"
	"testing"
)

// The fast reading of an ack gives what json.Unmarshal gives, or leaves
// the ack to it.
func TestAckReadAsJSONUnmarshalReadsIt(t *testing.T) {
	for i, ack := range []string{
		`{"envelope_id":"e1"}`,
		`{"envelope_id":"e1","payload":{"text":"hi","blocks":[]}}`,
		`{"envelope_id":"e1","payload":{"text":"hi"}}`, // the same payload again
		`{"envelope_id":"e1","payload":null}`,
		`{"envelope_id":"e1","payload": {"a":1} }`,
		`{"envelope_id":"e1","payload":{"a":1},"x":2}`,
		`{"envelope_id":"e1","payload":{"a":1}`,
		`{"envelope_id":"e\"1","payload":{}}`,
		`{"envelope_id":"e` + "\x01" + `","payload":{}}`,
		`{"envelope_id":"e` + "\xff" + `","payload":{}}`,
		`{"envelope_id":"","payload":{}}`,
		`{"envelope_id":"e1","payload":"text"}`,
		`{"envelope_id":"e1","payload":{"a":}}`,
		`{"payload":{},"envelope_id":"e1"}`,
	} {
		var want struct {
			EnvelopeID string          `json:"envelope_id"`
			Payload    json.RawMessage `json:"payload"`
		}
		wantErr := json.Unmarshal([]byte(ack), &want)
		id, payload, ok := parseAck([]byte(ack))
		if !ok {
			if i < 5 {
				t.Errorf("%s: not read fast; caseconf and Bolt write acks so", ack)
			}
			continue // json.Unmarshal reads it, as before
		}
		if wantErr != nil || id != want.EnvelopeID || !bytes.Equal(payload, want.Payload) {
			t.Errorf("%s: read as %q %s; json.Unmarshal: %q %s (%v)", ack, id, payload, want.EnvelopeID, want.Payload, wantErr)
		}
	}
}
