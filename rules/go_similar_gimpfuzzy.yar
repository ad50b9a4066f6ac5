/*
  go_similar_gimpfuzzy.yar - a similarity rule by gimpfuzzy: the ssdeep
  digest of the same name string gimphash hashes, compared with libfuzzy's
  score (0-100).  It catches relatives whose exported API drifted a little
  (other versions of a family), which an exact gimphash misses.  Published
  evaluations found thresholds of 70-80 best; 70 here, which also
  catches the previous release (esbuild 0.16.17 scores 74).

  The reference is esbuild 0.17.0 (Debian's linux/amd64 build) from the
  test corpus: `malgopher hash esbuild` printed its gimpfuzzy.
*/
import "go"
import "fuzzy"

rule Go_Similar_To_Esbuild_0_17 : go similarity
{
    meta:
        description = "Go programs whose gimpfuzzy scores >= 70 against esbuild 0.17.0"
        reference = "esbuild 0.17.0-1+b2 linux/amd64 (Debian)"
        threshold = 70

    condition:
        fuzzy.compare(go.gimpfuzzy,
            "384:/Xz/iI+JbF92QI/sMi641vwhnwf5RVeuF5DeZoMud50Xq/SiBNa:QbF92QI/sMi641vwhnwf5RV1/DsW0Li+") >= 70
}
