/*
  go_version.yar - rules on the Go toolchain a program was built with.
  go.version is the release ("go1.21.6") from the build info, the symbol
  table or a version string; undefined when only the pclntab layout is
  known.  go.pclntab_version names the first release of the function-table
  layout ("1.2", "1.16", "1.18", "1.20") and is defined for every Go file.
*/
import "go"

rule Go_Old_Toolchain_Pre_1_16 : go toolchain
{
    meta:
        description = "built with Go 1.2-1.15 (the pre-1.16 pclntab layout): old or deliberately old toolchains"

    condition:
        go.pclntab_version == "1.2"
}

rule Go_Toolchain_1_19 : go toolchain
{
    meta:
        description = "built with a Go 1.19 release (the Debian 12 toolchain)"

    condition:
        go.version matches /^go1\.19(\.[0-9]+)?$/
}

rule Go_Toolchain_1_20_Or_Later : go toolchain
{
    meta:
        description = "built with Go 1.20 or later (the 1.20 pclntab layout)"

    condition:
        go.pclntab_version == "1.20"
}

rule Go_Version_From_Table_Only : go toolchain
{
    meta:
        description = "a Go program whose exact release cannot be told: no build info, no version string"

    condition:
        go.is_go == 1 and not defined go.version
}
