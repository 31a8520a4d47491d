package store

// OnActionList is the SQL filter of someone's open actions, for the test
// that holds it to caseconf.OnActionList.
const OnActionList = onActionList
