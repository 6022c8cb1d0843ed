package grpccode

import "testing"

func TestNames(t *testing.T) {
	tests := []struct {
		give     uint32
		wantName string
		wantKind string
	}{
		{give: 0, wantName: "OK", wantKind: "grpc_ok"},
		{give: 1, wantName: "CANCELLED", wantKind: "grpc_cancelled"},
		{give: 4, wantName: "DEADLINE_EXCEEDED", wantKind: "grpc_deadline_exceeded"},
		{give: 14, wantName: "UNAVAILABLE", wantKind: "grpc_unavailable"},
		{give: 16, wantName: "UNAUTHENTICATED", wantKind: "grpc_unauthenticated"},
		{give: 17, wantName: "CODE_17", wantKind: "grpc_code_17"},
	}
	for _, tt := range tests {
		t.Run(tt.wantName, func(t *testing.T) {
			if got := Name(tt.give); got != tt.wantName {
				t.Errorf("Name(%d) = %q, want %q", tt.give, got, tt.wantName)
			}
			if got := Kind(tt.give); got != tt.wantKind {
				t.Errorf("Kind(%d) = %q, want %q", tt.give, got, tt.wantKind)
			}
		})
	}
}

func TestLookup(t *testing.T) {
	tests := []struct {
		give   string
		want   string
		wantOK bool
	}{
		{give: "UNAVAILABLE", want: "UNAVAILABLE", wantOK: true},
		{give: "unavailable", want: "UNAVAILABLE", wantOK: true},
		{give: "Deadline_Exceeded", want: "DEADLINE_EXCEEDED", wantOK: true},
		{give: "Canceled", wantOK: false}, // grpc-go's spelling, not the specification's
		{give: "DeadlineExceeded", wantOK: false},
		{give: "CODE_17", want: "CODE_17", wantOK: true}, // as results name a code outside the specification
		{give: "code_42", want: "CODE_42", wantOK: true},
		{give: "CODE_5", want: "NOT_FOUND", wantOK: true},
		{give: "CODE_017", wantOK: false},
		{give: "CODE_+17", wantOK: false},
		{give: "CODE_", wantOK: false},
		{give: "CODE_99999999999", wantOK: false},
		{give: "", wantOK: false},
	}
	for _, tt := range tests {
		t.Run(tt.give, func(t *testing.T) {
			got, ok := Lookup(tt.give)
			if got != tt.want || ok != tt.wantOK {
				t.Errorf("Lookup(%q) = %q, %v; want %q, %v", tt.give, got, ok, tt.want, tt.wantOK)
			}
		})
	}
}

func TestSuggest(t *testing.T) {
	tests := []struct {
		give   string
		want   string
		wantOK bool
	}{
		{give: "Canceled", want: "CANCELLED", wantOK: true}, // grpc-go spells it with one L
		{give: "DeadlineExceeded", want: "DEADLINE_EXCEEDED", wantOK: true},
		{give: "NotFound", want: "NOT_FOUND", wantOK: true},
		{give: "resourceexhausted", want: "RESOURCE_EXHAUSTED", wantOK: true},
		{give: "Unavailable", want: "UNAVAILABLE", wantOK: true},
		{give: "UNAVAILABLE_NOW", wantOK: false},
		{give: "", wantOK: false},
	}
	for _, tt := range tests {
		t.Run(tt.give, func(t *testing.T) {
			got, ok := Suggest(tt.give)
			if got != tt.want || ok != tt.wantOK {
				t.Errorf("Suggest(%q) = %q, %v; want %q, %v", tt.give, got, ok, tt.want, tt.wantOK)
			}
		})
	}
}
