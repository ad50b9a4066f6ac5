/* fuzz_container.c - libFuzzer target for one container parser on its own,
 * chosen at build time: -DFUZZ_CONTAINER=1 ELF, 2 PE, 3 Mach-O (with fat,
 * through the detector), 4 XCOFF.  After parsing it exercises every image
 * query the Go layer uses and the pclntab locator. */
#include "fuzz_common.h"

#include "exe/image.h"
#include "go/pclntab.h"

#include <stdlib.h>

static void exercise(mg_img *img)
{
    uint64_t v, off;
    /* the first sections are enough to exercise the address queries; all
     * of them would make each run cost sections x maps */
    for (size_t i = 0; i < img->nsects && i < 64; i++) {
        fuzz_touch_str(img->sects[i].name);
        if (mg_img_addr_to_off(img, img->sects[i].addr, 8, &off))
            mg_img_off_to_addr(img, off, &v);
        mg_img_read_ptr_at(img, img->sects[i].addr, &v);
    }
    mg_img_section(img, ".gopclntab");
    mg_img_symbol(img, "runtime.main", &v);
    mg_pcln p;
    mg_found_by how;
    if (mg_pcln_locate(img, &p, &how)) {
        for (uint64_t i = 0; i < p.nfunc && i < 4096; i++) {
            const char *name;
            uint32_t len;
            bool cut;
            if (!mg_pcln_func(&p, i, &v, &name, &len, &cut))
                break;
            fuzz_touch(name, len);
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    mg_error e;
#if FUZZ_CONTAINER == 3
    mg_img *imgs;
    size_t n;
    if (mg_exe_detect(data, size, NULL, &imgs, &n, &e) != MG_OK)
        return 0;
    for (size_t i = 0; i < n; i++) {
        exercise(&imgs[i]);
        mg_img_free(&imgs[i]);
    }
    free(imgs);
#else
    mg_img img;
#if FUZZ_CONTAINER == 1
    mg_status st = mg_elf_parse(data, size, NULL, &img, &e);
#elif FUZZ_CONTAINER == 2
    mg_status st = mg_pe_parse(data, size, &img, &e);
#else
    mg_status st = mg_xcoff_parse(data, size, &img, &e);
#endif
    if (st == MG_OK) {
        exercise(&img);
        mg_img_free(&img);
    }
#endif
    return 0;
}
