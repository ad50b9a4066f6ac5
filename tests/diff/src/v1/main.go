// Version 1 of the diff fixture: util (with Dropped), greet v1 and oldlib.
package main

import (
	"fmt"
	"os"

	"example.com/difftool/util"
	"example.com/greet"
	"example.com/oldlib"
)

func main() {
	fmt.Println(greet.Hello("v1"), util.Sum(len(os.Args), 2), util.Dropped(3), oldlib.Old())
	for _, f := range []func() int{func() int { return len(os.Args) }} {
		fmt.Println(f())
	}
}
