// Package shapes gives the fixture types from a second package: an
// exported interface, a type embedding one from main's point of view, and
// unexported methods.
package shapes

type Shape interface {
	Area() float64
	Name() string
}

type Rect struct {
	W, H float64 `unit:"cm"`
	tags map[string][]int
}

func (r Rect) Area() float64  { return r.W * r.H }
func (r Rect) Name() string    { return "rect" }
func (r *Rect) scale(k float64) { r.W *= k; r.H *= k }
func (r *Rect) Grow()           { r.scale(2) }
