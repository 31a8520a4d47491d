//go:build !linux

package store

import (
	"syscall"
	"time"
)

// setTCPUserTimeout is Linux-only; elsewhere the read deadlines and TCP
// keep-alive bound a dead connection.
func setTCPUserTimeout(time.Duration) func(network, address string, c syscall.RawConn) error {
	return nil
}
