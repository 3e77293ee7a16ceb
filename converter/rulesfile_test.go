package converter

import (
	"encoding/json"
	"io/fs"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestCommittedRulesFileIsTheDefaultRules(t *testing.T) {
	rules, err := LoadRulesFile(filepath.Join("testdata", "rules.json"))
	require.NoError(t, err)
	assert.Equal(t, DefaultRules(), rules)
}

func TestLoadRulesReadsWhatJSONWrites(t *testing.T) {
	data, err := json.Marshal(DefaultRules())
	require.NoError(t, err)
	rules, err := LoadRules(strings.NewReader(string(data)))
	require.NoError(t, err)
	assert.Equal(t, DefaultRules(), rules)
}

func TestLoadRulesRefusesBadFiles(t *testing.T) {
	const tiers = `"tiers": [{"from": 0, "rate": {"a": 10, "b": 7}}, {"from": 100000, "rate": {"a": 10, "b": 8}}]`
	tests := []struct {
		name    string
		json    string
		message string
	}{
		{"an unknown field is refused", `{"minimum": 1000, "step": 100, "maximum": 10000000, "bonus": 5, ` + tiers + `}`,
			`unknown field "bonus"`},
		{"a misspelled field is refused", `{"minimun": 1000, "step": 100, "maximum": 10000000, ` + tiers + `}`,
			`unknown field "minimun"`},
		{"an unknown field in a rate is refused",
			`{"minimum": 1000, "step": 100, "maximum": 10000000, "tiers": [{"from": 0, "rate": {"a": 10, "b": 7, "c": 1}}]}`,
			`unknown field "c"`},
		{"a fractional number is refused", `{"minimum": 1000.5, "step": 100, "maximum": 10000000, ` + tiers + `}`,
			"cannot unmarshal number 1000.5"},
		{"a number in a string is refused", `{"minimum": "1000", "step": 100, "maximum": 10000000, ` + tiers + `}`,
			"cannot unmarshal string"},
		{"data after the object is refused", `{"minimum": 1000, "step": 100, "maximum": 10000000, ` + tiers + `} {}`,
			"data after the rules object"},
		{"truncated JSON is refused", `{"minimum": 1000, "step": 100`, "unexpected EOF"},
		{"an empty file is refused", ``, "EOF"},
		{"null is refused by validation", `null`, "step is 0"},
		{"a zero step is refused", `{"minimum": 1000, "step": 0, "maximum": 10000000, ` + tiers + `}`, "step is 0"},
		{"a missing step is refused", `{"minimum": 1000, "maximum": 10000000, ` + tiers + `}`, "step is 0"},
		{"a zero denominator is refused",
			`{"minimum": 1000, "step": 100, "maximum": 10000000, "tiers": [{"from": 0, "rate": {"a": 0, "b": 7}}]}`,
			"zero denominator"},
		{"overlapping tiers are refused",
			`{"minimum": 1000, "step": 100, "maximum": 10000000, "tiers": [{"from": 0, "rate": {"a": 10, "b": 7}}, {"from": 0, "rate": {"a": 10, "b": 8}}]}`,
			"overlap"},
		{"unordered tiers are refused",
			`{"minimum": 1000, "step": 100, "maximum": 10000000, "tiers": [{"from": 0, "rate": {"a": 10, "b": 7}}, {"from": 100000, "rate": {"a": 10, "b": 8}}, {"from": 50000, "rate": {"a": 10, "b": 9}}]}`,
			"unordered"},
		{"a minimum above the maximum is refused", `{"minimum": 20000000, "step": 100, "maximum": 10000000, ` + tiers + `}`,
			"above the maximum"},
		{"no tiers are refused", `{"minimum": 1000, "step": 100, "maximum": 10000000, "tiers": []}`, "no tiers"},
		{"a file too large is refused", `{"minimum": 1000` + strings.Repeat(" ", maxRulesSize) + `}`, "larger than"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := LoadRules(strings.NewReader(tt.json))
			require.ErrorIs(t, err, ErrInvalidRules)
			assert.Contains(t, err.Error(), tt.message)
		})
	}
}

func TestLoadRulesFileNamesTheFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "bad.json")
	require.NoError(t, writeFile(path, `{"step": 0}`))
	_, err := LoadRulesFile(path)
	require.ErrorIs(t, err, ErrInvalidRules)
	assert.Contains(t, err.Error(), path)

	_, err = LoadRulesFile(filepath.Join(t.TempDir(), "missing.json"))
	assert.ErrorIs(t, err, fs.ErrNotExist)
}
