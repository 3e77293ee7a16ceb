package iobound

import (
	"errors"
	"fmt"
	"time"
)

// ErrNegativeSetting is wrapped by the error of a model given a negative
// setting: a Timeout, a BodyCap, a number of workers. In every model zero
// means the setting's default and a negative value is this error, returned
// before any work starts.
var ErrNegativeSetting = errors.New("iobound: a setting is negative; zero means its default")

// Setting is one named setting of a model, for CheckSettings.
type Setting struct {
	Name  string
	Value int64
}

// Timeout names a model's Timeout setting.
func Timeout(d time.Duration) Setting { return Setting{"Timeout", int64(d)} }

// BodyCap names a model's BodyCap setting.
func BodyCap(n int64) Setting { return Setting{"BodyCap", n} }

// Count names a count setting, such as a number of workers.
func Count(name string, n int) Setting { return Setting{name, int64(n)} }

// CheckSettings returns an error wrapping ErrNegativeSetting, prefixed
// with model, for the first negative setting; nil when there is none.
func CheckSettings(model string, settings ...Setting) error {
	for _, s := range settings {
		if s.Value < 0 {
			v := fmt.Sprint(s.Value)
			if s.Name == "Timeout" {
				v = time.Duration(s.Value).String()
			}
			return fmt.Errorf("%s: %s is %s: %w", model, s.Name, v, ErrNegativeSetting)
		}
	}
	return nil
}
