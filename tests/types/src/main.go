// The types fixture: struct tags, generics, embedded fields, interfaces,
// closures, channels, arrays and a linked list.  Run, it prints what
// reflect says of each type as JSON Lines, the oracle tests/types compares
// `malgopher types --json` against field by field.
package main

import (
	"encoding/json"
	"fmt"
	"os"
	"reflect"

	"example.com/typesfixture/shapes"
)

type Node struct {
	next *Node
	Val  int32 `json:"val"`
}

type Header struct {
	Magic   [4]byte `bin:"magic"`
	Version uint16  `bin:"ver" json:"version,omitempty"`
}

type Config struct {
	Header
	*shapes.Rect
	C2      string            `json:"c2" yaml:"server"`
	Ports   []uint16          `json:"ports"`
	Extra   map[string]string `json:"extra,omitempty"`
	Retry   chan<- int
	Done    <-chan struct{}
	OnEvent func(string, ...int) error
	list    *Node
	beacon  float64
}

func (c Config) Server() string { return c.C2 }
func (c Config) port() uint16   { return c.Ports[0] }
func (c *Config) SetServer(s string) {
	c.C2 = s
}

type Pair[K comparable, V any] struct {
	Key K `json:"k"`
	Val V `json:"v"`
}

func (p Pair[K, V]) First() K { return p.Key }

type Beacon interface {
	shapes.Shape
	Send(msg []byte) (int, error)
	close()
}

type Agent struct{ id int }

func (a *Agent) Area() float64             { return 0 }
func (a *Agent) Name() string              { return "agent" }
func (a *Agent) Send(m []byte) (int, error) { return len(m), nil }
func (a *Agent) close()                    {}

type Level uint8

func (l Level) String() string { return fmt.Sprint(uint8(l)) }

type field struct {
	Name     string `json:"name"`
	Type     string `json:"type"`
	Offset   uintptr `json:"offset"`
	Tag      string `json:"tag"`
	Embedded bool   `json:"embedded"`
}

type record struct {
	Name       string   `json:"name"`
	Kind       string   `json:"kind"`
	Size       uintptr  `json:"size"`
	PkgPath    string   `json:"pkg_path"`
	Fields     []field  `json:"fields"`
	Methods    []string `json:"methods"`
	Elem       string   `json:"elem"`
	Key        string   `json:"key"`
}

func describe(t reflect.Type) record {
	r := record{Name: t.String(), Kind: t.Kind().String(), Size: t.Size(), PkgPath: t.PkgPath(),
		Fields: []field{}, Methods: []string{}}
	if t.Kind() == reflect.Struct {
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			r.Fields = append(r.Fields, field{f.Name, f.Type.String(), f.Offset, string(f.Tag), f.Anonymous})
		}
	}
	for i := 0; i < t.NumMethod(); i++ {
		r.Methods = append(r.Methods, t.Method(i).Name)
	}
	switch t.Kind() {
	case reflect.Array, reflect.Chan, reflect.Map, reflect.Pointer, reflect.Slice:
		r.Elem = t.Elem().String()
	}
	if t.Kind() == reflect.Map {
		r.Key = t.Key().String()
	}
	return r
}

func main() {
	n := &Node{Val: 1}
	n.next = n
	var b Beacon = &Agent{7}
	c := &Config{C2: "10.0.0.1:443", Ports: []uint16{443}, Rect: &shapes.Rect{W: 1, H: 2}}
	c.SetServer(c.Server())
	count := 0
	closure := func(s string, xs ...int) error { count += len(s) + len(xs); return nil }
	c.OnEvent = closure
	_ = c.OnEvent("x", 1, 2)
	var s shapes.Shape = shapes.Rect{W: 3}
	values := []interface{}{
		*n, n, *c, c, Pair[string, int]{"a", 1}, Pair[int, []byte]{}, Header{}, Level(3),
		(*Beacon)(nil), &b, s, closure, map[string]*Node{}, [3]Pair[string, int]{}, make(chan Level),
		c.port(), b.Name(),
	}
	enc := json.NewEncoder(os.Stdout)
	for _, v := range values {
		t := reflect.TypeOf(v)
		if err := enc.Encode(describe(t)); err != nil {
			os.Exit(1)
		}
		if t.Kind() == reflect.Pointer && t.Elem().Kind() == reflect.Interface {
			if err := enc.Encode(describe(t.Elem())); err != nil {
				os.Exit(1)
			}
		}
	}
	b.close()
	fmt.Fprintln(os.Stderr, count, s.Area())
}
