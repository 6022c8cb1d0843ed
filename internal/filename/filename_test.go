package filename

import "testing"

func TestSafe(t *testing.T) {
	tests := []struct {
		name string
		give string
		want string
	}{
		{"plain", "checkout-v2_a.b", "checkout-v2_a.b"},
		{"space", "checkout v2", "checkout_v2"},
		{"slash", "TestLoad/checkout", "TestLoad_checkout"},
		{"backslash and colon", `a\b:c`, "a_b_c"},
		{"non-ASCII", "café", "caf_"},
		{"dots trimmed", "..hidden.", "hidden"},
		{"parent", "..", "scenario"},
		{"empty", "", "scenario"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Safe(tt.give); got != tt.want {
				t.Errorf("Safe(%q) = %q, want %q", tt.give, got, tt.want)
			}
		})
	}
}
