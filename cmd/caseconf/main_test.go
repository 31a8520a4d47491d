package main

import (
	"testing"

	"github.com/caseconf/caseconf/internal/testdb"
)

func TestMain(m *testing.M) { testdb.Main(m) }
