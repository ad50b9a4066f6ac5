/* moduledata.h - text start of a module, from the header, symbols,
 * moduledata or the code section. */
#ifndef MG_GO_MODULEDATA_H
#define MG_GO_MODULEDATA_H

#include "go/pclntab.h"

/* Find moduledata for p and derive the text start; false when not found. */
bool mg_moduledata_text_start(const mg_img *img, const mg_pcln *p, uint64_t *text);
/* Best text start for p (0 for layouts that store absolute entries). */
bool mg_text_start(const mg_img *img, const mg_pcln *p, uint64_t *text);

#endif
