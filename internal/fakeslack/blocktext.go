package fakeslack

// BlockTexts is the text of every text object (mrkdwn and plain_text) in
// blocks as Slack receives them (decoded JSON), by block: what Slack
// counts against a message's limits. Tests use it to check what was sent.
func BlockTexts(blocks []any) [][]string {
	var walk func(v any, out *[]string)
	walk = func(v any, out *[]string) {
		switch v := v.(type) {
		case map[string]any:
			if typ, _ := v["type"].(string); typ == "mrkdwn" || typ == "plain_text" {
				s, _ := v["text"].(string)
				*out = append(*out, s)
				return
			}
			for _, e := range v {
				walk(e, out)
			}
		case []any:
			for _, e := range v {
				walk(e, out)
			}
		}
	}
	out := make([][]string, len(blocks))
	for i, b := range blocks {
		walk(b, &out[i])
	}
	return out
}
