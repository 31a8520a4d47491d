package config

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/caseconf/caseconf"
)

func env(m map[string]string) Lookup {
	return func(k string) (string, bool) { v, ok := m[k]; return v, ok }
}

func valid() map[string]string {
	return map[string]string{
		"DATABASE_URL":    "postgres://u@localhost/caseconf?sslmode=disable",
		"SLACK_BOT_TOKEN": "xoxb-123-secretpart",
		"SLACK_APP_TOKEN": "xapp-1-secretpart",
	}
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name    string
		change  map[string]string
		need    Need
		wantVar string // "" means valid
	}{
		{"ValidSocketMode", nil, NeedServe, ""},
		{"ValidHTTPModeOnly", map[string]string{"SLACK_APP_TOKEN": "", "SLACK_SIGNING_SECRET": "abc"}, NeedServe, ""},
		{"MissingDatabaseURL", map[string]string{"DATABASE_URL": ""}, NeedServe, "DATABASE_URL"},
		{"DatabaseURLNotPostgres", map[string]string{"DATABASE_URL": "mysql://x"}, NeedDatabase, "DATABASE_URL"},
		{"UserTokenRefused", map[string]string{"SLACK_BOT_TOKEN": "xoxp-wrong"}, NeedServe, "SLACK_BOT_TOKEN"},
		{"MissingBotToken", map[string]string{"SLACK_BOT_TOKEN": ""}, NeedServe, "SLACK_BOT_TOKEN"},
		{"BotTokenNotNeededToMigrate", map[string]string{"SLACK_BOT_TOKEN": ""}, NeedDatabase, ""},
		{"BadAppToken", map[string]string{"SLACK_APP_TOKEN": "xoxb-nope"}, NeedServe, "SLACK_APP_TOKEN"},
		{"BotTokenPlaceholder", map[string]string{"SLACK_BOT_TOKEN": "xoxb-…"}, NeedSlackAPI, "SLACK_BOT_TOKEN"},
		{"BotTokenPlaceholderDots", map[string]string{"SLACK_BOT_TOKEN": "xoxb-..."}, NeedSlackAPI, "SLACK_BOT_TOKEN"},
		{"BotTokenPrefixOnly", map[string]string{"SLACK_BOT_TOKEN": "xoxb-"}, NeedSlackAPI, "SLACK_BOT_TOKEN"},
		{"BotTokenWithQuote", map[string]string{"SLACK_BOT_TOKEN": "xoxb-123-abc'"}, NeedSlackAPI, "SLACK_BOT_TOKEN"},
		{"BotTokenWithSpace", map[string]string{"SLACK_BOT_TOKEN": "xoxb-123 abc"}, NeedSlackAPI, "SLACK_BOT_TOKEN"},
		{"RealShapedBotToken", map[string]string{"SLACK_BOT_TOKEN": "xoxb-1234567890-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx"}, NeedServe, ""},
		{"AppTokenPlaceholder", map[string]string{"SLACK_APP_TOKEN": "xapp-…"}, NeedServe, "SLACK_APP_TOKEN"},
		{"AppTokenPrefixOnly", map[string]string{"SLACK_APP_TOKEN": "xapp-"}, NeedServe, "SLACK_APP_TOKEN"},
		{"RealShapedAppToken", map[string]string{"SLACK_APP_TOKEN": "xapp-1-A0123456789-1234567890123-0123456789abcdef0123456789abcdef"}, NeedServe, ""},
		{"NoTransport", map[string]string{"SLACK_APP_TOKEN": ""}, NeedServe, "SLACK_APP_TOKEN"},
		{"BadTimezone", map[string]string{"CASECONF_TIMEZONE": "Mars/Olympus"}, NeedDatabase, "CASECONF_TIMEZONE"},
		{"BadHoliday", map[string]string{"CASECONF_HOLIDAYS": "2026-12-25,25/12/2026"}, NeedDatabase, "CASECONF_HOLIDAYS"},
		{"BadAdmin", map[string]string{"CASECONF_ADMINS": "U123,alice"}, NeedDatabase, "CASECONF_ADMINS"},
		{"BadDPO", map[string]string{"CASECONF_DPO": "U123,dpo@example.org"}, NeedDatabase, "CASECONF_DPO"},
		{"AdminTooLong", map[string]string{"CASECONF_ADMINS": "U123456789012345678901"}, NeedDatabase, "CASECONF_ADMINS"},
		{"BadLogLevel", map[string]string{"LOG_LEVEL": "loud"}, NeedDatabase, "LOG_LEVEL"},
		{"BadLogFormat", map[string]string{"LOG_FORMAT": "xml"}, NeedDatabase, "LOG_FORMAT"},
		{"BadAPIURL", map[string]string{"SLACK_API_URL": "slack.example"}, NeedServe, "SLACK_API_URL"},
		{"BadHTTPAddr", map[string]string{"HTTP_ADDR": "8080"}, NeedServe, "HTTP_ADDR"},
		{"MailBoth", map[string]string{"CASECONF_SMTP_URL": "smtp://u:secretpart@mail.example.org:587", "CASECONF_MAIL_FROM": "Case conferences <cc@example.org>"}, NeedServe, ""},
		{"MailWithoutFrom", map[string]string{"CASECONF_SMTP_URL": "smtp://u:secretpart@mail.example.org:587"}, NeedServe, "CASECONF_MAIL_FROM"},
		{"MailFromWithoutURL", map[string]string{"CASECONF_MAIL_FROM": "cc@example.org"}, NeedServe, "CASECONF_SMTP_URL"},
		{"MailURLNotSMTP", map[string]string{"CASECONF_SMTP_URL": "https://u:secretpart@mail.example.org", "CASECONF_MAIL_FROM": "cc@example.org"}, NeedServe, "CASECONF_SMTP_URL"},
		{"MailURLBadPort", map[string]string{"CASECONF_SMTP_URL": "smtps://u:secretpart@mail.example.org:0", "CASECONF_MAIL_FROM": "cc@example.org"}, NeedServe, "CASECONF_SMTP_URL"},
		{"MailFromNotAnAddress", map[string]string{"CASECONF_SMTP_URL": "smtp://mail.example.org", "CASECONF_MAIL_FROM": "case conferences"}, NeedServe, "CASECONF_MAIL_FROM"},
		{"MailURLAndFile", map[string]string{"CASECONF_SMTP_URL": "smtp://u:secretpart@mail.example.org", "CASECONF_SMTP_URL_FILE": "/nonexistent", "CASECONF_MAIL_FROM": "cc@example.org"}, NeedServe, "CASECONF_SMTP_URL"},
		{"BothSecretAndFile", map[string]string{"SLACK_BOT_TOKEN_FILE": "/nonexistent"}, NeedServe, "SLACK_BOT_TOKEN"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := valid()
			for k, v := range tt.change {
				m[k] = v
			}
			err := Read(env(m)).Validate(tt.need)
			if tt.wantVar == "" {
				if err != nil {
					t.Fatalf("Validate = %v, want nil", err)
				}
				return
			}
			var ce *Error
			if !errors.As(err, &ce) {
				t.Fatalf("Validate = %v, want *Error naming %s", err, tt.wantVar)
			}
			if ce.Var != tt.wantVar {
				t.Fatalf("error names %s (%v), want %s", ce.Var, err, tt.wantVar)
			}
			for _, secret := range []string{"secretpart", "xoxp-wrong"} {
				if strings.Contains(err.Error(), secret) {
					t.Fatalf("error %q prints a secret", err)
				}
			}
		})
	}
}

func TestDefaultsAndParsing(t *testing.T) {
	m := valid()
	m["CASECONF_ADMINS"] = " U01ADMIN , W02ADMIN,"
	m["CASECONF_HOLIDAYS"] = "2026-12-25, 2026-12-28"
	m["SLACK_API_URL"] = "http://127.0.0.1:9999/api"
	c := Read(env(m))
	if err := c.Validate(NeedServe); err != nil {
		t.Fatal(err)
	}
	if c.HTTPAddr != ":8080" || c.Timezone.String() != "Europe/London" || c.LogFormat != "json" {
		t.Errorf("defaults: addr %q tz %q format %q", c.HTTPAddr, c.Timezone, c.LogFormat)
	}
	if c.SlackAPIURL != "http://127.0.0.1:9999/api/" {
		t.Errorf("SlackAPIURL = %q, want a trailing slash added", c.SlackAPIURL)
	}
	if a := caseconf.NewAdmins(c.Admins); !a.IsAdmin("U01ADMIN") || !a.IsAdmin("W02ADMIN") || a.IsAdmin("U03OTHER") || len(c.Admins) != 2 {
		t.Errorf("admins = %v", c.Admins)
	}
	if len(c.Holidays) != 2 || c.Holidays[1].Format("2006-01-02") != "2026-12-28" || c.Holidays[0].Location() != c.Timezone {
		t.Errorf("holidays = %v", c.Holidays)
	}
	if Read(env(valid())).SlackAPIURL != DefaultSlackAPIURL {
		t.Error("SLACK_API_URL default is not Slack's")
	}
}

func TestSecretFromFile(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "token")
	if err := os.WriteFile(p, []byte("xoxb-from-file\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	m := valid()
	delete(m, "SLACK_BOT_TOKEN")
	m["SLACK_BOT_TOKEN_FILE"] = p
	c := Read(env(m))
	if err := c.Validate(NeedServe); err != nil {
		t.Fatal(err)
	}
	if c.SlackBotToken != "xoxb-from-file" {
		t.Errorf("token from file = %q", c.SlackBotToken)
	}
	m["SLACK_BOT_TOKEN_FILE"] = filepath.Join(dir, "missing")
	var ce *Error
	if err := Read(env(m)).Validate(NeedServe); !errors.As(err, &ce) || ce.Var != "SLACK_BOT_TOKEN_FILE" {
		t.Errorf("unreadable file: %v, want an error naming SLACK_BOT_TOKEN_FILE", err)
	}
}

func TestSweepEvery(t *testing.T) {
	read := func(v string) *Config {
		env := map[string]string{"DATABASE_URL": "postgres://x@localhost/db"}
		if v != "" {
			env["CASECONF_SWEEP_EVERY"] = v
		}
		return Read(func(k string) (string, bool) { s, ok := env[k]; return s, ok })
	}
	if c := read(""); c.SweepEvery != 5*time.Minute || c.Validate(NeedDatabase) != nil {
		t.Errorf("default = %v", c.SweepEvery)
	}
	if c := read("90s"); c.SweepEvery != 90*time.Second || c.Validate(NeedDatabase) != nil {
		t.Errorf("90s = %v", c.SweepEvery)
	}
	for _, bad := range []string{"often", "1s", "48h"} {
		if err := read(bad).Validate(NeedDatabase); err == nil || !strings.Contains(err.Error(), "CASECONF_SWEEP_EVERY") {
			t.Errorf("%q: %v, want an error naming CASECONF_SWEEP_EVERY", bad, err)
		}
	}
}

func TestDatabaseMaxConns(t *testing.T) {
	read := func(v string) *Config {
		env := map[string]string{"DATABASE_URL": "postgres://x@localhost/db"}
		if v != "" {
			env["DATABASE_MAX_CONNS"] = v
		}
		return Read(func(k string) (string, bool) { s, ok := env[k]; return s, ok })
	}
	if c := read(""); c.DatabaseMaxConns != 20 || c.Validate(NeedDatabase) != nil {
		t.Errorf("default = %d", c.DatabaseMaxConns)
	}
	if c := read("8"); c.DatabaseMaxConns != 8 || c.Validate(NeedDatabase) != nil {
		t.Errorf("8 = %d", c.DatabaseMaxConns)
	}
	for _, bad := range []string{"many", "2", "500", "-1"} {
		if err := read(bad).Validate(NeedDatabase); err == nil || !strings.Contains(err.Error(), "DATABASE_MAX_CONNS") {
			t.Errorf("%q: %v, want an error naming DATABASE_MAX_CONNS", bad, err)
		}
	}
}

func TestSMTPURLFromFile(t *testing.T) {
	p := filepath.Join(t.TempDir(), "smtp")
	if err := os.WriteFile(p, []byte("smtps://caseconf:secretpart@mail.example.org\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	m := valid()
	m["CASECONF_SMTP_URL_FILE"], m["CASECONF_MAIL_FROM"] = p, "Case conferences <cc@example.org>"
	c := Read(env(m))
	if err := c.Validate(NeedServe); err != nil || !c.Mail() || c.SMTPURL != "smtps://caseconf:secretpart@mail.example.org" {
		t.Fatalf("from a file: %v, mail %v", err, c.Mail())
	}
	if Read(env(valid())).Mail() {
		t.Error("mail on with no mail server set")
	}
}
