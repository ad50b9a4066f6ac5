/*
  go_functions.yar - rules on the function table (pclntab), which survives
  stripping: a Go program keeps the full name of every function it links.
  go.function() counts functions by exact name or by regular expression;
  go.package() tells whether any function of a package is linked (give the
  import path; the linker's escaping of dots is handled).
*/
import "go"

rule Go_HTTP_Server : go capability
{
    meta:
        description = "links an HTTP server (net/http.(*Server).Serve)"

    condition:
        go.function("net/http.(*Server).Serve") > 0
}

rule Go_Executes_Commands : go capability
{
    meta:
        description = "links os/exec and starts processes"

    condition:
        go.package("os/exec") and go.function(/^os\/exec\.\(\*Cmd\)\.(Start|Run|Output|CombinedOutput)$/) > 0
}

rule Go_Uses_Protobuf : go capability
{
    meta:
        description = "links Google's protobuf runtime"

    condition:
        go.package("google.golang.org/protobuf/proto")
}
