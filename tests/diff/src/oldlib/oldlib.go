// Package oldlib: a dependency only version 1 has.
package oldlib

//go:noinline
func Old() int { return 1 }
