package filename

import (
	"strings"
	"testing"
	"unicode/utf8"
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
		{"accented", "café", "café"},
		{"other scripts", "登录 / 결제", "登录___결제"},
		{"combining mark", "cafe\u0301", "cafe\u0301"},
		{"invisible and odd", "a\u202eb\u200bc\x00d\xffe", "a_b_c_d_e"},
		{"fullwidth slash", "a\uff0fb", "a_b"},
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
	// Cut on a whole rune: a cut through one made a file name that is not
	// UTF-8.
	for pad := range 3 {
		s := Safe(strings.Repeat("a", pad) + strings.Repeat("登录", 100))
		if !utf8.ValidString(s) || len(s) > MaxLen {
			t.Errorf("Safe(%d × 'a' + 200 × CJK) = %q, %d bytes: want valid UTF-8 of at most %d", pad, s, len(s), MaxLen)
		}
	}
}

// TestSafeScriptsApart: scenarios named in a script other than Latin all
// had one file name ("__"), so that their baselines could not be stored
// side by side.
func TestSafeScriptsApart(t *testing.T) {
	names := []string{"登录", "注册", "Вход", "Оплата", "ログイン", "결제"}
	seen := map[string]string{}
	for _, n := range names {
		s := Safe(n)
		if other, ok := seen[s]; ok {
			t.Errorf("Safe(%q) = Safe(%q) = %q", n, other, s)
		}
		seen[s] = n
	}
}
