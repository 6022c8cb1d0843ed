// Package testify shows a loadgate load test inside a testify suite
// (github.com/stretchr/testify/suite): see suite_test.go.
//
// testify's assertions package and loadgate's are both called assert; the
// convention is to import loadgate's as lgassert:
//
//	import (
//		"github.com/stretchr/testify/assert"
//		"github.com/stretchr/testify/require"
//		"github.com/stretchr/testify/suite"
//
//		lgassert "github.com/loadgate/loadgate/assert"
//		"github.com/loadgate/loadgate/loadtest"
//	)
//
// lgassert takes a suite's s.T() as it takes any *testing.T (its
// TestingT needs only Errorf), and its failures name the metric, the value
// and the limit on one line, beside testify's Error Trace blocks.
package testify
