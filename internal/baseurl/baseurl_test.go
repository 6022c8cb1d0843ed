package baseurl

import (
	"strings"
	"testing"
)

func TestParse(t *testing.T) {
	tests := []struct {
		name    string
		give    string
		want    string
		wantErr string
	}{
		{name: "loopback", give: "http://127.0.0.1:8080", want: "http://127.0.0.1:8080"},
		{name: "trailing slash", give: "http://127.0.0.1:8080/", want: "http://127.0.0.1:8080"},
		{name: "path prefix", give: "https://Staging.Example.com/shop//", want: "https://staging.example.com/shop"},
		{name: "scheme in capitals", give: "HTTP://localhost:1", want: "http://localhost:1"},
		{name: "IPv6", give: "http://[::1]:8080", want: "http://[::1]:8080"},
		{name: "padded", give: "  http://127.0.0.1:1 ", want: "http://127.0.0.1:1"},
		{name: "empty", give: " ", wantErr: "empty"},
		{name: "no scheme", give: "127.0.0.1:8080", wantErr: "want an absolute http:// or https:// URL"},
		{name: "host alone", give: "staging.example.com", wantErr: "want an absolute http:// or https:// URL"},
		{name: "other scheme", give: "ftp://staging.example.com", wantErr: "want an absolute http:// or https:// URL"},
		{name: "no host", give: "http:///products", wantErr: "no host"},
		{name: "port alone", give: "http://:8080", wantErr: "no host"},
		{name: "opaque", give: "http:staging.example.com", wantErr: "want an absolute http:// or https:// URL"},
		{name: "user info", give: "https://ann:secret@staging.example.com", wantErr: "user info is not allowed"},
		{name: "query", give: "http://127.0.0.1:1/?debug=1", wantErr: "a query is not allowed"},
		{name: "empty query", give: "http://127.0.0.1:1/?", wantErr: "a query is not allowed"},
		{name: "fragment", give: "http://127.0.0.1:1/#top", wantErr: "a fragment is not allowed"},
		{name: "bad escape", give: "http://127.0.0.1:1/%zz", wantErr: "not a URL"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Parse(tt.give)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("Parse(%q) = %q, %v; want an error containing %q", tt.give, got, err, tt.wantErr)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Errorf("Parse(%q) = %q, %v; want %q", tt.give, got, err, tt.want)
			}
		})
	}
}
