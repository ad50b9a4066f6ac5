/* fuzz_file.c - libFuzzer target: the whole-file path, as `malgopher info`
 * and `hash` take it: open from memory, every image, every function name and
 * source file, the build info, gimphash and gimpfuzzy. */
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    mg_file *f;
    mg_error e;
    if (mg_file_open_mem(data, size, MG_OPT_FILES, &f, &e) != MG_OK)
        return 0;
    for (size_t i = 0; i < mg_file_image_count(f); i++)
        fuzz_touch_image(mg_file_image(f, i));
    mg_file_close(f);
    return 0;
}
