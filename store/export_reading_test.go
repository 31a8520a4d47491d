package store

// OnActionList is the SQL filter of someone's open actions, for the test
// that holds it to caseconf.OnActionList.
const OnActionList = onActionList

// ChasedBy is caseconf.ActionChaser in SQL, for the test that holds it to
// the Go rule.
const ChasedBy = chasedBy
