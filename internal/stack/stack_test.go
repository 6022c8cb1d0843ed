package stack

import (
	"strings"
	"testing"
	"time"
)

func blockForever(ch chan int) { <-ch }

func TestAllFindsBlockedGoroutineAndItsCreator(t *testing.T) {
	ch := make(chan int)
	defer close(ch)
	for range 3 {
		go blockForever(ch)
	}
	me := Current()
	// Until all three are blocked (5 s at most): one still runnable, as
	// under the race detector on a busy machine, groups apart.
	var found []Goroutine
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(time.Millisecond) {
		found = found[:0]
		blocked := 0
		for _, g := range All() {
			if g.HasFunc("github.com/loadgate/loadgate/internal/stack.blockForever") {
				found = append(found, g)
				if g.State == "chan receive" {
					blocked++
				}
			}
		}
		if blocked == 3 || time.Now().After(deadline) {
			break
		}
	}
	if len(found) != 3 {
		t.Fatalf("found %d goroutines in blockForever, want 3", len(found))
	}
	g := found[0]
	if got := g.BlockedIn().Func; got != "github.com/loadgate/loadgate/internal/stack.blockForever" {
		t.Errorf("BlockedIn = %q", got)
	}
	if g.CreatorID != me {
		t.Errorf("CreatorID = %d, want %d (this goroutine)", g.CreatorID, me)
	}
	if !strings.HasSuffix(g.CreatedBy.File, "stack_test.go") || g.CreatedBy.Line == 0 {
		t.Errorf("CreatedBy = %+v", g.CreatedBy)
	}
	groups := GroupBy(found)
	if len(groups) != 1 || groups[0].Count != 3 {
		t.Fatalf("groups = %+v", groups)
	}
	report := Report(groups)
	for _, want := range []string{"3 leaked goroutine(s) in 1 group(s)", "3 × [chan receive] blocked in github.com/loadgate/loadgate/internal/stack.blockForever (stack_test.go:", "created by github.com/loadgate/loadgate/internal/stack.TestAllFindsBlockedGoroutineAndItsCreator"} {
		if !strings.Contains(report, want) {
			t.Errorf("report lacks %q:\n%s", want, report)
		}
	}
}

func TestParse(t *testing.T) {
	dump := `found unexpected goroutines:
[Goroutine 21 in state chan receive, with example.com/shop.leak.func1 on top of the stack:
goroutine 21 [chan receive, 3 minutes]:
example.com/shop.leak.func1()
	/src/shop/shop.go:42 +0x25
created by example.com/shop.leak in goroutine 20
	/src/shop/shop.go:40 +0x6b
 Goroutine 22 in state select, with net/http.(*persistConn).writeLoop on top of the stack:
goroutine 22 [select]:
net/http.(*persistConn).writeLoop(0xc000150000)
	/usr/local/go/src/net/http/transport.go:2519 +0xe7
...additional frames elided...
created by net/http.(*Transport).dialConn in goroutine 9
	/usr/local/go/src/net/http/transport.go:1875 +0x15a5
]`
	gs := Parse([]byte(dump))
	tests := []struct {
		name string
		give Goroutine
		want Goroutine
	}{
		{
			name: "user goroutine",
			give: gs[0],
			want: Goroutine{ID: 21, State: "chan receive", Frames: []Frame{{"example.com/shop.leak.func1", "/src/shop/shop.go", 42}},
				CreatedBy: Frame{"example.com/shop.leak", "/src/shop/shop.go", 40}, CreatorID: 20},
		},
		{
			name: "elided frames",
			give: gs[1],
			want: Goroutine{ID: 22, State: "select", Frames: []Frame{{"net/http.(*persistConn).writeLoop", "/usr/local/go/src/net/http/transport.go", 2519}},
				CreatedBy: Frame{"net/http.(*Transport).dialConn", "/usr/local/go/src/net/http/transport.go", 1875}, CreatorID: 9},
		},
	}
	if len(gs) != len(tests) {
		t.Fatalf("parsed %d goroutines, want %d", len(gs), len(tests))
	}
	if !strings.Contains(gs[1].Raw, "\n...additional frames elided...\n") {
		t.Errorf("the raw stack hides that frames were elided:\n%s", gs[1].Raw)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := tt.give
			got.Raw = ""
			if got.ID != tt.want.ID || got.State != tt.want.State || got.CreatorID != tt.want.CreatorID ||
				got.CreatedBy != tt.want.CreatedBy || len(got.Frames) != len(tt.want.Frames) || got.Frames[0] != tt.want.Frames[0] {
				t.Errorf("got %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

// TestReportEveryGroupsStack: the report printed the stack of the first
// group alone, so that of a second leak, such as a library's loop blocked
// for a caller several frames up, only the two frames of its summary line
// were left where goleak prints every stack; and no goroutine's ID but
// the first one's, to find it in a dump or a debugger.
func TestReportEveryGroupsStack(t *testing.T) {
	dump := `goroutine 21 [chan receive, 3 minutes]:
example.com/shop.leak.func1()
	/src/shop/shop.go:42 +0x25
created by example.com/shop.leak in goroutine 20
	/src/shop/shop.go:40 +0x6b

goroutine 22 [select]:
example.com/shop/poll.(*Poller).loop(0xc000150000)
	/src/shop/poll/poll.go:88 +0xe7
example.com/shop/poll.(*Poller).Start.func1()
	/src/shop/poll/poll.go:51 +0x1d
...additional frames elided...
created by example.com/shop/poll.(*Poller).Start in goroutine 9
	/src/shop/poll/poll.go:50 +0x15a

goroutine 23 [chan receive]:
example.com/shop.leak.func1()
	/src/shop/shop.go:42 +0x25
created by example.com/shop.leak in goroutine 20
	/src/shop/shop.go:40 +0x6b
`
	got := Report(GroupBy(Parse([]byte(dump))))
	want := `3 leaked goroutine(s) in 2 group(s):
  2 × [chan receive] blocked in example.com/shop.leak.func1 (shop.go:42)
      created by example.com/shop.leak (shop.go:40)
      goroutines 21, 23
        goroutine 21 [chan receive, 3 minutes]:
        example.com/shop.leak.func1()
        	/src/shop/shop.go:42 +0x25
        created by example.com/shop.leak in goroutine 20
        	/src/shop/shop.go:40 +0x6b
  1 × [select] blocked in example.com/shop/poll.(*Poller).loop (poll.go:88)
      created by example.com/shop/poll.(*Poller).Start (poll.go:50)
        goroutine 22 [select]:
        example.com/shop/poll.(*Poller).loop(0xc000150000)
        	/src/shop/poll/poll.go:88 +0xe7
        example.com/shop/poll.(*Poller).Start.func1()
        	/src/shop/poll/poll.go:51 +0x1d
        ...additional frames elided...
        created by example.com/shop/poll.(*Poller).Start in goroutine 9
        	/src/shop/poll/poll.go:50 +0x15a`
	if got != want {
		t.Errorf("Report =\n%s\nwant\n%s", got, want)
	}
	// A sample that ends with a newline, as a goroutine of a dump does,
	// left a line of spaces after its stack.
	g := Group{Count: 1, State: "select", BlockedIn: Frame{Func: "f"}, Sample: Goroutine{Raw: "goroutine 7 [select]:\nf()\n"}}
	for _, line := range strings.Split(Report([]Group{g, g}), "\n") {
		if strings.TrimSpace(line) == "" {
			t.Errorf("Report has a blank line:\n%s", Report([]Group{g, g}))
			break
		}
	}
	var ids []int
	for i := range 12 {
		ids = append(ids, 100+i)
	}
	if got, want := idList(ids), "100, 101, 102, 103, 104, 105, 106, 107, 108, 109 and 2 more"; got != want {
		t.Errorf("idList = %q, want %q", got, want)
	}
}
