package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"
	"unicode"

	"github.com/caseconf/caseconf/internal/config"
)

// healthcheckTimeout bounds the whole probe: /healthz itself answers within
// a few seconds whatever the database does.
const healthcheckTimeout = 5 * time.Second

// cmdHealthcheck asks a running server's /healthz, for a container's
// HEALTHCHECK or a monitoring script: exit 0 on 200, 1 otherwise. The
// server is the one --url names, or else the one HTTP_ADDR says this
// configuration listens on, reached on the loopback address.
func cmdHealthcheck(ctx context.Context, args []string, env config.Lookup, stdout, stderr io.Writer) int {
	fs := newFlags("healthcheck", stderr)
	target := fs.String("url", "", "the /healthz URL to ask (default: http://127.0.0.1:PORT/healthz, PORT from HTTP_ADDR)")
	if code, ok := parseArgs(fs, args, stderr, "healthcheck takes only --url"); !ok {
		return code
	}
	if *target == "" {
		u, err := healthzURL(env)
		if err != nil {
			fmt.Fprintf(stderr, "caseconf: healthcheck: %v\n", err)
			return 1
		}
		*target = u
	}
	u, err := url.Parse(*target)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		// Not echoed: a URL may carry a password.
		fmt.Fprintln(stderr, "caseconf: healthcheck: --url must be an http:// or https:// URL such as http://127.0.0.1:8080/healthz (value not shown)")
		return exitUsage
	}
	*target = u.Redacted()
	ctx, cancel := context.WithTimeout(ctx, healthcheckTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		fmt.Fprintln(stderr, "caseconf: healthcheck: --url is not a URL (value not shown)")
		return exitUsage
	}
	client := &http.Client{
		Timeout: healthcheckTimeout,
		// A redirect is not health: /healthz never sends one.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	resp, err := client.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) { // it repeats the URL, password and all
			err = ue.Err
		}
		if ctx.Err() != nil || errors.Is(err, context.DeadlineExceeded) {
			err = fmt.Errorf("no answer within %s", healthcheckTimeout)
		}
		fmt.Fprintf(stderr, "caseconf: healthcheck: %s: %v\n", *target, err)
		return 1
	}
	defer resp.Body.Close()
	body := readLines(resp.Body, 10)
	if resp.StatusCode != http.StatusOK {
		fmt.Fprintf(stderr, "caseconf: healthcheck: %s answered %s", *target, resp.Status)
		if body != "" {
			fmt.Fprintf(stderr, ": %s", body)
		}
		fmt.Fprintln(stderr)
		return 1
	}
	fmt.Fprintln(stdout, body)
	return 0
}

// healthzURL is the loopback /healthz URL of the server HTTP_ADDR
// configures (":8080" by default).
func healthzURL(env config.Lookup) (string, error) {
	addr, _ := env("HTTP_ADDR")
	addr = strings.TrimSpace(addr)
	if addr == "" {
		addr = ":8080"
	}
	host, port, err := net.SplitHostPort(addr)
	if err != nil || port == "" || port == "0" {
		return "", fmt.Errorf("HTTP_ADDR %q is not host:port with a fixed port; give --url", addr)
	}
	switch host {
	case "", "0.0.0.0", "::":
		host = "127.0.0.1"
	}
	return "http://" + net.JoinHostPort(host, port) + "/healthz", nil
}

// readLines reads up to n lines (and at most 4 KiB) of a response body,
// joined with "; ".
func readLines(r io.Reader, n int) string {
	sc := bufio.NewScanner(io.LimitReader(r, 4096))
	var lines []string
	for len(lines) < n && sc.Scan() {
		// Whatever answers may not be caseconf: keep its control
		// characters (terminal escapes) off the operator's screen.
		l := strings.Map(func(r rune) rune {
			if unicode.IsControl(r) {
				return -1
			}
			return r
		}, sc.Text())
		if l = strings.TrimSpace(l); l != "" {
			lines = append(lines, l)
		}
	}
	return strings.Join(lines, "; ")
}
