// Package mailer sends caseconf's e-mail to people not on Slack, through
// the organisation's mail server (CASECONF_SMTP_URL), with TLS required
// (STARTTLS, or implicit TLS for smtps://) unless the server is on the
// loopback address. It knows nothing of conferences: the bot renders each
// e-mail (bot/email.go) and the outbox decides when it goes.
package mailer

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/mail"
	"net/textproto"
	"net/url"
	"strconv"
	"strings"
	"time"

	gomail "github.com/wneessen/go-mail"
)

// Email is one e-mail to one person.
type Email struct {
	To        mail.Address
	ReplyTo   *mail.Address // nil for none
	Subject   string
	Text      string // the plain-text body
	MessageID string // stable for one outbox message: a retry is the same e-mail
	// Calendar is an iCalendar file (export.ICal) sent as
	// text/calendar with its METHOD (REQUEST or CANCEL); nil for none.
	Calendar       []byte
	CalendarMethod string
	CalendarName   string
	// PDF is a password-protected PDF attachment; nil for none.
	PDF     []byte
	PDFName string
}

// Mailer sends e-mail through one SMTP server.
type Mailer struct {
	host     string
	port     int
	implicit bool // smtps://: TLS from the first byte
	user     string
	pass     string
	from     *mail.Address
	tls      *tls.Config
	// requireTLS is false only for a server on the loopback address.
	requireTLS bool
	timeout    time.Duration
}

// ParseURL checks an SMTP URL (smtp://user:password@host:587 for
// STARTTLS, smtps://...:465 for implicit TLS). Its error never contains
// the URL (it may hold a password).
func ParseURL(raw string) (*url.URL, error) {
	u, err := url.Parse(raw)
	switch {
	case err != nil:
		return nil, errors.New("is not a URL such as smtp://user:password@mail.example.org:587")
	case u.Scheme != "smtp" && u.Scheme != "smtps":
		return nil, errors.New("must start smtp:// (STARTTLS) or smtps:// (implicit TLS)")
	case u.Hostname() == "":
		return nil, errors.New("names no mail server host")
	case u.Path != "" && u.Path != "/", u.RawQuery != "":
		return nil, errors.New("must be just smtp(s)://user:password@host:port, with no path or query")
	}
	if p := u.Port(); p != "" {
		if n, err := strconv.Atoi(p); err != nil || n < 1 || n > 65535 {
			return nil, errors.New("has a port that is not a number between 1 and 65535")
		}
	}
	return u, nil
}

// New makes a Mailer for the server at rawURL, sending from from ("Name
// <address>"). roots, when not nil, is the TLS configuration to verify
// the server with (tests: a self-signed certificate); nil uses the
// system's roots.
func New(rawURL, from string, roots *tls.Config) (*Mailer, error) {
	u, err := ParseURL(rawURL)
	if err != nil {
		return nil, err
	}
	f, err := mail.ParseAddress(from)
	if err != nil {
		return nil, errors.New("the sender address is not an e-mail address such as Case conferences <caseconf@example.org>")
	}
	m := &Mailer{host: u.Hostname(), implicit: u.Scheme == "smtps", from: f, timeout: 30 * time.Second}
	m.port = 587
	if m.implicit {
		m.port = 465
	}
	if p := u.Port(); p != "" {
		m.port, _ = strconv.Atoi(p)
	}
	if u.User != nil {
		m.user = u.User.Username()
		m.pass, _ = u.User.Password()
	}
	m.requireTLS = !Loopback(m.host)
	m.tls = &tls.Config{ServerName: m.host, MinVersion: tls.VersionTLS12}
	if roots != nil {
		m.tls = roots.Clone()
		if m.tls.ServerName == "" {
			m.tls.ServerName = m.host
		}
	}
	return m, nil
}

// Loopback reports whether host is the loopback address (localhost,
// 127.0.0.0/8, ::1): the only mail server caseconf talks to without TLS.
func Loopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// From is the sender's address.
func (m *Mailer) From() mail.Address { return *m.from }

// message builds e as a MIME message.
func (m *Mailer) message(e Email) (*gomail.Msg, error) {
	msg := gomail.NewMsg(gomail.WithNoDefaultUserAgent())
	msg.FromMailAddress(m.from)
	to := e.To
	if err := msg.To(to.String()); err != nil {
		return nil, errors.New("the recipient's address is not an e-mail address")
	}
	if e.ReplyTo != nil {
		msg.ReplyToMailAddress(e.ReplyTo)
	}
	msg.Subject(e.Subject)
	if e.MessageID != "" {
		msg.SetMessageIDWithValue(e.MessageID)
	} else {
		msg.SetMessageID()
	}
	msg.SetDate()
	msg.SetBodyString(gomail.TypeTextPlain, e.Text)
	if e.Calendar != nil {
		method := cmpOr(e.CalendarMethod, "REQUEST")
		if err := msg.AttachReader(cmpOr(e.CalendarName, "invite.ics"), bytes.NewReader(e.Calendar),
			gomail.WithFileContentType(gomail.ContentType("text/calendar; method="+method+"; charset=UTF-8"))); err != nil {
			return nil, fmt.Errorf("attaching the calendar file: %w", err)
		}
	}
	if e.PDF != nil {
		if err := msg.AttachReader(cmpOr(e.PDFName, "document.pdf"), bytes.NewReader(e.PDF),
			gomail.WithFileContentType(gomail.ContentType("application/pdf"))); err != nil {
			return nil, fmt.Errorf("attaching the PDF: %w", err)
		}
	}
	return msg, nil
}

func cmpOr(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// Write writes e as the MIME message Send would send (for tests and
// for checking what goes).
func (m *Mailer) Write(w io.Writer, e Email) error {
	msg, err := m.message(e)
	if err != nil {
		return err
	}
	_, err = msg.WriteTo(w)
	return err
}

// Send sends e. Its error says, with Permanent and Reason, whether trying
// again could help and why it failed, without the message in it.
func (m *Mailer) Send(ctx context.Context, e Email) error {
	msg, err := m.message(e)
	if err != nil {
		return &Error{permanent: true, reason: err.Error()}
	}
	policy := gomail.TLSMandatory
	if !m.requireTLS {
		policy = gomail.TLSOpportunistic
	}
	opts := []gomail.Option{gomail.WithPort(m.port), gomail.WithTLSConfig(m.tls), gomail.WithTimeout(m.timeout)}
	if m.implicit {
		opts = append(opts, gomail.WithSSL())
	} else {
		opts = append(opts, gomail.WithTLSPolicy(policy))
	}
	if m.user != "" {
		// Without TLS (on the loopback address only) go-mail's discovery
		// offers no mechanism that sends the password: PLAIN it is, as it
		// allows to a local server.
		auth := gomail.SMTPAuthAutoDiscover
		if !m.requireTLS {
			auth = gomail.SMTPAuthPlain
		}
		opts = append(opts, gomail.WithSMTPAuth(auth), gomail.WithUsername(m.user), gomail.WithPassword(m.pass))
	}
	c, err := gomail.NewClient(m.host, opts...)
	if err != nil {
		return &Error{permanent: true, reason: "smtp: the mail server settings are not usable"}
	}
	if err := c.DialAndSendWithContext(ctx, msg); err != nil {
		return classify(err)
	}
	return nil
}

// Error is why an e-mail did not go.
type Error struct {
	permanent bool
	code      int
	reason    string
}

func (e *Error) Error() string { return e.reason }

// Permanent reports whether err says the e-mail can never go as it is
// (the server answered 5xx): it is given up, not retried.
func Permanent(err error) bool {
	var e *Error
	return errors.As(err, &e) && e.permanent
}

// Code is the SMTP reply code err carries (421, 550), or 0.
func Code(err error) int {
	var e *Error
	if errors.As(err, &e) {
		return e.code
	}
	return 0
}

// classify turns go-mail's error into an Error: a reply of 5xx is
// permanent; 4xx, the connection lost or refused, a time-out, temporary.
// Its reason names the code and never the server's text (which may echo
// the address) nor the message.
func classify(err error) *Error {
	code := 0
	var tp *textproto.Error
	var se *gomail.SendError
	switch {
	case errors.As(err, &tp):
		code = tp.Code
	case errors.As(err, &se):
		code = se.ErrorCode()
	}
	switch {
	case code >= 500:
		return &Error{permanent: true, code: code, reason: fmt.Sprintf("smtp: refused permanently (%d)", code)}
	case code >= 400:
		return &Error{code: code, reason: fmt.Sprintf("smtp: refused for now (%d)", code)}
	}
	msg := err.Error()
	switch {
	case strings.Contains(msg, "STARTTLS"), strings.Contains(msg, "tls:"), strings.Contains(msg, "x509:"):
		return &Error{reason: "smtp: could not make a TLS connection to the mail server"}
	case errors.Is(err, context.DeadlineExceeded), strings.Contains(msg, "timeout"):
		return &Error{reason: "smtp: timed out (the server may have taken it)"}
	}
	var ne net.Error
	if errors.As(err, &ne) || errors.Is(err, io.EOF) || strings.Contains(msg, "connection") {
		return &Error{reason: "smtp: connection failed"}
	}
	return &Error{reason: "smtp: sending failed"}
}
