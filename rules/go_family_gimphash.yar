/*
  go_family_gimphash.yar - a family rule by gimphash: an exact match of the
  Go "import hash" (SHA-256 of the exported function names the gimphash
  rules keep).  Recompiling, stripping (-s -w), UPX-free repacking or a new
  GOOS/GOARCH usually keeps it; a changed exported API does not.

  Example family: "wordfreq", a small Go program of the test corpus
  (shared/corpus), whose builds share a few gimphashes.  Hashes from
  `malgopher hash FILE`.
*/
import "go"

rule Go_Family_Wordfreq_Gimphash : go family
{
    meta:
        description = "wordfreq (test corpus family), by gimphash"
        family = "wordfreq"
        author = "malgopher"

    condition:
        go.gimphash == "51f69a9b0ddb7e0b44876360a338b2e9278a649ee0b46fd4f9deb4a57459f1a1" or
        go.gimphash == "6900b50ad9818dfdad450a90bf9f9e356a8bae1fe6fd4fe31e7fb609b4ebfabb" or
        go.gimphash == "63cd81c84b4d69bc7be6f233a028b4c3830bfdf384d1aedbc18378e79b2313c4"
}
