package caseconf

import (
	"errors"
	"fmt"
)

// Error codes that cross from the store to the bot, which turns each into
// a message for the user.
const (
	ENOTFOUND  = "not_found" // no such thing, or the user may not see it
	EFORBIDDEN = "forbidden" // the user may see it but not do this
	ECONFLICT  = "conflict"  // the state does not allow it (cancelled, already started)
	EINVALID   = "invalid"   // bad input
	ENOTREADY  = "not_ready" // a step must come first (accept the agreement)
	EINTERNAL  = "internal"  // anything else: logged, not shown
)

// Error is a domain error with a code and a message safe to show the user.
// Messages never carry client identifiers.
type Error struct {
	Code    string
	Message string
}

func (e *Error) Error() string { return fmt.Sprintf("caseconf: %s: %s", e.Code, e.Message) }

// Errorf returns an *Error with the code and a formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of err, EINTERNAL for an error that is not an
// *Error, and "" for nil.
func ErrorCode(err error) string {
	if err == nil {
		return ""
	}
	if e, ok := errors.AsType[*Error](err); ok {
		return e.Code
	}
	return EINTERNAL
}

// ErrorMessage is the user-facing message of err.
func ErrorMessage(err error) string {
	if e, ok := errors.AsType[*Error](err); ok {
		return e.Message
	}
	return "Something went wrong on our side. Please try again; if it keeps happening, tell your caseconf administrator."
}
