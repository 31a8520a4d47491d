package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/caseconf/caseconf/internal/testdb"
)

// An operator's mistake on the command line or in the environment stops
// the command with one line saying what is wrong, and never echoes a
// password or a token.
func TestOperatorMistakesFailInOneLine(t *testing.T) {
	t.Parallel()
	const secret = "S3CRETpw"
	db := map[string]string{"DATABASE_URL": testdb.DefaultURL}
	empty := filepath.Join(t.TempDir(), "empty")
	if err := os.WriteFile(empty, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		env  map[string]string
		args []string
		want string
	}{
		{"WaitNotADuration", db, []string{"migrate", "--wait", "5"}, `--wait "5" is not a duration`},
		{"WaitNegative", db, []string{"migrate", "--wait", "-1m"}, "negative"},
		{"WaitMissing", db, []string{"migrate", "--wait"}, "-wait"},
		{"UnknownFlag", db, []string{"serve", "--verbose"}, "-verbose"},
		{"BadlyEscapedPassword", map[string]string{"DATABASE_URL": "postgres://u:" + secret + "%zz@localhost/x"}, []string{"migrate"}, "percent-encoded"},
		{"KeywordDSN", map[string]string{"DATABASE_URL": "host=localhost password=" + secret}, []string{"migrate"}, "postgres:// URL"},
		{"FromBadlyEscaped", db, []string{"erasures", "reapply", "--from", "postgres://u:" + secret + "%zz@h/x"}, "--from"},
		{"FromNotAURL", db, []string{"erasures", "reapply", "--from", "password=" + secret}, "--from"},
		{"FileEmpty", db, []string{"erasures", "reapply", "--file", empty, "--dry-run"}, "holds no erasures"},
		{"HealthcheckNoScheme", nil, []string{"healthcheck", "--url", "localhost:8080/healthz"}, "--url"},
		{"HealthcheckPasswordInURL", nil, []string{"healthcheck", "--url", "http://u:" + secret + "@127.0.0.1:1/healthz"}, "127.0.0.1:1"},
		{"PlaceholderToken", map[string]string{"DATABASE_URL": testdb.DefaultURL, "SLACK_BOT_TOKEN": "<your xoxb- token>", "SLACK_APP_TOKEN": "xapp-1"}, []string{"serve"}, "SLACK_BOT_TOKEN: is still the placeholder"},
		{"SwappedTokens", map[string]string{"DATABASE_URL": testdb.DefaultURL, "SLACK_BOT_TOKEN": "xapp-1-" + secret, "SLACK_APP_TOKEN": "xoxb-1"}, []string{"serve"}, "belongs in SLACK_APP_TOKEN"},
		{"QuotedToken", map[string]string{"DATABASE_URL": testdb.DefaultURL, "SLACK_BOT_TOKEN": `"xoxb-1-` + secret + `"`, "SLACK_APP_TOKEN": "xapp-1"}, []string{"serve"}, "something before xoxb-"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			code, stdout, stderr := runCLI(t, c.env, c.args...)
			if code == 0 {
				t.Fatalf("exit 0, stdout %q", stdout)
			}
			lines := strings.Split(strings.TrimSpace(stderr), "\n")
			if len(lines) != 1 || !strings.Contains(lines[0], c.want) {
				t.Fatalf("stderr = %q, want one line with %q", stderr, c.want)
			}
			if strings.Contains(stderr+stdout, secret) {
				t.Fatalf("the secret is printed: %q", stderr)
			}
		})
	}
}
