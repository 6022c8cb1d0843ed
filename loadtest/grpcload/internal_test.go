package grpcload

import (
	"regexp"
	"testing"
)

func TestTargetHost(t *testing.T) {
	tests := []struct {
		give    string
		want    string
		wantErr bool
	}{
		{give: "localhost:50051", want: "localhost"},
		{give: "127.0.0.1:50051", want: "127.0.0.1"},
		{give: "[::1]:50051", want: "::1"},
		{give: "dns:///localhost:50051", want: "localhost"},
		{give: "dns://8.8.8.8/api.example.com:443", want: "api.example.com"}, // the endpoint, not the DNS server
		{give: "passthrough:///127.0.0.1:8080", want: "127.0.0.1"},
		{give: "passthrough:///bufnet", want: "bufnet"},
		{give: "xds:///payments", want: "payments"},
		{give: "example.com", want: "example.com"},
		{give: "unix:///tmp/svc.sock", want: ""},
		{give: "unix:svc.sock", want: ""},
		{give: "unix-abstract:svc", want: ""},
		{give: "dns:///", wantErr: true},
		{give: "", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.give, func(t *testing.T) {
			got, err := targetHost(tt.give)
			if (err != nil) != tt.wantErr || got != tt.want {
				t.Errorf("targetHost(%q) = %q, %v; want %q, error %v", tt.give, got, err, tt.want, tt.wantErr)
			}
		})
	}
}

func TestTraceRun(t *testing.T) {
	hex16 := regexp.MustCompile(`^[0-9a-f]{16}$`)
	tests := []struct {
		give string
		want string // "" for any 16 hex digits other than the run id
	}{
		{give: "0123456789abcdef", want: "0123456789abcdef"},
		{give: "0000000000000000"},
		{give: "run-7"},
		{give: "0123456789ABCDEF"},
		{give: ""},
	}
	for _, tt := range tests {
		got := traceRun(tt.give)
		switch {
		case !hex16.MatchString(got) || got == "0000000000000000":
			t.Errorf("traceRun(%q) = %q, want 16 hex digits, not all zero", tt.give, got)
		case tt.want != "" && got != tt.want:
			t.Errorf("traceRun(%q) = %q, want %q", tt.give, got, tt.want)
		case tt.want == "" && got == tt.give:
			t.Errorf("traceRun(%q) = the run id, which is no trace id", tt.give)
		}
	}
}
