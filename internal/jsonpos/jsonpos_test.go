package jsonpos

import "testing"

func TestPosition(t *testing.T) {
	data := []byte("{\n  \"a\": x\n}")
	tests := []struct {
		name              string
		give              int64
		wantLine, wantCol int
	}{
		{name: "start", give: 0, wantLine: 1, wantCol: 1},
		{name: "second line", give: 9, wantLine: 2, wantCol: 8},
		{name: "past the end", give: 100, wantLine: 3, wantCol: 2},
		{name: "negative", give: -5, wantLine: 1, wantCol: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if line, col := Position(data, tt.give); line != tt.wantLine || col != tt.wantCol {
				t.Errorf("Position(%d) = %d:%d, want %d:%d", tt.give, line, col, tt.wantLine, tt.wantCol)
			}
		})
	}
}
