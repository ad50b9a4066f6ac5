// dwarfdump is the test oracle of `malgopher types`: it prints what the Go
// linker recorded about the runtime type descriptors in a binary's DWARF
// and symbol table, independently of malgopher.
//
//	type 0xADDR KIND NAME   every DWARF type entry carrying DW_AT_go_runtime_type
//	                        (0x2904, an offset from runtime.types) and DW_AT_go_kind
//	itab 0xADDR NAME        every go:itab.* / go.itab.* symbol
//
// Usage: dwarfdump BINARY.  It reads ELF, PE and Mach-O (thin) files.
package main

import (
	"debug/dwarf"
	"debug/elf"
	"debug/macho"
	"debug/pe"
	"fmt"
	"os"
	"sort"
	"strings"
)

type sym struct {
	name string
	addr uint64
}

func open(path string) (*dwarf.Data, []sym, error) {
	if f, err := elf.Open(path); err == nil {
		d, err := f.DWARF()
		if err != nil {
			return nil, nil, err
		}
		ss, _ := f.Symbols()
		var out []sym
		for _, s := range ss {
			out = append(out, sym{s.Name, s.Value})
		}
		return d, out, nil
	}
	if f, err := macho.Open(path); err == nil {
		d, err := f.DWARF()
		if err != nil {
			return nil, nil, err
		}
		var out []sym
		if f.Symtab != nil {
			for _, s := range f.Symtab.Syms {
				out = append(out, sym{strings.TrimPrefix(s.Name, "_"), s.Value})
			}
		}
		return d, out, nil
	}
	f, err := pe.Open(path)
	if err != nil {
		return nil, nil, fmt.Errorf("not ELF, Mach-O or PE")
	}
	d, err := f.DWARF()
	if err != nil {
		return nil, nil, err
	}
	var base uint64
	switch h := f.OptionalHeader.(type) {
	case *pe.OptionalHeader64:
		base = h.ImageBase
	case *pe.OptionalHeader32:
		base = uint64(h.ImageBase)
	}
	var out []sym
	for _, s := range f.Symbols {
		if s.SectionNumber <= 0 || int(s.SectionNumber) > len(f.Sections) {
			continue
		}
		sec := f.Sections[s.SectionNumber-1]
		out = append(out, sym{s.Name, base + uint64(sec.VirtualAddress) + uint64(s.Value)})
	}
	return d, out, nil
}

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: dwarfdump BINARY")
		os.Exit(2)
	}
	d, syms, err := open(os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, "dwarfdump:", err)
		os.Exit(1)
	}
	var types uint64
	found := false
	var lines []string
	for _, s := range syms {
		if s.name == "runtime.types" {
			types, found = s.addr, true
		}
		if strings.HasPrefix(s.name, "go:itab.") || strings.HasPrefix(s.name, "go.itab.") {
			lines = append(lines, fmt.Sprintf("itab 0x%x %s", s.addr, s.name[len("go:itab."):]))
		}
	}
	if !found {
		fmt.Fprintln(os.Stderr, "dwarfdump: no runtime.types symbol")
		os.Exit(1)
	}
	r := d.Reader()
	for {
		e, err := r.Next()
		if err != nil {
			fmt.Fprintln(os.Stderr, "dwarfdump:", err)
			os.Exit(1)
		}
		if e == nil {
			break
		}
		off, ok := e.Val(0x2904).(uint64)
		if !ok {
			continue
		}
		name, _ := e.Val(dwarf.AttrName).(string)
		kind, _ := e.Val(0x2900).(int64)
		lines = append(lines, fmt.Sprintf("type 0x%x %d %s", types+off, kind, name))
	}
	sort.Strings(lines)
	for _, l := range lines {
		fmt.Println(l)
	}
}
