package pgproxy

import (
	"io"
	"net"
	"os"
	"testing"
	"time"
)

// echo starts a TCP echo server and returns its address.
func echo(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() { defer c.Close(); _, _ = io.Copy(c, c) }()
		}
	}()
	return ln.Addr().String()
}

func roundTrip(c net.Conn, msg string, wait time.Duration) (string, error) {
	if _, err := c.Write([]byte(msg)); err != nil {
		return "", err
	}
	_ = c.SetReadDeadline(time.Now().Add(wait))
	buf := make([]byte, len(msg))
	_, err := io.ReadFull(c, buf)
	return string(buf), err
}

func TestHangAndResume(t *testing.T) {
	p, err := New(echo(t))
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()

	old, err := net.Dial("tcp", p.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer old.Close()
	if got, err := roundTrip(old, "hello", time.Second); err != nil || got != "hello" {
		t.Fatalf("before hang: %q, %v", got, err)
	}

	p.Hang()
	if _, err := roundTrip(old, "stuck", 300*time.Millisecond); err == nil {
		t.Fatal("an existing connection still forwards while hung")
	}
	hungNew, err := net.Dial("tcp", p.Addr())
	if err != nil {
		t.Fatalf("a hung proxy must still accept: %v", err)
	}
	defer hungNew.Close()
	if _, err := roundTrip(hungNew, "stuck", 300*time.Millisecond); err == nil {
		t.Fatal("a new connection forwards while hung")
	}

	p.Resume()
	fresh, err := net.Dial("tcp", p.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer fresh.Close()
	if got, err := roundTrip(fresh, "again", time.Second); err != nil || got != "again" {
		t.Fatalf("after resume: %q, %v", got, err)
	}
	// The connections that were hung are closed on resume.
	_ = hungNew.SetReadDeadline(time.Now().Add(time.Second))
	if _, err := hungNew.Read(make([]byte, 1)); err == nil {
		t.Fatal("a connection held during the hang is still open after Resume")
	} else if ne, ok := err.(net.Error); ok && ne.Timeout() {
		t.Fatal("a connection held during the hang is still open after Resume")
	}
}

// Down closes every connection and each new one at once, as a stopped
// server would; Resume forwards again.
func TestDownAndResume(t *testing.T) {
	p, err := New(echo(t))
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	before, err := net.Dial("tcp", p.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer before.Close()
	if got, err := roundTrip(before, "ping", 2*time.Second); err != nil || got != "ping" {
		t.Fatalf("before Down: %q, %v", got, err)
	}
	p.Down()
	if _, err := roundTrip(before, "ping", 2*time.Second); err == nil {
		t.Fatal("a connection open before Down still works")
	}
	c, err := net.Dial("tcp", p.Addr())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := roundTrip(c, "ping", 2*time.Second); err == nil || os.IsTimeout(err) {
		t.Fatalf("a connection while down: %v, want it closed at once", err)
	}
	c.Close()
	p.Resume()
	after, err := net.Dial("tcp", p.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer after.Close()
	if got, err := roundTrip(after, "ping", 2*time.Second); err != nil || got != "ping" {
		t.Fatalf("after Resume: %q, %v", got, err)
	}
}
