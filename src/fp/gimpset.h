/* gimpset.h - streaming gimpset (README "gimpset"): a one-permutation
 * MinHash of the program's own function names, fed one name at a time. */
#ifndef MG_FP_GIMPSET_H
#define MG_FP_GIMPSET_H

#include "malgopher.h"

typedef struct mg_gset mg_gset;

mg_gset *mg_gset_new(void);
/* feed one function name; returns true when the selection kept it */
bool mg_gset_add(mg_gset *g, const char *name, size_t len);
/* true when a name could not be taken in (out of memory): the digest is not
 * the file's, and the caller reports MG_ERR_NOMEM */
bool mg_gset_failed(const mg_gset *g);
/* out: MG_GIMPSET_LEN bytes; returns the names kept (0: empty-set digest) */
size_t mg_gset_finish(mg_gset *g, char out[MG_GIMPSET_LEN]);
void mg_gset_free(mg_gset *g);

#endif
