/* fuzz_common.h - helpers shared by the libFuzzer targets: read every byte
 * the library hands back, so the sanitizers see any out-of-bounds pointer. */
#ifndef MG_FUZZ_COMMON_H
#define MG_FUZZ_COMMON_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "malgopher.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static volatile unsigned fuzz_sink;

static inline void fuzz_touch(const char *s, size_t n)
{
    unsigned h = 0;
    for (size_t i = 0; i < n; i++)
        h = h * 31 + (unsigned char)s[i];
    fuzz_sink += h;
}

static inline void fuzz_touch_str(const char *s)
{
    fuzz_touch(s, strlen(s));
}

static inline void fuzz_touch_image(const mg_image *im)
{
    for (size_t k = 0; k < im->nfuncs; k++) {
        fuzz_touch(im->funcs[k].name, im->funcs[k].name_len);
        if (im->funcs[k].file)
            fuzz_touch(im->funcs[k].file, im->funcs[k].file_len);
    }
    const mg_buildinfo *bi = &im->buildinfo;
    fuzz_touch_str(bi->go_version);
    fuzz_touch_str(bi->path);
    fuzz_touch_str(bi->main.path);
    for (size_t k = 0; k < bi->ndeps; k++) {
        fuzz_touch_str(bi->deps[k].path);
        fuzz_touch_str(bi->deps[k].version);
        fuzz_touch_str(bi->deps[k].replace_path);
    }
    for (size_t k = 0; k < bi->nsettings; k++) {
        fuzz_touch_str(bi->settings[k].key);
        fuzz_touch_str(bi->settings[k].value);
    }
    fuzz_touch_str(im->gimphash);
    fuzz_touch_str(im->gimpfuzzy);
    fuzz_touch_str(im->go_version);
    fuzz_touch_str(im->arch);
    fuzz_touch_str(im->os);
}

#endif
