/* gimphash.h - streaming gimphash (SHA-256) and gimpfuzzy (ssdeep) over the
 * names the gimphash rules keep. */
#ifndef MG_FP_GIMPHASH_H
#define MG_FP_GIMPHASH_H

#include "malgopher.h"

typedef struct mg_gimp mg_gimp;

/* with_fuzzy false: skip the ssdeep state (gimphash only) */
mg_gimp *mg_gimp_new(bool with_fuzzy);
/* feed one function name; returns true when the rules kept it */
bool mg_gimp_add(mg_gimp *g, const char *name, size_t len);
/* hex_out: 65 bytes, fuzzy_out: 160 bytes (may be NULL); returns names kept */
size_t mg_gimp_finish(mg_gimp *g, char hex_out[65], char *fuzzy_out);
void mg_gimp_free(mg_gimp *g);

#endif
