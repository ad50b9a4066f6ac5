// Version 2 of the diff fixture: util loses Dropped, a new package keylog,
// greet bumped to v1.1.0 (another local directory), extra instead of oldlib.
package main

import (
	"fmt"
	"os"

	"example.com/difftool/keylog"
	"example.com/difftool/util"
	"example.com/extra"
	"example.com/greet"
)

func main() {
	fmt.Println(greet.Hello("v2"), greet.Goodbye("v2"), util.Sum(len(os.Args), 2), extra.Extra())
	for _, f := range []func() int{func() int { return len(os.Args) }} {
		fmt.Println(f())
	}
	k := keylog.New()
	k.Record(os.Args[0])
	fmt.Println(k.Count())
}
