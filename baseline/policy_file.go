package baseline

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"

	"github.com/loadgate/loadgate/internal/jsonpos"
)

// LoadPolicy reads a [Policy] written as JSON, such as
//
//	{"rules": {"p99": {"tolerance": 0.10, "warn": 0.05, "floor": 50000}}}
//
// Unknown fields and keys given twice are refused, so that a misspelt or
// repeated rule does not pass silently; errors name the file, line, column
// and field. The policy is validated, its SLA expressions parsed.
func LoadPolicy(path string) (Policy, error) {
	var p Policy
	data, err := os.ReadFile(path)
	if err != nil {
		return p, err
	}
	if string(bytes.TrimSpace(data)) == "null" {
		return Policy{}, fmt.Errorf("%s: null: a policy is a JSON object, such as {\"alpha\": 0.05}", path)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&p); err != nil {
		return Policy{}, fmt.Errorf("%s:%w", path, jsonpos.Locate(data, err, dec.InputOffset(), &p))
	}
	end := dec.InputOffset() // just past the object
	if _, err := dec.Token(); err != io.EOF {
		line, col := jsonpos.Position(data, jsonpos.Trailing(data, end))
		return Policy{}, fmt.Errorf("%s:%d:%d: unexpected data after the policy object", path, line, col)
	}
	if err := jsonpos.Duplicate(data); err != nil {
		return Policy{}, fmt.Errorf("%s:%w", path, err)
	}
	if err := p.Validate(); err != nil {
		return Policy{}, fmt.Errorf("%s: %w", path, err)
	}
	return p, nil
}
