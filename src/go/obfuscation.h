/* obfuscation.h - signals that a Go binary's names were obfuscated
 * (garble-style hashed package paths, random-looking identifiers). */
#ifndef MG_GO_OBFUSCATION_H
#define MG_GO_OBFUSCATION_H

#include "malgopher.h"

/* Score the function names of im (im->funcs) and fill im->obf. */
void mg_obfuscation_score(mg_image *im);

#endif
