/* version.h - Go version for binaries without (readable) build info. */
#ifndef MG_GO_VERSION_H
#define MG_GO_VERSION_H

#include "exe/image.h"

/* Write the version ("go1.12.9") into out; false when not found. */
bool mg_go_version_fallback(const mg_img *img, char *out, size_t outsz, mg_version_source *src, bool *nomem);

#endif
