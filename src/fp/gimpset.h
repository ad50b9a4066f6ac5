/* gimpset.h - streaming gimpset (docs/spec/gimpset.md): a
 * one-permutation MinHash of the program's own function names, fed one name at a time. */
#ifndef MG_FP_GIMPSET_H
#define MG_FP_GIMPSET_H

#include "malgopher.h"

typedef struct mg_gset mg_gset;

mg_gset *mg_gset_new(void);
/* feed one function name; returns true when the selection kept it */
bool mg_gset_add(mg_gset *g, const char *name, size_t len);
/* the same in two steps: the name's 64-bit hash (steps 1-5; false when the
 * selection drops it or the buffer cannot grow), then the hash taken in */
bool mg_gset_hash(mg_gset *g, const char *name, size_t len, uint64_t *h);
void mg_gset_add_hash(mg_gset *g, uint64_t h);
/* back to the empty set (the name buffer is kept) */
void mg_gset_reset(mg_gset *g);
/* true when a name could not be taken in (out of memory): the digest is not
 * the file's, and the caller reports MG_ERR_NOMEM */
bool mg_gset_failed(const mg_gset *g);
/* out: MG_GIMPSET_LEN bytes; returns the names kept (0: empty-set digest) */
size_t mg_gset_finish(mg_gset *g, char out[MG_GIMPSET_LEN]);
void mg_gset_free(mg_gset *g);

#endif
