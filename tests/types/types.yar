// types.yar - rules over tests/types/src (the fixture): each must match it
// and its stripped copy (test_types.sh); the names come from its source.
import "go"
rule cfg { condition: go.type("main.Config") == 1 and go.type_field("main.Config", "C2") == 1 and go.type_field("main.Config", "nope") == 0 }
rule itab { condition: go.itab("main.Beacon", "*main.Agent") == 1 and go.itab("error", "*main.Agent") == 0 }
rule tag { condition: go.field_tag(/yaml:"server"/) == 1 and go.type_field(/^main\.Config$/, /^(C2|Ports)$/) == 2 }
rule count { condition: go.number_of_types > 900 and go.type(/^main\.Pair\[/) == 2 and go.build_id != "" }
rule undefined_when_not_go { condition: not defined go.type("main.Config") and not defined go.number_of_types }
