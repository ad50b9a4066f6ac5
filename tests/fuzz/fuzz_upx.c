/* fuzz_upx.c - libFuzzer target: the static UPX unpacker (src/unpack) on
 * its own, as `malgopher unpack` takes it, then the unpacked program
 * through the whole-file path.  Seeded with ../shared/upx (run_fuzz.sh). */
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    void *out;
    size_t n;
    mg_packer_info info;
    mg_error e;
    if (mg_unpack_mem(data, size, &out, &n, &info, &e) != MG_OK)
        return 0;
    mg_file *f;
    if (mg_file_open_mem(out, n, 0, &f, &e) == MG_OK) {
        for (size_t i = 0; i < mg_file_image_count(f); i++)
            fuzz_touch_image(mg_file_image(f, i));
        mg_file_close(f);
    }
    mg_unpack_free(out);
    return 0;
}
