package baseline

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"

	"github.com/loadgate/loadgate/internal/jsonpos"
)

// LoadPolicy reads a [Policy] written as JSON, such as
//
//	{"rules": {"p99": {"tolerance": 0.10, "warn": 0.05, "floor": 50000}}}
//
// Unknown fields are refused, so that a misspelt rule does not pass
// silently; errors name the file, line, column and field. The policy is
// validated.
func LoadPolicy(path string) (Policy, error) {
	var p Policy
	data, err := os.ReadFile(path)
	if err != nil {
		return p, err
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&p); err != nil {
		return Policy{}, fmt.Errorf("%s:%w", path, jsonpos.Locate(data, err, dec.InputOffset(), &p))
	}
	if err := p.Validate(); err != nil {
		return Policy{}, fmt.Errorf("%s: %w", path, err)
	}
	return p, nil
}
