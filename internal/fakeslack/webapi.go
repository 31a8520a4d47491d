package fakeslack

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// maxBodyBytes bounds how much of a request body is read.
const maxBodyBytes = 10 << 20

// Slack error codes used by the fake.
const (
	errInvalidJSON     = "invalid_json"
	errInvalidForm     = "invalid_form_data"
	errNotAuthed       = "not_authed"
	errInvalidAuth     = "invalid_auth"
	errUnknownMethod   = "unknown_method"
	errInvalidArgs     = "invalid_arguments"
	errRateLimited     = "ratelimited"
	errChannelNotFound = "channel_not_found"
)

// handleAPI serves /api/METHOD.
func (s *Server) handleAPI(w http.ResponseWriter, r *http.Request) {
	method := strings.TrimPrefix(r.URL.Path, "/api/")
	call, parseErr := readCall(r, method)
	refusal := checkCall(call)
	if s.answerScripted(w, r, call, refusal) {
		return
	}
	if parseErr != "" {
		writeJSON(w, http.StatusOK, apiError(parseErr))
		return
	}
	if code := checkToken(method, call.Token); code != "" {
		writeJSON(w, http.StatusOK, apiError(code))
		return
	}
	if refusal != nil {
		writeJSON(w, http.StatusOK, refusal.body())
		return
	}
	writeJSON(w, http.StatusOK, s.dispatch(call))
}

// handleResponseURL serves posts to /response/ID.
func (s *Server) handleResponseURL(w http.ResponseWriter, r *http.Request) {
	call, parseErr := readCall(r, MethodResponseURL)
	call.ResponseURLID = strings.TrimPrefix(r.URL.Path, "/response/")
	refusal := checkCall(call)
	if s.answerScripted(w, r, call, refusal) {
		return
	}
	switch {
	case parseErr != "":
		writeJSON(w, http.StatusOK, apiError(parseErr))
	case refusal != nil:
		// As incoming webhooks do: 400, the error code as plain text.
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.WriteHeader(http.StatusBadRequest)
		_, _ = io.WriteString(w, refusal.Error)
	default:
		writeJSON(w, http.StatusOK, ok(nil))
	}
}

// answerScripted records call, and the refusal of its payload if any,
// and plays the scripted Failure for it, if any: its Delay is slept, then
// a failing one is answered. It reports whether the call has been
// answered; if not, the caller answers it.
func (s *Server) answerScripted(w http.ResponseWriter, r *http.Request, call Call, refusal *Refusal) bool {
	f, scripted := s.popFailure(call)
	call.Failed = scripted && f.fails()
	if call.Failed {
		call.Status = f.Status
	}
	if refusal != nil {
		call.Refused = refusal.Error
	}
	s.record(call, refusal)
	s.sleep(r.Context(), f.Delay)
	if call.Failed {
		writeFailure(w, f)
	}
	return call.Failed
}

// dispatch answers an authenticated call with a custom handler if one is
// set, else the built-in method.
func (s *Server) dispatch(c Call) any {
	s.mu.Lock()
	custom := s.handlers[c.Method]
	s.mu.Unlock()
	if custom != nil {
		return custom(c)
	}
	if h, found := methods[c.Method]; found {
		return h(s, c)
	}
	return apiError(errUnknownMethod)
}

// readCall reads the request into a Call. A non-empty second result is the
// Slack error code to answer because the body could not be parsed.
func readCall(r *http.Request, method string) (Call, string) {
	body, _ := io.ReadAll(io.LimitReader(r.Body, maxBodyBytes))
	c := Call{Method: method, Body: body, At: time.Now(), Params: url.Values{}}
	params, errCode := parseParams(r, body)
	if params != nil {
		c.Params = params
	}
	c.Token = bearerToken(r)
	if c.Token == "" {
		c.Token = c.Params.Get("token")
	}
	return c, errCode
}

// parseParams extracts the parameters of a request according to its method
// and content type.
func parseParams(r *http.Request, body []byte) (url.Values, string) {
	params := r.URL.Query()
	if r.Method == http.MethodGet || r.Method == http.MethodHead {
		return params, ""
	}
	mediaType, mediaParams, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	switch mediaType {
	case "application/json":
		return mergeInto(params, body, jsonParams, errInvalidJSON)
	case "multipart/form-data":
		return mergeInto(params, body, multipartParams(mediaParams["boundary"]), errInvalidForm)
	default:
		return mergeInto(params, body, formParams, errInvalidForm)
	}
}

// mergeInto parses body with parse and adds the fields to params. On failure
// it returns params unchanged and errCode.
func mergeInto(params url.Values, body []byte, parse func([]byte) (url.Values, error), errCode string) (url.Values, string) {
	fields, err := parse(body)
	if err != nil {
		return params, errCode
	}
	for k, vs := range fields {
		for _, v := range vs {
			params.Add(k, v)
		}
	}
	return params, ""
}

// formParams parses an application/x-www-form-urlencoded body.
func formParams(body []byte) (url.Values, error) {
	return url.ParseQuery(string(body))
}

// jsonParams parses a JSON object body (or an empty one): strings are kept as-is, other values
// become their compact JSON encoding.
func jsonParams(body []byte) (url.Values, error) {
	if len(bytes.TrimSpace(body)) == 0 {
		return url.Values{}, nil // e.g. apps.connections.open sends no body
	}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(body, &fields); err != nil {
		return nil, err
	}
	if fields == nil {
		return nil, errors.New("body is not a JSON object")
	}
	params := url.Values{}
	for k, raw := range fields {
		params.Set(k, jsonValueString(raw))
	}
	return params, nil
}

// jsonValueString renders a JSON value as a parameter string.
func jsonValueString(raw json.RawMessage) string {
	var str string
	if err := json.Unmarshal(raw, &str); err == nil {
		return str
	}
	var buf bytes.Buffer
	if err := json.Compact(&buf, raw); err != nil {
		return string(raw)
	}
	return buf.String()
}

// multipartParams returns a parser for multipart/form-data bodies that keeps
// the non-file fields.
func multipartParams(boundary string) func([]byte) (url.Values, error) {
	return func(body []byte) (url.Values, error) {
		if boundary == "" {
			return nil, errors.New("missing multipart boundary")
		}
		form, err := multipart.NewReader(bytes.NewReader(body), boundary).ReadForm(maxBodyBytes)
		if err != nil {
			return nil, err
		}
		defer func() { _ = form.RemoveAll() }()
		return url.Values(form.Value), nil
	}
}

// bearerToken returns the token of an "Authorization: Bearer" header.
func bearerToken(r *http.Request) string {
	auth := r.Header.Get("Authorization")
	if len(auth) > len("Bearer ") && strings.EqualFold(auth[:len("Bearer ")], "Bearer ") {
		return strings.TrimSpace(auth[len("Bearer "):])
	}
	return ""
}

// checkToken returns the Slack error code for a missing or wrong token, or ""
// if token is acceptable for method.
func checkToken(method, token string) string {
	prefix := "xoxb-"
	if method == "apps.connections.open" {
		prefix = "xapp-"
	}
	switch {
	case token == "":
		return errNotAuthed
	case !strings.HasPrefix(token, prefix):
		return errInvalidAuth
	}
	return ""
}

// writeFailure answers with a scripted failure.
func writeFailure(w http.ResponseWriter, f Failure) {
	if f.RetryAfter > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(f.RetryAfter))
	}
	switch f.Status {
	case 0, http.StatusOK:
		writeJSON(w, http.StatusOK, apiError(f.Error))
	case http.StatusTooManyRequests:
		writeJSON(w, f.Status, apiError(errRateLimited))
	default:
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.WriteHeader(f.Status)
		_, _ = io.WriteString(w, http.StatusText(f.Status))
	}
}

// writeJSON writes v as a JSON response.
func writeJSON(w http.ResponseWriter, status int, v any) {
	body, err := json.Marshal(v)
	if err != nil {
		status = http.StatusInternalServerError
		body = []byte(`{"ok":false,"error":"fakeslack_marshal_error"}`)
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// apiError is the body of a failed Web API call.
func apiError(code string) map[string]any {
	return map[string]any{"ok": false, "error": code}
}

// ok is the body of a successful Web API call with the given fields.
func ok(fields map[string]any) map[string]any {
	out := map[string]any{"ok": true}
	for k, v := range fields {
		out[k] = v
	}
	return out
}
