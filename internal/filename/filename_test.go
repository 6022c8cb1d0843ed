package filename

import (
	"strings"
	"testing"
)

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
		{"at the limit", strings.Repeat("a", MaxLen), strings.Repeat("a", MaxLen)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Safe(tt.give); got != tt.want {
				t.Errorf("Safe(%q) = %q, want %q", tt.give, got, tt.want)
			}
		})
	}
}

// TestSafeLong: a scenario named by a sentence could not have its result
// written (LOADGATE_OUT: open .tmp-…: file name too long); two such names
// that differ only past the limit keep different files.
func TestSafeLong(t *testing.T) {
	long := strings.Repeat("keeps going and going ", 12)
	a, b := Safe(long+"a"), Safe(long+"b")
	for _, s := range []string{a, b} {
		if len(s) > MaxLen {
			t.Errorf("Safe(…) = %q, %d bytes, want at most %d", s, len(s), MaxLen)
		}
		if !strings.HasPrefix(s, "keeps_going_and_going_") {
			t.Errorf("Safe(…) = %q, want the name's first words", s)
		}
	}
	if a == b {
		t.Errorf("Safe gives two long names one file name, %q", a)
	}
	if Safe(long+"a") != a {
		t.Errorf("Safe is not stable")
	}
}
