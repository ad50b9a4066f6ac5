// Package extra: a dependency only version 2 has.
package extra

//go:noinline
func Extra() int { return 2 }
