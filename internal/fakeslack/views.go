package fakeslack

import (
	"encoding/json"
	"fmt"
)

// viewState is what the fake remembers about an opened or published view.
type viewState struct {
	id, rootID, hash string
}

// newViewID returns a unique view id like "V0000000042".
func newViewID() string { return fmt.Sprintf("V%010d", nextSeq()) }

// newHash returns a unique view hash.
func newHash() string { return fmt.Sprintf("1700000000.%08x", nextSeq()) }

// postedView decodes the "view" parameter as a JSON object.
func postedView(c Call) (map[string]json.RawMessage, bool) {
	var v map[string]json.RawMessage
	if err := json.Unmarshal([]byte(c.Params.Get("view")), &v); err != nil || v == nil {
		return nil, false
	}
	return v, true
}

// renderView is the "view" object Slack answers: the posted view with the
// server-assigned fields filled in.
func renderView(posted map[string]json.RawMessage, st viewState) map[string]any {
	out := map[string]any{
		"private_metadata": "",
		"callback_id":      "",
		"external_id":      "",
		"state":            map[string]any{"values": map[string]any{}},
	}
	for k, v := range posted {
		out[k] = v
	}
	out["id"] = st.id
	out["hash"] = st.hash
	out["root_view_id"] = st.rootID
	out["team_id"] = TeamID
	out["app_id"] = AppID
	out["app_installed_team_id"] = TeamID
	out["bot_id"] = BotID
	return out
}

// externalID returns the external_id of a posted view, if any.
func externalID(posted map[string]json.RawMessage) string {
	var id string
	_ = json.Unmarshal(posted["external_id"], &id)
	return id
}

// createView registers a new modal view and answers it.
func (s *Server) createView(c Call) any {
	posted, valid := postedView(c)
	if c.Params.Get("trigger_id") == "" || !valid {
		return apiError(errInvalidArgs)
	}
	id := newViewID()
	st := viewState{id: id, rootID: id, hash: newHash()}
	s.mu.Lock()
	s.views[id] = &st
	s.modals = append(s.modals, id)
	if ext := externalID(posted); ext != "" {
		s.extViews[ext] = id
	}
	s.mu.Unlock()
	return ok(map[string]any{"view": renderView(posted, st)})
}

func (s *Server) viewsOpen(c Call) any { return s.createView(c) }

func (s *Server) viewsPush(c Call) any { return s.createView(c) }

func (s *Server) viewsUpdate(c Call) any {
	posted, valid := postedView(c)
	if !valid {
		return apiError(errInvalidArgs)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	id := c.Params.Get("view_id")
	if id == "" {
		id = s.extViews[c.Params.Get("external_id")]
	}
	st, found := s.views[id]
	switch {
	case id == "" && c.Params.Get("external_id") == "":
		return apiError(errInvalidArgs)
	case !found:
		return apiError("not_found")
	case c.Params.Get("hash") != "" && c.Params.Get("hash") != st.hash:
		return apiError("hash_conflict")
	}
	st.hash = newHash()
	return ok(map[string]any{"view": renderView(posted, *st)})
}

func (s *Server) viewsPublish(c Call) any {
	posted, valid := postedView(c)
	user := c.Params.Get("user_id")
	if user == "" || !valid {
		return apiError(errInvalidArgs)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	st, found := s.views[s.homes[user]]
	if !found {
		id := newViewID()
		st = &viewState{id: id, rootID: id}
		s.views[id] = st
		s.homes[user] = id
	} else if h := c.Params.Get("hash"); h != "" && h != st.hash {
		return apiError("hash_conflict")
	}
	st.hash = newHash()
	return ok(map[string]any{"view": renderView(posted, *st)})
}

// Modal is a modal the fake opened: its id and its current hash, as a
// block action or submission from it carries them.
type Modal struct{ ID, Hash string }

// Modals lists the modals opened or pushed so far, oldest first, each
// with its hash as it is now (views.update changes it).
func (s *Server) Modals() []Modal {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Modal, len(s.modals))
	for i, id := range s.modals {
		out[i] = Modal{ID: id, Hash: s.views[id].hash}
	}
	return out
}
