package scale

import "testing"

func TestParse(t *testing.T) {
	tests := []struct {
		give    string
		want    float64
		wantErr bool
	}{
		{give: "1", want: 1},
		{give: " 0.1 ", want: 0.1},
		{give: "2.5", want: 2.5},
		{give: "1e6", want: 1e6},
		{give: "", wantErr: true},
		{give: "0", wantErr: true},
		{give: "-1", wantErr: true},
		{give: "NaN", wantErr: true},
		{give: "Inf", wantErr: true},
		{give: "1e9", wantErr: true},
		{give: "x", wantErr: true},
		{give: "10%", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.give, func(t *testing.T) {
			got, err := Parse(tt.give)
			if (err != nil) != tt.wantErr || got != tt.want {
				t.Errorf("Parse(%q) = %v, %v; want %v (error: %v)", tt.give, got, err, tt.want, tt.wantErr)
			}
		})
	}
}
