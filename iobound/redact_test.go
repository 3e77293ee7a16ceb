package iobound

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestRedact(t *testing.T) {
	tests := []struct {
		name, raw, want string
	}{
		{"a URL without credentials is unchanged", "http://127.0.0.1:8080/big?x=1", "http://127.0.0.1:8080/big?x=1"},
		{"a password is replaced", "http://user:secret@127.0.0.1/big", "http://user:xxxxx@127.0.0.1/big"},
		{"a user without a password is kept", "http://user@127.0.0.1/", "http://user@127.0.0.1/"},
		{"a URL that does not parse is redacted by hand", "http://user:secret@127.0.0.1:bad%zz/x", "http://user:xxxxx@127.0.0.1:bad%zz/x"},
		{"not a URL at all is unchanged", "no scheme here", "no scheme here"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, Redact(tt.raw))
		})
	}
}
