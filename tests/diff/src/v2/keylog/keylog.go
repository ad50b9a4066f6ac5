// Package keylog is new in version 2 (the "feature" the diff must reveal).
package keylog

type Logger struct{ keys []string }

//go:noinline
func New() *Logger { return &Logger{} }

//go:noinline
func (l *Logger) Record(k string) { l.keys = append(l.keys, k) }

//go:noinline
func (l *Logger) Count() int { return len(l.keys) }
