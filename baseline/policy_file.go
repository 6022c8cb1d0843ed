package baseline

import (
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"

	"github.com/loadgate/loadgate/internal/jsonpos"
)

// LoadPolicy reads a [Policy] written as JSON, such as
//
//	{"rules": {"p99": {"tolerance": 0.10, "warn": 0.05, "floor": 50000}}}
//
// Unknown fields and keys given twice are refused, so that a misspelt or
// repeated rule does not pass silently; errors name the file, line, column
// and field. The policy is validated, its SLA expressions parsed; each
// problem is an error line of its own, at the line and column of the value
// at fault.
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
	if probs := p.problems(); len(probs) > 0 {
		return Policy{}, placeProblems(path, data, probs)
	}
	return p, nil
}

// placeProblems turns the problems of the policy in the file at path,
// whose contents are data, into one error with a line per problem, each
// at the line and column of its value, or of the nearest enclosing one
// the file holds (a warn_below over a default fail_below is placed at the
// scorecard), in the order of the file.
func placeProblems(path string, data []byte, probs []problem) error {
	type placed struct {
		off int64
		err error
	}
	var out []placed
	for _, pr := range probs {
		var off int64
		for n := len(pr.at); n > 0; n-- {
			if o, ok := jsonpos.Find(data, pr.at[:n]...); ok {
				off = o
				break
			}
		}
		line, col := jsonpos.Position(data, off)
		out = append(out, placed{off, fmt.Errorf("%s:%d:%d: policy: %w", path, line, col, pr.err)})
	}
	slices.SortStableFunc(out, func(a, b placed) int { return cmp.Compare(a.off, b.off) })
	errs := make([]error, len(out))
	for i, p := range out {
		errs[i] = p.err
	}
	return errors.Join(errs...)
}
