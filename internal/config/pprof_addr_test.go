package config

import (
	"errors"
	"strings"
	"testing"
)

// CASECONF_PPROF_ADDR takes a loopback host:port only; anything else is
// refused with one line naming the variable.
func TestPprofAddrLoopbackOnly(t *testing.T) {
	for addr, ok := range map[string]bool{
		"127.0.0.1:6060":   true,
		"localhost:6060":   true,
		"[::1]:6060":       true,
		"127.0.0.2:6060":   true,
		"0.0.0.0:6060":     false,
		":6060":            false,
		"[::]:6060":        false,
		"localhost:x":      false,
		"localhost:http":   false,
		"localhost:":       false,
		"127.0.0.1:+80":    false,
		"127.0.0.1:0080":   false,
		"127.0.0.1:6060:1": false,
		"::1:6060":         false,
		"127.0.0.1:70000":  false,
		"10.0.0.1:6060":    false,
		"example.org:6060": false,
		"localhost":        false,
	} {
		m := valid()
		m["CASECONF_PPROF_ADDR"] = addr
		err := Read(env(m)).Validate(NeedServe)
		if ok {
			if err != nil {
				t.Errorf("%q: %v, want accepted", addr, err)
			}
			continue
		}
		var ce *Error
		if !errors.As(err, &ce) || ce.Var != "CASECONF_PPROF_ADDR" {
			t.Errorf("%q: Validate = %v, want an error naming CASECONF_PPROF_ADDR", addr, err)
			continue
		}
		if msg := err.Error(); strings.Contains(msg, "\n") || !strings.Contains(msg, "loopback") {
			t.Errorf("%q: error %q is not one line saying loopback", addr, msg)
		}
	}
}
