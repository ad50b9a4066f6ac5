// Package util of version 2: Dropped is gone.
package util

//go:noinline
func Sum(a, b int) int { return a + b }
