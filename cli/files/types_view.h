/* types_view.h - the two renderings of an image's runtime types (`types`):
 * JSON (cmd_types.c) and Go-like text (types_text.c). */
#ifndef MG_CLI_TYPES_VIEW_H
#define MG_CLI_TYPES_VIEW_H

#include "common/cli.h"

/* the reflect string of the descriptor at addr, or "" */
const char *types_name_of(const mg_types *t, uint64_t addr);
/* one block per type, then the itabs */
void types_text(FILE *o, const char *path, const char *arch, const mg_types *t);

#endif
