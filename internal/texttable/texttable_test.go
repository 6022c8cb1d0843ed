package texttable_test

import (
	"fmt"

	"github.com/loadgate/loadgate/internal/texttable"
)

func Example() {
	t := texttable.Table{Align: "lrl"}
	t.Add("metric", "p99", "")
	t.Add("checkout", "1.2ms", "")
	t.Add("µ", "12ms", "")
	fmt.Print(t.String())
	// Output:
	// metric      p99
	// checkout  1.2ms
	// µ          12ms
}
