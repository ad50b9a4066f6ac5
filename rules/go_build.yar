/*
  go_build.yar - rules on what the build info (Go 1.13+) says: the module
  graph and the build settings.  Everything here is undefined, so the rules
  are false, for programs without build info.
*/
import "go"

rule Go_Uses_Cobra : go dependency
{
    meta:
        description = "depends on the spf13/cobra command-line framework"

    condition:
        go.dependency(/^github\.com\/spf13\/cobra$/)
}

rule Go_Many_Dependencies : go dependency
{
    meta:
        description = "more than 40 module dependencies"

    condition:
        go.number_of_dependencies > 40
}

rule Go_Cgo_Enabled : go build
{
    meta:
        description = "built with cgo (CGO_ENABLED=1): links C code, usually dynamically"

    condition:
        go.build_setting("CGO_ENABLED") == "1"
}

rule Go_Built_From_Modified_Checkout : go build
{
    meta:
        description = "built from a version-control checkout with uncommitted changes"

    condition:
        go.build_setting("vcs.modified") == "true"
}

rule Go_Trimpath_And_Stripped : go build
{
    meta:
        description = "built with -trimpath and without a symbol table: typical of release builds"

    condition:
        go.build_setting("-trimpath") == "true" and go.stripped == 1
}
