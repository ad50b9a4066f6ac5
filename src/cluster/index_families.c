/* index_families.c - owns mg_simindex_families: the families at a
 * threshold straight from the similarity index, without listing every
 * pair.  The index (src/fp/) gives the links of a spanning forest; the
 * components are computed here, in the layer that owns families (the name
 * keeps the public API's mg_simindex_ prefix). */
#include "index/simindex.h"
#include "malgopher.h"

#include <stdlib.h>

mg_status mg_simindex_families(const mg_simindex *ix, int t, unsigned nthreads, uint32_t *family_of, size_t *nfam,
                               mg_error *err)
{
    *nfam = 0;
    if (t < 1)
        t = 1;
    mg_edge *links = NULL;
    size_t nl = 0;
    mg_status st = mg_simindex_forest(ix, t, nthreads, &links, &nl, err);
    if (st == MG_OK)
        st = mg_cluster_components(mg_simindex_size(ix), mg_simindex_reps(ix), links, nl, t, family_of, nfam, err);
    free(links);
    return st;
}
