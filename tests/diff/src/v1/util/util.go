// Package util of version 1: Sum and Dropped.
package util

//go:noinline
func Sum(a, b int) int { return a + b }

//go:noinline
func Dropped(x int) int { return x * 7 }
