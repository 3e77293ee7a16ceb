//go:build race

package demo

// raceBuild reports that this binary was built with -race.
const raceBuild = true
