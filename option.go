package caseconf

// Option is a choice offered in a form: a stable value stored in the
// database, and the label people read.
type Option struct{ Value, Label string }

// Label finds the label of value among opts, or returns value itself.
func Label(opts []Option, value string) string {
	for _, o := range opts {
		if o.Value == value {
			return o.Label
		}
	}
	return value
}

func isOption(opts []Option, value string) bool {
	for _, o := range opts {
		if o.Value == value {
			return true
		}
	}
	return false
}
