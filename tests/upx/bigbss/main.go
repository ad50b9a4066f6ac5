// A Go program whose PE image is mostly .bss (40 MiB of zeroed globals
// after a 12 MiB read-only text embedded from words.txt, which the test
// writes): the shape of real Go PE files, whose .data virtual size holds
// .bss and .noptrbss (tests/upx/test_upx_pe_mem.sh).
package main

import (
	_ "embed"
	"os"
)

//go:embed words.txt
var words string

var big [40 << 20]byte

func main() {
	big[len(os.Args)] = words[len(os.Args)]
	os.Stdout.WriteString(words[:8])
	if big[7] != 0 {
		os.Exit(int(big[3]))
	}
}
