package iobound_test

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"

	"conclab/iobound"
)

func TestReportCountsSuccessfulBodies(t *testing.T) {
	failed := errors.New("500 Internal Server Error")
	tests := []struct {
		name    string
		results []iobound.Result
		bytes   int64
		failed  int
	}{
		{"an empty report counts nothing", nil, 0, 0},
		{"every successful body is counted", []iobound.Result{{Bytes: 100}, {Bytes: 20}}, 120, 0},
		{"a failed result's body is not", []iobound.Result{{Bytes: 100}, {Bytes: 33, Err: failed}}, 100, 1},
		{"nothing is counted when every result failed", []iobound.Result{{Bytes: 7, Err: failed}, {Err: failed}}, 0, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rep := iobound.Report{Results: tt.results}
			assert.Equal(t, tt.bytes, rep.Bytes())
			assert.Equal(t, tt.failed, rep.Failed())
		})
	}
}
