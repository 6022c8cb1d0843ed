package h1

import (
	"bufio"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/google/go-cmp/cmp"
)

func TestReadResponse(t *testing.T) {
	tests := []struct {
		name      string
		give      string
		head      bool
		want      Response
		wantBody  string
		wantErr   error
		wantAfter string // what is left for the next response
	}{
		{
			name: "content length",
			give: "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Type: text/plain\r\n\r\nokNEXT",
			want: Response{Status: 200, Minor: 1, ContentLength: 2}, wantBody: "ok", wantAfter: "NEXT",
		},
		{
			name: "chunked with extension and trailer",
			give: "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, Chunked\r\n\r\n3;x=y\r\nabc\r\nA\r\n0123456789\r\n0\r\nTrailer: v\r\n\r\nNEXT",
			want: Response{Status: 200, Minor: 1, ContentLength: -1, Chunked: true}, wantBody: "abc0123456789", wantAfter: "NEXT",
		},
		{
			name: "until close",
			give: "HTTP/1.1 200 OK\r\n\r\nall of it",
			want: Response{Status: 200, Minor: 1, ContentLength: -1, Close: true}, wantBody: "all of it",
		},
		{
			name: "unknown transfer coding reads until close",
			give: "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\nContent-Length: 3\r\n\r\nabcdef",
			want: Response{Status: 200, Minor: 1, ContentLength: -1, Close: true}, wantBody: "abcdef",
		},
		{
			name: "connection close",
			give: "HTTP/1.1 503 Service Unavailable\r\nconnection: Close\r\ncontent-length: 0\r\n\r\n",
			want: Response{Status: 503, Minor: 1, ContentLength: 0, Close: true},
		},
		{
			name: "HTTP/1.0 closes unless keep-alive",
			give: "HTTP/1.0 200 OK\r\nContent-Length: 1\r\n\r\nx",
			want: Response{Status: 200, Minor: 0, ContentLength: 1, Close: true}, wantBody: "x",
		},
		{
			name: "HTTP/1.0 keep-alive",
			give: "HTTP/1.0 200 OK\r\nConnection: Keep-Alive\r\nContent-Length: 1\r\n\r\nxNEXT",
			want: Response{Status: 200, Minor: 0, ContentLength: 1}, wantBody: "x", wantAfter: "NEXT",
		},
		{
			name: "interim responses are skipped",
			give: "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\nHTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\nNEXT",
			want: Response{Status: 201, Minor: 1, ContentLength: 0}, wantAfter: "NEXT",
		},
		{
			name: "HEAD has no body",
			give: "HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\nNEXT", head: true,
			want: Response{Status: 200, Minor: 1, ContentLength: 0}, wantAfter: "NEXT",
		},
		{
			name: "204 and 304 have no body",
			give: "HTTP/1.1 304 Not Modified\r\nContent-Length: 10\r\n\r\nNEXT",
			want: Response{Status: 304, Minor: 1, ContentLength: 0}, wantAfter: "NEXT",
		},
		{
			name: "bare LF and no reason phrase",
			give: "HTTP/1.1 200\nContent-Length: 2\n\nokNEXT",
			want: Response{Status: 200, Minor: 1, ContentLength: 2}, wantBody: "ok", wantAfter: "NEXT",
		},
		{name: "HTTP/2 status line", give: "HTTP/2 200 OK\r\n\r\n", wantErr: ErrMalformed},
		{name: "short status", give: "HTTP/1.1 20 OK\r\n\r\n", wantErr: ErrMalformed},
		{name: "letters in status", give: "HTTP/1.1 2x0 OK\r\n\r\n", wantErr: ErrMalformed},
		{name: "conflicting lengths", give: "HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n", wantErr: ErrMalformed},
		{name: "negative length", give: "HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n", wantErr: ErrMalformed},
		{name: "header without colon", give: "HTTP/1.1 200 OK\r\nbroken\r\n\r\n", wantErr: ErrMalformed},
		{name: "space in header name", give: "HTTP/1.1 200 OK\r\nContent Length: 1\r\n\r\n", wantErr: ErrMalformed},
		{name: "folded header", give: "HTTP/1.1 200 OK\r\nX: a\r\n b\r\n\r\n", wantErr: ErrMalformed},
		{name: "head cut short", give: "HTTP/1.1 200 OK\r\nContent-Le", wantErr: io.ErrUnexpectedEOF},
		{name: "nothing at all", give: "", wantErr: io.EOF},
		{name: "head too long", give: "HTTP/1.1 200 OK\r\nX: " + strings.Repeat("a", MaxHeaderBytes) + "\r\n\r\n", wantErr: ErrMalformed},
		{
			name: "body cut short",
			give: "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nab",
			want: Response{Status: 200, Minor: 1, ContentLength: 5}, wantBody: "ab", wantErr: io.ErrUnexpectedEOF,
		},
		{
			name: "bad chunk size",
			give: "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
			want: Response{Status: 200, Minor: 1, ContentLength: -1, Chunked: true}, wantErr: ErrMalformed,
		},
		{
			name: "chunk without CRLF",
			give: "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabX",
			want: Response{Status: 200, Minor: 1, ContentLength: -1, Chunked: true}, wantBody: "ab", wantErr: ErrMalformed,
		},
	}
	opts := cmp.Options{cmp.AllowUnexported(Response{}), cmp.FilterPath(func(p cmp.Path) bool {
		switch p.Last().String() {
		case ".Reason", ".body", ".state", ".long":
			return true
		}
		return false
	}, cmp.Ignore())}
	for _, tt := range tests {
		for _, how := range []string{"read", "discard", "one byte at a time"} {
			t.Run(tt.name+"/"+how, func(t *testing.T) {
				var src io.Reader = strings.NewReader(tt.give)
				if how == "one byte at a time" {
					src = iotest.OneByteReader(src)
				}
				br := bufio.NewReaderSize(src, 64) // short, so that long lines are assembled
				var r Response
				err := ReadResponse(br, &r, tt.head, nil)
				if err == nil {
					if diff := cmp.Diff(tt.want, r, opts); diff != "" {
						t.Errorf("response (-want +got):\n%s", diff)
					}
					var body string
					if how == "discard" {
						var n int64
						n, _, err = r.Discard(br, 1<<20)
						body = tt.wantBody[:min(int(n), len(tt.wantBody))]
						if err == nil && int(n) != len(tt.wantBody) {
							t.Errorf("discarded %d bytes, want %d", n, len(tt.wantBody))
						}
					} else {
						var b []byte
						b, err = io.ReadAll(readerFunc(func(p []byte) (int, error) { return r.Read(br, p) }))
						body = string(b)
					}
					if err == nil && body != tt.wantBody {
						t.Errorf("body %q, want %q", body, tt.wantBody)
					}
				}
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("error %v, want %v", err, tt.wantErr)
				}
				if err == nil {
					rest, _ := io.ReadAll(br)
					if string(rest) != tt.wantAfter {
						t.Errorf("left %q for the next response, want %q", rest, tt.wantAfter)
					}
				}
			})
		}
	}
}

type readerFunc func([]byte) (int, error)

func (f readerFunc) Read(p []byte) (int, error) { return f(p) }

func TestDiscardLimit(t *testing.T) {
	tests := []struct {
		name     string
		give     string
		limit    int64
		wantMore bool
	}{
		{name: "fixed within", give: "HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nabcd", limit: 4},
		{name: "fixed over", give: "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nabcde", limit: 4, wantMore: true},
		{name: "chunked over", give: "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n3\r\ndef\r\n0\r\n\r\n", limit: 4, wantMore: true},
		{name: "chunked within", give: "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n1\r\nd\r\n0\r\n\r\n", limit: 4},
		{name: "until close over", give: "HTTP/1.1 200 OK\r\n\r\nabcdefgh", limit: 4, wantMore: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			br := bufio.NewReaderSize(iotest.OneByteReader(strings.NewReader(tt.give)), 16)
			var r Response
			if err := ReadResponse(br, &r, false, nil); err != nil {
				t.Fatal(err)
			}
			_, more, err := r.Discard(br, tt.limit)
			if err != nil || more != tt.wantMore {
				t.Errorf("Discard: more %v, error %v; want more %v, no error", more, err, tt.wantMore)
			}
		})
	}
}

func TestReadResponseHeader(t *testing.T) {
	br := bufio.NewReader(strings.NewReader("HTTP/1.1 100 Continue\r\nX-Interim: 1\r\n\r\nHTTP/1.1 200 OK\r\nX-A: 1\r\nx-a: 2\r\nContent-Length: 0\r\n\r\n"))
	var r Response
	header := http.Header{}
	if err := ReadResponse(br, &r, false, header); err != nil {
		t.Fatal(err)
	}
	want := http.Header{"X-A": {"1", "2"}, "Content-Length": {"0"}}
	if diff := cmp.Diff(want, header); diff != "" {
		t.Errorf("header (-want +got):\n%s", diff)
	}
	if string(r.Reason) != "OK" || r.Proto() != "HTTP/1.1" {
		t.Errorf("reason %q proto %q, want OK and HTTP/1.1", r.Reason, r.Proto())
	}
}

// TestReadResponseAllocatesNothing guards the claim of the package doc.
func TestReadResponseAllocatesNothing(t *testing.T) {
	const one = "HTTP/1.1 200 OK\r\nDate: Mon, 23 Nov 2026 00:00:00 GMT\r\nContent-Length: 2\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nok" +
		"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n"
	src := strings.NewReader("")
	br := bufio.NewReader(src)
	var r Response
	allocs := testing.AllocsPerRun(1000, func() {
		src.Reset(one)
		br.Reset(src)
		for range 2 {
			if err := ReadResponse(br, &r, false, nil); err != nil {
				t.Fatal(err)
			}
			if _, _, err := r.Discard(br, 1<<20); err != nil {
				t.Fatal(err)
			}
		}
	})
	if allocs != 0 {
		t.Errorf("ReadResponse and Discard allocate %v times, want 0", allocs)
	}
}

func BenchmarkReadResponse(b *testing.B) {
	const one = "HTTP/1.1 200 OK\r\nDate: Mon, 23 Nov 2026 00:00:00 GMT\r\nContent-Length: 2\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nok"
	src := strings.NewReader("")
	br := bufio.NewReader(src)
	var r Response
	b.ReportAllocs()
	for b.Loop() {
		src.Reset(one)
		br.Reset(src)
		if err := ReadResponse(br, &r, false, nil); err != nil {
			b.Fatal(err)
		}
		if _, _, err := r.Discard(br, 1<<20); err != nil {
			b.Fatal(err)
		}
	}
}
