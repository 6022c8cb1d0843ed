package testify_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/stretchr/testify/suite"

	lgassert "github.com/loadgate/loadgate/assert"
	"github.com/loadgate/loadgate/examples/shop"
	"github.com/loadgate/loadgate/loadtest"
)

// ShopSuite serves one shop for all its tests: testify checks what the shop
// answers, loadgate how it holds up under load.
type ShopSuite struct {
	suite.Suite
	srv *httptest.Server
}

func (s *ShopSuite) SetupSuite() {
	s.srv = httptest.NewServer(shop.NewServer(shop.Options{}))
}

func (s *ShopSuite) TearDownSuite() {
	s.srv.Close()
}

// TestCatalogue is an ordinary testify test of the shop.
func (s *ShopSuite) TestCatalogue() {
	resp, err := http.Get(s.srv.URL + "/products")
	require.NoError(s.T(), err)
	defer resp.Body.Close()
	assert.Equal(s.T(), http.StatusOK, resp.StatusCode)
	var products []map[string]any
	require.NoError(s.T(), json.NewDecoder(resp.Body).Decode(&products))
	assert.NotEmpty(s.T(), products)
}

// TestLoadCatalogue is a load test in the same suite. s.T() is this
// method's own *testing.T, so the scenario runs, checks its goroutines and
// reports in the suite's subtest (TestLoadShopSuite/TestLoadCatalogue),
// and go test -run Load, loadgate run and the Action find it like any
// other load test.
func (s *ShopSuite) TestLoadCatalogue() {
	if testing.Short() {
		s.T().Skip("load test skipped in -short mode")
	}
	res := loadtest.Run(s.T(), loadtest.Scenario{
		Name:   "catalogue in a suite",
		Target: loadtest.GET(s.srv.URL + "/products"),
		Load:   loadtest.Rate(100).For(2 * time.Second),
	})
	lgassert.SLA(s.T(), res, "p99 < 250ms", "error_rate == 0", "dropped == 0")
	// testify's checks work on the result too: it is a plain struct.
	assert.Positive(s.T(), res.Requests)
}

// TestLoadShopSuite runs the suite; its name matches go test -run Load, so
// loadgate run ./examples/... includes it.
func TestLoadShopSuite(t *testing.T) {
	suite.Run(t, new(ShopSuite))
}
