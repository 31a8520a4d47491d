package config

import (
	"strings"
	"testing"
	"time"
)

func TestRetention(t *testing.T) {
	read := func(v string) *Config {
		env := map[string]string{"DATABASE_URL": "postgres://x@localhost/db"}
		if v != "" {
			env["CASECONF_RETENTION"] = v
		}
		return Read(func(k string) (string, bool) { s, ok := env[k]; return s, ok })
	}
	now := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	for v, want := range map[string]time.Time{
		"":    time.Date(2018, 11, 2, 9, 0, 0, 0, time.UTC),
		"8y":  time.Date(2018, 11, 2, 9, 0, 0, 0, time.UTC),
		"90d": time.Date(2026, 8, 4, 9, 0, 0, 0, time.UTC),
		" 1Y": time.Date(2025, 11, 2, 9, 0, 0, 0, time.UTC),
	} {
		c := read(v)
		if err := c.Validate(NeedDatabase); err != nil || !c.Retention.Cutoff(now).Equal(want) {
			t.Errorf("%q: cutoff %v, %v; want %v", v, c.Retention.Cutoff(now), err, want)
		}
	}
	for _, bad := range []string{"forever", "0y", "-3d", "8", "12m", "101y", "y"} {
		if err := read(bad).Validate(NeedDatabase); err == nil || !strings.Contains(err.Error(), "CASECONF_RETENTION") {
			t.Errorf("%q: %v, want an error naming CASECONF_RETENTION", bad, err)
		}
	}
}
