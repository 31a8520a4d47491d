// Package config reads caseconf's settings from the environment into one
// typed struct and checks them before anything starts.
package config

import (
	"fmt"
	"log/slog"
	"net"
	"net/mail"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/caseconf/caseconf"
	"github.com/caseconf/caseconf/internal/mailer"
)

// DefaultSlackAPIURL is Slack's own Web API base URL.
const DefaultSlackAPIURL = "https://slack.com/api/"

// Config is every setting caseconf reads. Build it with FromEnv, then call
// Validate before use.
type Config struct {
	DatabaseURL        string
	SlackBotToken      string
	SlackAppToken      string
	SlackSigningSecret string
	SlackAPIURL        string
	HTTPAddr           string
	Admins             []string
	DPO                []string // CASECONF_DPO: data-protection / Caldicott leads told of meetings without consent
	Timezone           *time.Location
	Holidays           []time.Time // dates at midnight in Timezone
	LogLevel           slog.Level
	LogFormat          string // "json" or "text"
	SweepEvery         time.Duration
	DatabaseMaxConns   int // connections each process may hold open
	// Retention is how long a client's record is kept after the last
	// activity on it (CASECONF_RETENTION: "8y", "90d"; default 8y).
	Retention Retention
	// SMTPURL (CASECONF_SMTP_URL, or CASECONF_SMTP_URL_FILE: it may hold
	// a password) and MailFrom (CASECONF_MAIL_FROM) are the mail server
	// caseconf e-mails people not on Slack through; both empty when the
	// organisation gives it none.
	SMTPURL  string
	MailFrom string
	// PprofAddr (CASECONF_PPROF_ADDR) is a loopback host:port on which Go's
	// profiler (/debug/pprof/) is served, for measuring; empty (the
	// default) serves none.
	PprofAddr string

	// problems found while reading raw values (a bad duration, an
	// unreadable *_FILE); reported by Validate so the first one wins.
	parseErrs []error
}

// Error is a configuration problem. Its message names the variable and what
// is wrong with it, and never contains a secret's value.
type Error struct {
	Var    string
	Reason string
}

func (e *Error) Error() string { return e.Var + ": " + e.Reason }

// Lookup reads one variable; os.LookupEnv in production, a map in tests.
type Lookup func(string) (string, bool)

// FromEnv reads the configuration from the process environment.
func FromEnv() *Config { return Read(os.LookupEnv) }

// Read builds a Config from lookup, applying defaults. Values that cannot be
// parsed at all are remembered and reported by Validate.
func Read(lookup Lookup) *Config {
	c := &Config{}
	get := func(name string) string {
		v, _ := lookup(name)
		return strings.TrimSpace(v)
	}
	secret := func(name string) string {
		v := get(name)
		file := get(name + "_FILE")
		if file == "" {
			return v
		}
		if v != "" {
			c.parseErrs = append(c.parseErrs, &Error{name, "set both " + name + " and " + name + "_FILE; choose one"})
			return v
		}
		b, err := os.ReadFile(file)
		if err != nil {
			c.parseErrs = append(c.parseErrs, &Error{name + "_FILE", "cannot read the file it names"})
			return ""
		}
		return strings.TrimSpace(string(b))
	}

	c.DatabaseURL = secret("DATABASE_URL")
	c.SlackBotToken = secret("SLACK_BOT_TOKEN")
	c.SlackAppToken = secret("SLACK_APP_TOKEN")
	c.SlackSigningSecret = secret("SLACK_SIGNING_SECRET")
	c.SlackAPIURL = get("SLACK_API_URL")
	if c.SlackAPIURL == "" {
		c.SlackAPIURL = DefaultSlackAPIURL
	} else if !strings.HasSuffix(c.SlackAPIURL, "/") {
		c.SlackAPIURL += "/"
	}
	c.HTTPAddr = get("HTTP_ADDR")
	c.PprofAddr = get("CASECONF_PPROF_ADDR")
	if c.HTTPAddr == "" {
		c.HTTPAddr = ":8080"
	}
	for _, id := range strings.Split(get("CASECONF_ADMINS"), ",") {
		if id = strings.TrimSpace(id); id != "" {
			c.Admins = append(c.Admins, id)
		}
	}
	for _, id := range strings.Split(get("CASECONF_DPO"), ",") {
		if id = strings.TrimSpace(id); id != "" {
			c.DPO = append(c.DPO, id)
		}
	}

	tz := get("CASECONF_TIMEZONE")
	if tz == "" {
		tz = "Europe/London"
	}
	loc, err := time.LoadLocation(tz)
	if err != nil {
		c.parseErrs = append(c.parseErrs, &Error{"CASECONF_TIMEZONE", fmt.Sprintf("%q is not a known time zone (try Europe/London)", tz)})
		loc = time.UTC
	}
	c.Timezone = loc

	for _, d := range strings.Split(get("CASECONF_HOLIDAYS"), ",") {
		if d = strings.TrimSpace(d); d == "" {
			continue
		}
		t, err := time.ParseInLocation("2006-01-02", d, loc)
		if err != nil {
			c.parseErrs = append(c.parseErrs, &Error{"CASECONF_HOLIDAYS", fmt.Sprintf("%q is not a date in the form YYYY-MM-DD", d)})
			continue
		}
		c.Holidays = append(c.Holidays, t)
	}

	c.DatabaseMaxConns = 20
	if v := get("DATABASE_MAX_CONNS"); v != "" {
		n, err := strconv.Atoi(v)
		switch {
		case err != nil || n < 4 || n > 200:
			c.parseErrs = append(c.parseErrs, &Error{"DATABASE_MAX_CONNS", fmt.Sprintf("%q is not a whole number between 4 and 200", v)})
		default:
			c.DatabaseMaxConns = n
		}
	}

	c.SweepEvery = 5 * time.Minute
	if v := get("CASECONF_SWEEP_EVERY"); v != "" {
		d, err := time.ParseDuration(v)
		switch {
		case err != nil:
			c.parseErrs = append(c.parseErrs, &Error{"CASECONF_SWEEP_EVERY", fmt.Sprintf("%q is not a duration such as 5m", v)})
		case d < 10*time.Second || d > 24*time.Hour:
			c.parseErrs = append(c.parseErrs, &Error{"CASECONF_SWEEP_EVERY", fmt.Sprintf("%s is not between 10s and 24h", d)})
		default:
			c.SweepEvery = d
		}
	}

	c.Retention = Retention{Years: 8}
	if v := get("CASECONF_RETENTION"); v != "" {
		if r, ok := parseRetention(v); ok {
			c.Retention = r
		} else {
			c.parseErrs = append(c.parseErrs, &Error{"CASECONF_RETENTION", fmt.Sprintf("%q is not a period such as 8y or 90d (at least 1d, at most 100y)", v)})
		}
	}

	c.SMTPURL = secret("CASECONF_SMTP_URL")
	c.MailFrom = get("CASECONF_MAIL_FROM")

	switch lvl := strings.ToLower(get("LOG_LEVEL")); lvl {
	case "", "info":
		c.LogLevel = slog.LevelInfo
	case "debug":
		c.LogLevel = slog.LevelDebug
	case "warn", "warning":
		c.LogLevel = slog.LevelWarn
	case "error":
		c.LogLevel = slog.LevelError
	default:
		c.parseErrs = append(c.parseErrs, &Error{"LOG_LEVEL", fmt.Sprintf("%q is not one of debug, info, warn, error", lvl)})
	}
	c.LogFormat = strings.ToLower(get("LOG_FORMAT"))
	if c.LogFormat == "" {
		c.LogFormat = "json"
	}
	return c
}

// Need says which settings a subcommand requires.
type Need int

const (
	// NeedDatabase: only DATABASE_URL (migrate, sweep --dry-run).
	NeedDatabase Need = iota
	// NeedSlackAPI: the database and a bot token (sweep).
	NeedSlackAPI
	// NeedServe: the database, a bot token and at least one transport (serve).
	NeedServe
)

// Validate reports the first problem with the configuration as an *Error, or
// nil. need says how much of it the caller is going to use.
func (c *Config) Validate(need Need) error {
	if len(c.parseErrs) > 0 {
		return c.parseErrs[0]
	}
	if c.DatabaseURL == "" {
		return &Error{"DATABASE_URL", "is required (for example postgres://user@localhost:5432/caseconf?sslmode=disable)"}
	}
	if reason := DatabaseURLProblem(c.DatabaseURL); reason != "" {
		return &Error{"DATABASE_URL", reason}
	}
	switch c.LogFormat {
	case "json", "text":
	default:
		return &Error{"LOG_FORMAT", fmt.Sprintf("%q is not json or text", c.LogFormat)}
	}
	for _, id := range c.Admins {
		if !caseconf.IsSlackUserID(id) {
			return &Error{"CASECONF_ADMINS", fmt.Sprintf("%q is not a Slack user ID (they look like U012ABCDEF)", id)}
		}
	}
	for _, id := range c.DPO {
		if !caseconf.IsSlackUserID(id) {
			return &Error{"CASECONF_DPO", fmt.Sprintf("%q is not a Slack user ID (they look like U012ABCDEF)", id)}
		}
	}
	if need == NeedDatabase {
		return nil
	}
	if err := c.validateMail(); err != nil {
		return err
	}
	if c.SlackBotToken == "" {
		return &Error{"SLACK_BOT_TOKEN", "is required (the Bot User OAuth Token, starting xoxb-)"}
	}
	if reason := tokenProblem(c.SlackBotToken, "xoxb-", "a bot token", "xapp-", "SLACK_APP_TOKEN"); reason != "" {
		return &Error{"SLACK_BOT_TOKEN", reason}
	}
	api, err := url.Parse(c.SlackAPIURL)
	if err != nil || (api.Scheme != "http" && api.Scheme != "https") || api.Host == "" {
		return &Error{"SLACK_API_URL", "must be an http(s) URL such as https://slack.com/api/"}
	}
	if need == NeedSlackAPI {
		return nil
	}
	if c.SlackAppToken != "" {
		if reason := tokenProblem(c.SlackAppToken, "xapp-", "an app-level token", "xoxb-", "SLACK_BOT_TOKEN"); reason != "" {
			return &Error{"SLACK_APP_TOKEN", reason}
		}
	}
	if c.SlackAppToken == "" && c.SlackSigningSecret == "" {
		return &Error{"SLACK_APP_TOKEN", "neither SLACK_APP_TOKEN (Socket Mode) nor SLACK_SIGNING_SECRET (HTTP mode) is set; set at least one"}
	}
	if _, _, err := net.SplitHostPort(c.HTTPAddr); err != nil {
		return &Error{"HTTP_ADDR", fmt.Sprintf("%q is not host:port (for example :8080)", c.HTTPAddr)}
	}
	if c.PprofAddr != "" && !loopbackAddr(c.PprofAddr) {
		return &Error{"CASECONF_PPROF_ADDR", fmt.Sprintf("%q is not a loopback host:port (for example 127.0.0.1:6060): the profiler is never served beyond this machine", c.PprofAddr)}
	}
	return nil
}

// loopbackAddr reports whether addr is host:port with a loopback host and
// a port number (not a service name such as "http", looked up at listen).
func loopbackAddr(addr string) bool {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	if n, err := strconv.ParseUint(port, 10, 16); err != nil || strconv.FormatUint(n, 10) != port {
		return false
	}
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// DatabaseURLProblem says what is wrong with a database URL (DATABASE_URL,
// or erasures reapply --from), or "" when nothing is. The reason never
// contains the URL: it may hold a password.
func DatabaseURLProblem(dsn string) string {
	if !strings.HasPrefix(dsn, "postgres://") && !strings.HasPrefix(dsn, "postgresql://") {
		return "must be a postgres:// URL such as postgres://user@localhost:5432/caseconf?sslmode=disable (value not shown)"
	}
	if _, err := url.Parse(dsn); err != nil {
		return "is not a well-formed URL: a character such as @ : / % # ? in the user name or password must be percent-encoded (@ as %40, % as %25) (value not shown)"
	}
	return ""
}

// tokenProblem says what is wrong with a Slack token that must start with
// prefix (what names the kind of token), or "" when nothing is. A token
// of the other kind (otherPrefix, which belongs in otherVar) is named as
// swapped. The reason never contains the token.
func tokenProblem(token, prefix, what, otherPrefix, otherVar string) string {
	switch {
	case strings.HasPrefix(token, "<") || strings.Contains(strings.ToLower(token), "your "):
		return "is still the placeholder from the README; paste the real token, starting " + prefix + " (value not shown)"
	case strings.HasPrefix(token, otherPrefix):
		return "holds a " + otherPrefix + " token, which belongs in " + otherVar + "; this one must be " + what + " starting " + prefix + " (value not shown)"
	case !strings.HasPrefix(token, prefix) && strings.Contains(token, prefix):
		return "has something before " + prefix + " (quotes, or a word such as Bearer?); it must start " + prefix + " (value not shown)"
	case !strings.HasPrefix(token, prefix):
		return "must be " + what + " starting " + prefix + " (value not shown)"
	case strings.Trim(strings.TrimPrefix(token, prefix), "-") == "":
		return "has nothing after " + prefix + "; paste the whole token (value not shown)"
	case !tokenBody(token, prefix):
		return "has characters Slack tokens never have (only letters, digits and - follow " + prefix + "): still a placeholder, or quotes or a space around it? (value not shown)"
	}
	return ""
}

// tokenBody reports whether what follows prefix in token is made only of
// the characters Slack's tokens use (ASCII letters, digits and -), and is
// not empty. A placeholder such as "xoxb-…" (a Unicode ellipsis), or a
// token pasted with quotes or a stray space inside, fails it.
func tokenBody(token, prefix string) bool {
	body := strings.TrimPrefix(token, prefix)
	if strings.Trim(body, "-") == "" {
		return false
	}
	for _, r := range body {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-':
		default:
			return false
		}
	}
	return true
}

// Mail reports whether caseconf e-mails people not on Slack.
func (c *Config) Mail() bool { return c.SMTPURL != "" }

// validateMail checks the mail settings: both or neither; the URL's
// value is never in the error (it may hold a password).
func (c *Config) validateMail() error {
	switch {
	case c.SMTPURL == "" && c.MailFrom == "":
		return nil
	case c.SMTPURL == "":
		return &Error{"CASECONF_SMTP_URL", "is needed with CASECONF_MAIL_FROM (or set neither, and nothing is e-mailed)"}
	case c.MailFrom == "":
		return &Error{"CASECONF_MAIL_FROM", "is needed with CASECONF_SMTP_URL: the address e-mails come from, such as Case conferences <caseconf@example.org>"}
	}
	if _, err := mailer.ParseURL(c.SMTPURL); err != nil {
		return &Error{"CASECONF_SMTP_URL", err.Error() + " (value not shown)"}
	}
	if _, err := mail.ParseAddress(c.MailFrom); err != nil {
		return &Error{"CASECONF_MAIL_FROM", fmt.Sprintf("%q is not an e-mail address such as Case conferences <caseconf@example.org>", c.MailFrom)}
	}
	return nil
}
