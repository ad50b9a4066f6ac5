/* fuzz_buildinfo.c - libFuzzer target for the build info reader and the Go
 * version fallback, on the input taken as a raw image (address = offset). */
#include "fuzz_common.h"

#include "go/buildinfo.h"
#include "go/version.h"

#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    mg_img img;
    mg_raw_make(data, size, &img);
    if (!img.maps)
        return 0;
    /* the raw image is writable data at address 0, pointers of 8 bytes */
    img.maps[0].flags |= MG_SEC_WRITE;
    mg_arena a = {0};
    mg_buildinfo bi;
    bool partial;
    if (mg_buildinfo_read(&img, &a, &bi, &partial)) {
        mg_image im;
        memset(&im, 0, sizeof im);
        im.buildinfo = bi;
        im.arch = im.os = "";
        fuzz_touch_image(&im);
    }
    char v[40];
    mg_version_source src;
    bool nomem;
    if (mg_go_version_fallback(&img, v, sizeof v, &src, &nomem))
        fuzz_touch_str(v);
    mg_arena_free(&a);
    mg_img_free(&img);
    return 0;
}
