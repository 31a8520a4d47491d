package fakeslack

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// VerificationToken is the legacy verification token put in generated
// payloads.
const VerificationToken = "fake-verification-token"

// newTriggerID returns a unique trigger id in Slack's format.
func newTriggerID() string {
	n := nextSeq()
	return fmt.Sprintf("%d.%d.%032x", 1000000000+n, 2000000000+n, n)
}

// SlashCommand returns the payload of a slash_commands envelope for
// "/caseconf text" typed by userID in channelID, with a unique trigger_id and
// an empty response_url (set it, or use Server.NewSlashCommand). Field values
// are strings, as Slack sends them.
func SlashCommand(userID, channelID, text string) map[string]string {
	return map[string]string{
		"token":                 VerificationToken,
		"team_id":               TeamID,
		"team_domain":           TeamDomain,
		"channel_id":            channelID,
		"channel_name":          channelName(channelID),
		"user_id":               userID,
		"user_name":             strings.ToLower(userID),
		"command":               Command,
		"text":                  text,
		"api_app_id":            AppID,
		"is_enterprise_install": "false",
		"response_url":          "",
		"trigger_id":            newTriggerID(),
	}
}

// channelName is the channel_name Slack reports for a channel id.
func channelName(channelID string) string {
	if strings.HasPrefix(channelID, "D") {
		return "directmessage"
	}
	return strings.ToLower(channelID)
}

// NewSlashCommand is SlashCommand with response_url set to a fresh
// ResponseURL of this server and user_name taken from AddUser, if known.
func (s *Server) NewSlashCommand(userID, channelID, text string) map[string]string {
	cmd := SlashCommand(userID, channelID, text)
	cmd["response_url"] = s.ResponseURL(fmt.Sprintf("cmd-%d", nextSeq()))
	s.mu.Lock()
	if u, known := s.users[userID]; known && u.Name != "" {
		cmd["user_name"] = u.Name
	}
	s.mu.Unlock()
	return cmd
}

// Sign computes Slack's request signature headers for body sent at ts with
// the signing secret: X-Slack-Request-Timestamp (Unix seconds) and
// X-Slack-Signature ("v0=" + hex(HMAC-SHA256(secret, "v0:"+ts+":"+body))).
func Sign(secret string, ts time.Time, body []byte) (timestampHeader, signatureHeader string) {
	timestampHeader = strconv.FormatInt(ts.Unix(), 10)
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte("v0:" + timestampHeader + ":"))
	mac.Write(body)
	return timestampHeader, "v0=" + hex.EncodeToString(mac.Sum(nil))
}
