/* buildinfo.h - reading the Go build info blob (version, modules, settings). */
#ifndef MG_GO_BUILDINFO_H
#define MG_GO_BUILDINFO_H

#include "exe/image.h"
#include "util/arena.h"

#define MG_MAX_MODINFO (1u << 20) /* module text beyond this is cut (partial) */

/* Fill *bi from img; strings are allocated in a.  false when there is no
 * readable build info.  *partial is set when a bound cut the module text. */
bool mg_buildinfo_read(const mg_img *img, mg_arena *a, mg_buildinfo *bi, bool *partial);

#endif
