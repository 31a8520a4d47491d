// Package export writes what caseconf hands people as files: a
// conference's whole record as Markdown and as a password-protected PDF,
// everything held about a client for a subject-access request, and the
// gaps figures as CSV. It renders domain values (package caseconf) into
// bytes; it reads nothing and sends nothing: the store gathers, the bot
// delivers.
package export
