package texttable_test

import (
	"fmt"
	"testing"

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

// A scenario named in Chinese took two terminal columns a character and
// pushed every later column of loadgate run's summary two columns right.
func ExampleTable_wide() {
	t := texttable.Table{Align: "lr"}
	t.Add("scenario", "p99")
	t.Add("登录", "1.2ms")
	t.Add("checkout/v2", "12ms")
	t.Add("cafe\u0301", "3ms") // e and a combining acute accent
	fmt.Print(t.String())
	// Output:
	// scenario       p99
	// 登录         1.2ms
	// checkout/v2   12ms
	// café           3ms
}

func TestWidth(t *testing.T) {
	for _, tt := range []struct {
		give string
		want int
	}{
		{"", 0},
		{"checkout", 8},
		{"µs", 2},
		{"登录", 4},
		{"ログイン", 8},
		{"결제", 4},
		{"ＡＢ", 4},
		{"cafe\u0301", 4},
	} {
		if got := texttable.Width(tt.give); got != tt.want {
			t.Errorf("Width(%q) = %d, want %d", tt.give, got, tt.want)
		}
	}
}
