// Package greet, the version v2 of the fixture uses: Goodbye is new.
package greet

//go:noinline
func Hello(n string) string { return "hello " + n }

//go:noinline
func Goodbye(n string) string { return "goodbye " + n }
