package pgproxy

import (
	"io"
	"net"
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
