"""old_spec.py - the Go program that craft_old.py encodes in the Go 1.5/1.6
runtime type layout, declared as reflect would describe it.  It is the
oracle of test_types_old.py: craft_old.py writes these types byte by byte
from the layouts of the Go 1.5/1.6 sources (runtime/type.go,
reflect/type.go, runtime/symtab.go), the test reads `malgopher types
--json` back and compares it with this declaration.

    package main
    type Node struct { Next *Node; Val int }          // self-referential
    type Base struct { ID int32 }
    func (Base) Hello() string
    type Sayer interface { Say(string) int; quiet() }
    type Counter int
    func (Counter) String() string
    func (*Counter) inc()
    type Config struct {
        Name  string `json:"name"`
        Base                        // embedded
        Port  int    `json:"port,omitempty"`
        tags  []string
        Extra map[string]int
        Ch    chan int
        Arr   [4]uint8
        Fn    func(int, ...string) error
        Sink  Sayer
    }

Sizes and offsets are given as functions of the word size w (4 or 8).
Kinds are reflect.Kind names.  Each type: kind, size(w), align(w),
pkg_path (None: not a defined type), elem, key, len, fields (name, type,
tag, offset(w), embedded), methods / imethods (name, func type, exported),
func in/out/variadic, ptr_to (the *T descriptor), link (listed in
moduledata's typelinks; the others are reached by reference only).
"""

KIND = {"bool": 1, "int": 2, "int32": 5, "uint8": 8, "array": 17, "chan": 18, "func": 19,
        "interface": 20, "map": 21, "ptr": 22, "slice": 23, "string": 24, "struct": 25}


def T(kind, size, align, **kw):
    d = dict(kind=kind, size=size, align=align, pkg_path=None, elem=None, key=None, len=None,
             fields=[], methods=[], imethods=[], ins=[], outs=[], variadic=False, ptr_to=None,
             link=False)
    d.update(kw)
    return d


TYPES = {
    "int": T("int", lambda w: w, lambda w: w, pkg_path=""),
    "int32": T("int32", lambda w: 4, lambda w: 4, pkg_path=""),
    "uint8": T("uint8", lambda w: 1, lambda w: 1, pkg_path=""),
    "string": T("string", lambda w: 2 * w, lambda w: w, pkg_path=""),
    "error": T("interface", lambda w: 2 * w, lambda w: w, pkg_path="",
               imethods=[("Error", "func() string", True)]),
    "func() string": T("func", lambda w: w, lambda w: w, outs=["string"]),
    "func(string) int": T("func", lambda w: w, lambda w: w, ins=["string"], outs=["int"]),
    "func()": T("func", lambda w: w, lambda w: w),
    "func(int, ...string) error": T("func", lambda w: w, lambda w: w, ins=["int", "[]string"],
                                    outs=["error"], variadic=True, link=True),
    "[]string": T("slice", lambda w: 3 * w, lambda w: w, elem="string"),
    "[]uint8": T("slice", lambda w: 3 * w, lambda w: w, elem="uint8"),
    "[4]uint8": T("array", lambda w: 4, lambda w: 1, elem="uint8", len=4, slice="[]uint8"),
    "map[string]int": T("map", lambda w: w, lambda w: w, key="string", elem="int", link=True),
    "chan int": T("chan", lambda w: w, lambda w: w, elem="int", len=3, link=True),
    "*main.Node": T("ptr", lambda w: w, lambda w: w, elem="main.Node"),
    "main.Node": T("struct", lambda w: 2 * w, lambda w: w, pkg_path="main", ptr_to="*main.Node",
                   fields=[("Next", "*main.Node", "", lambda w: 0, False),
                           ("Val", "int", "", lambda w: w, False)], link=True),
    "main.Base": T("struct", lambda w: 4, lambda w: 4, pkg_path="main",
                   fields=[("ID", "int32", "", lambda w: 0, False)],
                   methods=[("Hello", "func() string", True)]),
    "main.Sayer": T("interface", lambda w: 2 * w, lambda w: w, pkg_path="main",
                    imethods=[("Say", "func(string) int", True), ("quiet", "func()", False)], link=True),
    "main.Counter": T("int", lambda w: w, lambda w: w, pkg_path="main", ptr_to="*main.Counter",
                      methods=[("String", "func() string", True)], link=True),
    "*main.Counter": T("ptr", lambda w: w, lambda w: w, elem="main.Counter",
                       methods=[("String", "func() string", True), ("inc", "func()", False)]),
    "main.Config": T("struct", lambda w: 13 * w, lambda w: w, pkg_path="main", link=True,
                     fields=[("Name", "string", 'json:"name"', lambda w: 0, False),
                             ("Base", "main.Base", "", lambda w: 2 * w, True),
                             ("Port", "int", 'json:"port,omitempty"', lambda w: 3 * w, False),
                             ("tags", "[]string", "", lambda w: 4 * w, False),
                             ("Extra", "map[string]int", "", lambda w: 7 * w, False),
                             ("Ch", "chan int", "", lambda w: 8 * w, False),
                             ("Arr", "[4]uint8", "", lambda w: 9 * w, False),
                             ("Fn", "func(int, ...string) error", "", lambda w: 10 * w, False),
                             ("Sink", "main.Sayer", "", lambda w: 11 * w, False)]),
}
