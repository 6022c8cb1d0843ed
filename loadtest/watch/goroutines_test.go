package watch

import (
	"strings"
	"testing"

	"github.com/loadgate/loadgate/internal/stack"
)

// TestGrowthLeavesOutTheWatchersRequest checks that the goroutines that
// come and go with the watcher's own request for the profile are not
// growth: a goroutine without frames (created, not yet run), and net/http's
// background reader of the connection the profile is read on. Reading a
// real service's profile showed them as "server goroutines in unknown:
// 0→1" and "in net.(*netFD).Read: 0→1" after a run that leaked nothing.
func TestGrowthLeavesOutTheWatchersRequest(t *testing.T) {
	before := `goroutine profile: total 2
1 @ 0x449db1 0x48a43d 0x691151
#	0x6a80a9	net/http/pprof.handler.ServeHTTP+0x529	/go/src/net/http/pprof/pprof.go:273
#	0x64fd6f	net/http.(*conn).serve+0x68f		/go/src/net/http/server.go:2067

1 @ 0x48b66e 0x44d757 0x48a845 0x4e2aa7 0x4e40cc 0x4e40ba 0x529e29
#	0x4e40b9	internal/poll.(*FD).Accept+0x279		/go/src/internal/poll/fd_unix.go:613
#	0x654b8b	net/http.(*Server).Serve+0x30b			/go/src/net/http/server.go:3434

`
	after := before + `1 @ 0x492da1

1 @ 0x48b66e 0x44d757 0x48a845 0x4e2aa7 0x4e35ae 0x4e359c 0x528ee5 0x531f45 0x649b53 0x492da1
#	0x48a844	internal/poll.runtime_pollWait+0x84		/go/src/runtime/netpoll.go:351
#	0x528ee4	net.(*netFD).Read+0x24				/go/src/net/fd_posix.go:68
#	0x531f44	net.(*conn).Read+0x44				/go/src/net/net.go:196
#	0x649b52	net/http.(*connReader).backgroundRead+0x32	/go/src/net/http/server.go:702

2 @ 0x48bd6e 0x41ae2e 0x7c1bb9 0x4936e1
#	0x7c1bb8	example.com/shop.leak.func1+0x18	/src/shop/shop.go:151

`
	parse := func(s string) map[string]goroutineGroup {
		recs, err := stack.ParseProfile(strings.NewReader(s))
		if err != nil {
			t.Fatal(err)
		}
		return groupRecords(recs)
	}
	got := growth(parse(before), parse(after))
	if len(got) != 1 || got[0].Function != "example.com/shop.leak.func1" || got[0].After != 2 {
		t.Errorf("growth = %+v, want only example.com/shop.leak.func1 0→2", got)
	}
}
