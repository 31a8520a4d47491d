package bot

import (
	"slices"
	"testing"

	"github.com/caseconf/caseconf/internal/metrics"
)

// The series /metrics creates at start-up cover every kind of delivery
// the bot counts.
func TestMetricsKnowEveryDeliveryKind(t *testing.T) {
	for _, k := range []Kind{KindCommand, KindInteractive, KindEvent} {
		if !slices.Contains(metrics.DeliveryKinds, string(k)) {
			t.Errorf("metrics.DeliveryKinds lacks %q", k)
		}
	}
}
