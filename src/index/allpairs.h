/* allpairs.h - the reference all-pairs similarity computations (allpairs.c;
 * mg_setpairs_naive for gimpset digests is in setindex.c).
 * Not public API: the tests and bench/bench_index.c check the similarity
 * index against it, linking the static library.  Never installed. */
#ifndef MG_INDEX_ALLPAIRS_H
#define MG_INDEX_ALLPAIRS_H

#include "malgopher.h"

/* fuzzy_compare on all n(n-1)/2 pairs, the output contract of
 * mg_simindex_pairs (reps_only false). */
mg_status mg_pairs_naive(const char *const *digests, size_t n, int min_score, unsigned nthreads,
                         mg_edge **edges, size_t *nedges, mg_error *err);

/* gimpset: all n(n-1)/2 pairs scored, the contract of mg_setindex_pairs
 * (reps_only false) */
mg_status mg_setpairs_naive(const char *const *digests, size_t n, int min_score, mg_edge **edges,
                            size_t *nedges, mg_error *err);

/* the families walk's work cap, in steps a digest (0: the default, 65536);
 * tests lower it to reach MG_ERR_TOO_COSTLY on small crafted lists */
void mg_setindex_set_work_cap(uint64_t per_digest);

#endif
