package converter

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
)

// maxRulesSize bounds a rules file: a few tiers take a few hundred bytes.
const maxRulesSize = 1 << 20

// LoadRules reads rules as JSON, in the shape of testdata/rules.json:
//
//	{
//	  "minimum": 1000, "step": 100, "maximum": 10000000,
//	  "tiers": [
//	    {"from": 0,      "rate": {"a": 10, "b": 7}},
//	    {"from": 100000, "rate": {"a": 10, "b": 8}}
//	  ]
//	}
//
// Decoding is strict: an unknown or misspelled field, a second JSON value
// after the first, or a number that is not an integer is an error, because
// a typo in a rules file should stop a conversion, not silently change it.
// The rules are then validated (Rules.Validate); every error from a file
// that decodes but does not make sense wraps ErrInvalidRules.
func LoadRules(r io.Reader) (Rules, error) {
	data, err := io.ReadAll(io.LimitReader(r, maxRulesSize+1))
	if err != nil {
		return Rules{}, fmt.Errorf("converter: read rules: %w", err)
	}
	if len(data) > maxRulesSize {
		return Rules{}, fmt.Errorf("converter: %w: file larger than %d bytes", ErrInvalidRules, maxRulesSize)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var rules Rules
	if err := dec.Decode(&rules); err != nil {
		return Rules{}, fmt.Errorf("converter: %w: %w", ErrInvalidRules, err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return Rules{}, fmt.Errorf("converter: %w: data after the rules object", ErrInvalidRules)
	}
	if err := rules.Validate(); err != nil {
		return Rules{}, err
	}
	return rules, nil
}

// LoadRulesFile reads rules from the JSON file at path (see LoadRules).
func LoadRulesFile(path string) (Rules, error) {
	f, err := os.Open(path)
	if err != nil {
		return Rules{}, fmt.Errorf("converter: %w", err)
	}
	defer f.Close()
	rules, err := LoadRules(f)
	if err != nil {
		return Rules{}, fmt.Errorf("%s: %w", path, err)
	}
	return rules, nil
}
