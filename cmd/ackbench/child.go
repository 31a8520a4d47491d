package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// stopGrace is how long a child gets to exit after SIGTERM before it is
// killed.
const stopGrace = 10 * time.Second

// child is an app under test running as a child process. Its stdout and
// stderr are kept (the last tailBytes of them) to show if it fails.
type child struct {
	name   string
	cmd    *exec.Cmd
	out    *tailBuffer
	exited chan struct{} // closed when Wait returns
	err    error         // Wait's result; read after exited is closed

	stopOnce sync.Once
	stopErr  error
}

// startChild starts argv in dir with env. verbose copies the child's output
// to the bench's stderr as well; watch, if not nil, is given it too.
func startChild(name, dir string, env []string, verbose bool, watch io.Writer, argv ...string) (*child, error) {
	c := &child{name: name, out: &tailBuffer{}, exited: make(chan struct{})}
	c.cmd = exec.Command(argv[0], argv[1:]...)
	c.cmd.Dir = dir
	c.cmd.Env = env
	ws := []io.Writer{c.out}
	if verbose {
		ws = append(ws, &prefixWriter{prefix: name + ": ", w: os.Stderr})
	}
	if watch != nil {
		ws = append(ws, watch)
	}
	w := io.MultiWriter(ws...)
	c.cmd.Stdout = w
	c.cmd.Stderr = w
	c.cmd.SysProcAttr = &syscall.SysProcAttr{
		// Its own process group: a Ctrl-C in the terminal reaches only the
		// bench, which then stops the child itself.
		Setpgid: true,
		// If the bench dies without cleaning up, the child goes too.
		Pdeathsig: syscall.SIGKILL,
	}
	if err := c.cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", name, err)
	}
	go func() {
		c.err = c.cmd.Wait()
		close(c.exited)
	}()
	return c, nil
}

// pid is the child's process id.
func (c *child) pid() int { return c.cmd.Process.Pid }

// wait blocks until the child exits or ctx ends; on ctx's end the child is
// stopped.
func (c *child) wait(ctx context.Context) error {
	select {
	case <-c.exited:
		return c.err
	case <-ctx.Done():
		_ = c.stop()
		return fmt.Errorf("%s: %w", c.name, context.Cause(ctx))
	}
}

// whileRunning returns a context that ends when ctx does or when the child
// exits, whichever is first; its cause then says the child exited.
func (c *child) whileRunning(ctx context.Context) (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithCancelCause(ctx)
	go func() {
		select {
		case <-c.exited:
			cancel(fmt.Errorf("%s exited unexpectedly (%v)", c.name, c.err))
		case <-ctx.Done():
		}
	}()
	return ctx, func() { cancel(context.Canceled) }
}

// stop sends SIGTERM to the child's process group, waits up to stopGrace,
// then kills the group. It returns how the child exited; an exit because of
// SIGTERM is not an error. Safe to call more than once.
func (c *child) stop() error {
	c.stopOnce.Do(func() {
		select {
		case <-c.exited:
		default:
			_ = syscall.Kill(-c.pid(), syscall.SIGTERM)
			select {
			case <-c.exited:
			case <-time.After(stopGrace):
				_ = syscall.Kill(-c.pid(), syscall.SIGKILL)
				<-c.exited
				c.stopErr = fmt.Errorf("%s did not exit within %v of SIGTERM; killed", c.name, stopGrace)
				return
			}
		}
		var exit *exec.ExitError
		if errors.As(c.err, &exit) {
			if ws, ok := exit.Sys().(syscall.WaitStatus); ok && ws.Signaled() && ws.Signal() == syscall.SIGTERM {
				return // no SIGTERM handler, e.g. node
			}
		}
		if c.err != nil {
			c.stopErr = fmt.Errorf("%s: %w", c.name, c.err)
		}
	})
	return c.stopErr
}

// peakRSS returns the child's peak resident set size (VmHWM) in bytes.
func (c *child) peakRSS() (int64, error) {
	f, err := os.Open("/proc/" + strconv.Itoa(c.pid()) + "/status")
	if err != nil {
		return 0, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		rest, found := strings.CutPrefix(sc.Text(), "VmHWM:")
		if !found {
			continue
		}
		kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
		if err != nil {
			return 0, fmt.Errorf("VmHWM %q: %w", rest, err)
		}
		return kb * 1024, nil
	}
	if err := sc.Err(); err != nil {
		return 0, err
	}
	return 0, errors.New("no VmHWM in /proc/PID/status")
}

// output returns the end of what the child printed, indented, for an error
// message.
func (c *child) output() string {
	s := strings.TrimSpace(c.out.String())
	if s == "" {
		return "  (no output)"
	}
	return "  " + strings.ReplaceAll(s, "\n", "\n  ")
}

// tailBytes is how much of a child's output is kept.
const tailBytes = 8 << 10

// tailBuffer keeps the last tailBytes written to it.
type tailBuffer struct {
	mu  sync.Mutex
	buf []byte
}

func (t *tailBuffer) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.buf = append(t.buf, p...)
	if over := len(t.buf) - tailBytes; over > 0 {
		t.buf = append(t.buf[:0], t.buf[over:]...)
	}
	return len(p), nil
}

func (t *tailBuffer) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return string(t.buf)
}

// prefixWriter writes each line with a prefix (lines may be split across
// writes; good enough for verbose output).
type prefixWriter struct {
	mu     sync.Mutex
	prefix string
	w      io.Writer
}

func (p *prefixWriter) Write(b []byte) (int, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, line := range bytes.SplitAfter(b, []byte("\n")) {
		if len(line) > 0 {
			_, _ = fmt.Fprintf(p.w, "%s%s", p.prefix, line)
		}
	}
	return len(b), nil
}

// childEnv returns the bench's environment without anything that would
// configure the apps (Slack, database, HTTP, logging, caseconf's own
// settings), plus extra. PG* variables stay: the apps reach PostgreSQL as
// the bench does.
func childEnv(extra map[string]string) []string {
	var env []string
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		switch {
		case strings.HasPrefix(name, "SLACK_"), strings.HasPrefix(name, "CASECONF_"),
			strings.HasPrefix(name, "DATABASE_URL"), name == "HTTP_ADDR",
			strings.HasPrefix(name, "LOG_"):
			continue
		}
		env = append(env, kv)
	}
	for k, v := range extra {
		env = append(env, k+"="+v)
	}
	return env
}

// freeAddr returns a 127.0.0.1 address with a port that was free a moment
// ago.
func freeAddr() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer l.Close()
	return l.Addr().String(), nil
}

// cpuTime returns the user+system CPU time the child has used so far.
func (c *child) cpuTime() (time.Duration, error) {
	data, err := os.ReadFile("/proc/" + strconv.Itoa(c.pid()) + "/stat")
	if err != nil {
		return 0, err
	}
	// Fields after the command name (which is in parentheses and may hold
	// spaces): state is field 3, utime 14, stime 15, in clock ticks.
	_, rest, found := strings.Cut(string(data), ") ")
	fields := strings.Fields(rest)
	if !found || len(fields) < 13 {
		return 0, errors.New("unexpected /proc/PID/stat")
	}
	var ticks int64
	for _, f := range fields[11:13] {
		v, err := strconv.ParseInt(f, 10, 64)
		if err != nil {
			return 0, err
		}
		ticks += v
	}
	return time.Duration(ticks) * time.Second / clockTicks, nil
}

// clockTicks is USER_HZ, 100 on every Linux we run on.
const clockTicks = 100

// selfCPUTime returns the user+system CPU time this process has used.
func selfCPUTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// lineWatch is a writer that counts the lines written to it that contain
// one of its patterns. Lines may be split across writes.
type lineWatch struct {
	mu       sync.Mutex
	patterns []string
	partial  []byte
	counts   map[string]int
	changed  chan struct{} // closed and replaced when a count changes
}

func newLineWatch(patterns ...string) *lineWatch {
	return &lineWatch{patterns: patterns, counts: map[string]int{}, changed: make(chan struct{})}
}

func (l *lineWatch) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.partial = append(l.partial, p...)
	for {
		i := bytes.IndexByte(l.partial, '\n')
		if i < 0 {
			break
		}
		line := l.partial[:i]
		for _, pat := range l.patterns {
			if bytes.Contains(line, []byte(pat)) {
				l.counts[pat]++
				close(l.changed)
				l.changed = make(chan struct{})
			}
		}
		l.partial = l.partial[i+1:]
	}
	if len(l.partial) > tailBytes {
		l.partial = l.partial[len(l.partial)-tailBytes:]
	}
	return len(p), nil
}

// wait blocks until a line containing one of pats has been written, and
// returns that pattern.
func (l *lineWatch) wait(ctx context.Context, pats ...string) (string, error) {
	for {
		l.mu.Lock()
		changed := l.changed
		for _, pat := range pats {
			if l.counts[pat] > 0 {
				l.mu.Unlock()
				return pat, nil
			}
		}
		l.mu.Unlock()
		select {
		case <-changed:
		case <-ctx.Done():
			return "", context.Cause(ctx)
		}
	}
}
