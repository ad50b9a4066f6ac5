// Package greet, the version v1 of the fixture uses.
package greet

//go:noinline
func Hello(n string) string { return "hello " + n }
