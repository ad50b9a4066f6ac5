// Command gosym_funcs is malgopher's second, independent oracle: it lists the
// functions of a Go executable's pclntab using only the Go standard library
// (debug/gosym with debug/elf, debug/pe, debug/macho). It owns nothing else.
//
// Usage: gosym_funcs [-arch x86_64|arm64] FILE
//
// Output: one line per functab entry, in table (= address) order:
//
//	<entry address, lowercase hex, no 0x, no leading zeros>\t<name>
//
// Locating the pclntab: ELF section .gopclntab, Mach-O section __gopclntab,
// PE symbols runtime.pclntab..runtime.epclntab. When none of these exist
// (e.g. a stripped PE) every section is scanned for a Go 1.18+ pcHeader
// (magic 0xfffffff0 in either byte order, two zero bytes, pc quantum 1/2/4,
// pointer size 4/8). The text start handed to debug/gosym is the pcHeader's
// own textStart field; the start of the text section is printed to stderr
// only when it differs, as a warning.
package main

import (
	"bytes"
	"debug/elf"
	"debug/gosym"
	"debug/macho"
	"debug/pe"
	"encoding/binary"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
)

type section struct {
	name string
	addr uint64
	data func() ([]byte, error)
}

// image is the little we need from an executable, whatever its container.
type image struct {
	pclntab  []byte    // from a named section or symbol pair, if found
	textAddr uint64    // start of the text section (for the warning only)
	sections []section // for the magic scan fallback
}

func main() {
	arch := flag.String("arch", "", "slice of a fat Mach-O: x86_64 or arm64")
	flag.Parse()
	if flag.NArg() != 1 {
		fmt.Fprintln(os.Stderr, "usage: gosym_funcs [-arch x86_64|arm64] FILE")
		os.Exit(2)
	}
	img, err := open(flag.Arg(0), *arch)
	if err != nil {
		fmt.Fprintln(os.Stderr, "gosym_funcs:", err)
		os.Exit(1)
	}
	tab := img.pclntab
	if tab == nil {
		tab = scan(img.sections)
	}
	if tab == nil {
		fmt.Fprintln(os.Stderr, "gosym_funcs: no pclntab found")
		os.Exit(1)
	}
	textStart, err := headerTextStart(tab)
	if err != nil {
		fmt.Fprintln(os.Stderr, "gosym_funcs:", err)
		os.Exit(1)
	}
	if img.textAddr != 0 && img.textAddr != textStart {
		fmt.Fprintf(os.Stderr, "gosym_funcs: warning: text section at %#x, pcHeader.textStart %#x\n",
			img.textAddr, textStart)
	}
	table, err := gosym.NewTable(nil, gosym.NewLineTable(tab, textStart))
	if err != nil {
		fmt.Fprintln(os.Stderr, "gosym_funcs:", err)
		os.Exit(1)
	}
	if len(table.Funcs) == 0 {
		fmt.Fprintln(os.Stderr, "gosym_funcs: pclntab has no functions (unsupported version?)")
		os.Exit(1)
	}
	w := bytes.Buffer{}
	for _, f := range table.Funcs {
		fmt.Fprintf(&w, "%x\t%s\n", f.Entry, f.Name)
	}
	os.Stdout.Write(w.Bytes())
}

// headerTextStart reads pcHeader.textStart (Go 1.18+ layout: magic u32,
// 2 pad bytes, minLC u8, ptrSize u8, nfunc, nfiles, textStart, ...).
func headerTextStart(tab []byte) (uint64, error) {
	if len(tab) < 8 {
		return 0, errors.New("pclntab too short")
	}
	var bo binary.ByteOrder = binary.LittleEndian
	if binary.BigEndian.Uint32(tab) == 0xfffffff0 {
		bo = binary.BigEndian
	} else if binary.LittleEndian.Uint32(tab) != 0xfffffff0 {
		return 0, fmt.Errorf("pclntab magic %#x is not Go 1.18+", binary.LittleEndian.Uint32(tab))
	}
	ps := int(tab[7])
	off := 8 + 2*ps
	if len(tab) < off+ps {
		return 0, errors.New("pclntab too short")
	}
	if ps == 4 {
		return uint64(bo.Uint32(tab[off:])), nil
	}
	return bo.Uint64(tab[off:]), nil
}

// scan looks for a Go 1.18+ pcHeader in any section and returns the rest of
// that section from there on (debug/gosym only reads forward from it).
func scan(sections []section) []byte {
	for _, s := range sections {
		data, err := s.data()
		if err != nil {
			continue
		}
		for i := 0; i+8 <= len(data); i += 4 {
			m := data[i : i+4]
			if !(bytes.Equal(m, []byte{0xf0, 0xff, 0xff, 0xff}) || bytes.Equal(m, []byte{0xff, 0xff, 0xff, 0xf0})) {
				continue
			}
			q, ps := data[i+6], data[i+7]
			if data[i+4] == 0 && data[i+5] == 0 && (q == 1 || q == 2 || q == 4) && (ps == 4 || ps == 8) {
				return data[i:]
			}
		}
	}
	return nil
}

func open(path, arch string) (*image, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	var magic [4]byte
	if _, err := io.ReadFull(f, magic[:]); err != nil {
		return nil, err
	}
	f.Close()
	switch {
	case bytes.Equal(magic[:], []byte("\x7fELF")):
		return openELF(path)
	case magic[0] == 'M' && magic[1] == 'Z':
		return openPE(path)
	case binary.BigEndian.Uint32(magic[:]) == 0xcafebabe:
		return openFat(path, arch)
	default:
		return openMacho(path)
	}
}

func openELF(path string) (*image, error) {
	f, err := elf.Open(path)
	if err != nil {
		return nil, err
	}
	img := &image{}
	if s := f.Section(".text"); s != nil {
		img.textAddr = s.Addr
	}
	if s := f.Section(".gopclntab"); s != nil {
		if img.pclntab, err = s.Data(); err != nil {
			return nil, err
		}
	}
	for _, s := range f.Sections {
		if s.Type != elf.SHT_NOBITS {
			img.sections = append(img.sections, section{s.Name, s.Addr, s.Data})
		}
	}
	return img, nil
}

func fromMacho(f *macho.File) (*image, error) {
	img := &image{}
	if s := f.Section("__text"); s != nil {
		img.textAddr = s.Addr
	}
	if s := f.Section("__gopclntab"); s != nil {
		var err error
		if img.pclntab, err = s.Data(); err != nil {
			return nil, err
		}
	}
	for _, s := range f.Sections {
		img.sections = append(img.sections, section{s.Name, s.Addr, s.Data})
	}
	return img, nil
}

func openMacho(path string) (*image, error) {
	f, err := macho.Open(path)
	if err != nil {
		return nil, err
	}
	return fromMacho(f)
}

func openFat(path, arch string) (*image, error) {
	ff, err := macho.OpenFat(path)
	if err != nil {
		return nil, err
	}
	want := map[string]macho.Cpu{"x86_64": macho.CpuAmd64, "arm64": macho.CpuArm64}[arch]
	if want == 0 {
		return nil, errors.New("fat Mach-O: pass -arch x86_64 or -arch arm64")
	}
	for _, a := range ff.Arches {
		if a.Cpu == want {
			return fromMacho(a.File)
		}
	}
	return nil, fmt.Errorf("fat Mach-O has no %s slice", arch)
}

func openPE(path string) (*image, error) {
	f, err := pe.Open(path)
	if err != nil {
		return nil, err
	}
	var imageBase uint64
	switch oh := f.OptionalHeader.(type) {
	case *pe.OptionalHeader32:
		imageBase = uint64(oh.ImageBase)
	case *pe.OptionalHeader64:
		imageBase = oh.ImageBase
	}
	img := &image{}
	if s := f.Section(".text"); s != nil {
		img.textAddr = imageBase + uint64(s.VirtualAddress)
	}
	// runtime.pclntab / runtime.epclntab symbols, when the symbol table exists.
	var start, end *pe.Symbol
	for _, s := range f.Symbols {
		switch s.Name {
		case "runtime.pclntab":
			start = s
		case "runtime.epclntab":
			end = s
		}
	}
	if start != nil && end != nil && start.SectionNumber == end.SectionNumber && start.SectionNumber > 0 {
		data, err := f.Sections[start.SectionNumber-1].Data()
		if err != nil {
			return nil, err
		}
		img.pclntab = data[start.Value:end.Value]
	}
	for _, s := range f.Sections {
		img.sections = append(img.sections, section{s.Name, imageBase + uint64(s.VirtualAddress), s.Data})
	}
	return img, nil
}
