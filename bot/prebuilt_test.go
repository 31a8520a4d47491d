package bot

import (
	"bytes"
	"encoding/json"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/slack-go/slack"
)

// The prebuilt scheduling form is, for every caller and date, what
// json.Marshal makes of the form scheduleModal builds: the same JSON value
// and the same bytes, and the views.open body is the one slack-go's
// OpenViewContext posts.
func TestPrebuiltScheduleFormIsTheBuiltForm(t *testing.T) {
	callers := []string{"U0CM", "U012ABCDEF", "W0ENTERPRISE1", "UAAAAAAAAAAAAAAAAAAAA", prebuiltCaller}
	dates := []time.Time{
		time.Date(2026, 11, 16, 0, 0, 0, 0, time.UTC),
		time.Date(2026, 11, 17, 0, 0, 0, 0, time.UTC),
		time.Date(2027, 1, 4, 15, 30, 0, 0, time.FixedZone("X", 3600)),
		time.Date(2026, 11, 16, 0, 0, 0, 0, time.UTC), // back to an earlier date
	}
	var c formCache
	for _, d := range dates {
		for _, caller := range callers {
			got, ok := c.scheduleViewJSON(caller, d)
			if !ok {
				t.Fatalf("%s on %s: not prebuilt", caller, d)
			}
			want, err := json.Marshal(scheduleModal(caller, d))
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("%s on %s: the prebuilt bytes differ from json.Marshal", caller, d)
			}
			var gotV, wantV any
			if err := json.Unmarshal(got, &gotV); err != nil {
				t.Fatalf("%s on %s: prebuilt form is not JSON: %v", caller, d, err)
			}
			_ = json.Unmarshal(want, &wantV)
			if !reflect.DeepEqual(gotV, wantV) {
				t.Errorf("%s on %s: the prebuilt form is a different JSON value", caller, d)
			}

			const trigger = "12345.98765.abcd<&>\u2028"
			slackGo, err := json.Marshal(struct {
				TriggerID string                 `json:"trigger_id"`
				View      slack.ModalViewRequest `json:"view"`
			}{trigger, scheduleModal(caller, d)})
			if err != nil {
				t.Fatal(err)
			}
			if body := viewsOpenBody(trigger, got); !bytes.Equal(body, slackGo) {
				t.Errorf("%s on %s: views.open body differs from slack-go's", caller, d)
			}
		}
	}
}

// A caller that is not written like a Slack user ID is not spliced into
// the encoded form (it might need escaping): the form is built as before.
func TestPrebuiltScheduleFormRefusesOddCallers(t *testing.T) {
	var c formCache
	d := time.Date(2026, 11, 16, 0, 0, 0, 0, time.UTC)
	for _, caller := range []string{"", "u0lower", "U0CM\"", "U0CM</script>", "B0BOT", "U0", "U0CM "} {
		if _, ok := c.scheduleViewJSON(caller, d); ok {
			t.Errorf("%q was spliced into the prebuilt form", caller)
		}
	}
}

// The form is built once per date, whoever asks and however many at once.
func TestPrebuiltScheduleFormBuiltOncePerDate(t *testing.T) {
	var c formCache
	d := time.Date(2026, 11, 16, 9, 0, 0, 0, time.UTC)
	if _, ok := c.scheduleViewJSON("U0A", d); !ok {
		t.Fatal("not prebuilt")
	}
	first := c.cur.Load()
	var wg sync.WaitGroup
	for i := range 16 {
		wg.Go(func() {
			caller := "U0CALLER" + string(rune('A'+i))
			got, ok := c.scheduleViewJSON(caller, d.Add(time.Duration(i)*time.Minute)) // same day
			want, _ := json.Marshal(scheduleModal(caller, d))
			if !ok || !bytes.Equal(got, want) {
				t.Errorf("%s: wrong form", caller)
			}
		})
	}
	wg.Wait()
	if c.cur.Load() != first {
		t.Error("the form was rebuilt for the same date")
	}
	next := d.AddDate(0, 0, 1)
	if _, ok := c.scheduleViewJSON("U0A", next); !ok || c.cur.Load() == first || c.cur.Load().date != "2026-11-17" {
		t.Error("the form was not rebuilt for a new date")
	}
}
