package stack

import (
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParseProfileCaptured(t *testing.T) {
	// Captured from examples/shop/cmd/shopd -leak after five GET /products.
	f, err := os.Open("testdata/goroutine-debug1.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := ParseProfile(f)
	if err != nil {
		t.Fatal(err)
	}
	total := 0
	for _, r := range recs {
		total += r.Count
	}
	if len(recs) != 7 || total != 11 {
		t.Errorf("got %d records of %d goroutines, want 7 of 11 (the header's total)", len(recs), total)
	}
	leak := recs[0]
	want := Frame{Func: "github.com/loadgate/loadgate/examples/shop.(*Server).listProducts.func1", File: "/work/main/examples/shop/shop.go", Line: 151}
	if leak.Count != 5 || leak.BlockedIn() != want {
		t.Errorf("first record = %d in %+v, want 5 in %+v", leak.Count, leak.BlockedIn(), want)
	}
	accept := recs[3]
	if got := accept.BlockedIn().Func; got != "net.(*netFD).accept" {
		t.Errorf("accept loop blocked in %q, want net.(*netFD).accept (past internal/poll)", got)
	}
	if got := recs[6]; got.Count != 1 || len(got.Frames) != 0 || got.BlockedIn() != (Frame{}) {
		t.Errorf("last record = %+v, want one goroutine without frames", got)
	}
	if got, want := accept.Stack(2), "internal/poll.runtime_pollWait\n\t/usr/local/go/src/runtime/netpoll.go:351\n"+
		"internal/poll.(*pollDesc).wait\n\t/usr/local/go/src/internal/poll/fd_poll_runtime.go:84\n...7 frames elided..."; got != want {
		t.Errorf("Stack(2) =\n%s\nwant\n%s", got, want)
	}
}

func TestParseProfile(t *testing.T) {
	tests := []struct {
		name    string
		give    string
		want    []Record
		wantErr string
	}{
		{
			name: "labels and no header",
			give: "2 @ 0x1 0x2\n# labels: {\"handler\":\"/products\"}\n#\t0x1\texample.com/a.f+0x10\t/a/f.go:3\n#\t0x2\texample.com/a.g+0x2\t\t/a/g.go:9\n",
			want: []Record{{Count: 2, Labels: `{"handler":"/products"}`, Frames: []Frame{
				{Func: "example.com/a.f", File: "/a/f.go", Line: 3}, {Func: "example.com/a.g", File: "/a/g.go", Line: 9},
			}}},
		},
		{
			name: "frame without file",
			give: "goroutine profile: total 1\n1 @ 0x1\n#\t0x1\texample.com/a.f+0x10\n",
			want: []Record{{Count: 1, Frames: []Frame{{Func: "example.com/a.f"}}}},
		},
		{
			name:    "an HTML page",
			give:    "<html>\n<body>404 page not found</body>\n",
			wantErr: `line 1: want "N @ 0x…", "# labels:" or a frame, got "<html>"`,
		},
		{
			name:    "frame outside a record",
			give:    "goroutine profile: total 1\n#\t0x1\tf+0x1\t/a.go:1\n",
			wantErr: "line 2: want",
		},
		{
			name:    "bad frame",
			give:    "1 @ 0x1\n#\tf+0x1\n",
			wantErr: "line 2: want a frame",
		},
		{
			name:    "empty",
			give:    "",
			wantErr: "line 1: empty profile",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseProfile(strings.NewReader(tt.give))
			if tt.wantErr != "" {
				var se *SyntaxError
				if !errors.As(err, &se) || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error = %v, want a *SyntaxError containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("ParseProfile (-want +got):\n%s", diff)
			}
		})
	}
}
