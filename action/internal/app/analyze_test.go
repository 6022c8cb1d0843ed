package app

import "testing"

func TestFromRoot(t *testing.T) {
	for _, tt := range []struct{ root, at, want string }{
		{"/home/runner/work/shop/shop", "/home/runner/work/shop/shop/cart/cart.go:84", "cart/cart.go:84"},
		{"/home/runner/work/shop/shop/", "/home/runner/work/shop/shop/cart/cart.go:84", "cart/cart.go:84"},
		{"C:/a/shop", "C:/a/shop/cart.go:7", "cart.go:7"},
		{"/home/runner/work/shop/shop", "/home/runner/work/shop/shopx/cart.go:84", "/home/runner/work/shop/shopx/cart.go:84"}, // not under root
		{"/home/runner/work/shop/shop", "/usr/local/go/src/net/http/server.go:3454", "/usr/local/go/src/net/http/server.go:3454"},
		{"", "/x/cart.go:1", "/x/cart.go:1"}, // results of an older manifest
		{"/x", "/x/cart.go", "/x/cart.go"},   // no line: left as it is
	} {
		if got := fromRoot(tt.root, tt.at); got != tt.want {
			t.Errorf("fromRoot(%q, %q) = %q, want %q", tt.root, tt.at, got, tt.want)
		}
	}
}
