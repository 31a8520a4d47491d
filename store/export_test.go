package store

// VisibleTo is the SQL visibility filter, for the test that holds it to
// caseconf.CanSee.
const VisibleTo = visibleTo
