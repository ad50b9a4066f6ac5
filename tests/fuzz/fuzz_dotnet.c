/* fuzz_dotnet.c - libFuzzer target: the .NET path, as `malgopher info` and
 * `jit-unpack` take it: the metadata description of the input, then
 * jit-unpack (with and without --strip: not again after "too costly", which
 * the emulated initializer would repeat) and the description of its output. */
#include "fuzz_common.h"

static void touch_info(const mg_dotnet_info *d)
{
    fuzz_touch_str(d->runtime_version);
    fuzz_touch_str(d->getjit_module);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    mg_dotnet_info d;
    mg_error e;
    if (mg_dotnet_inspect_mem(data, size, &d, &e) != MG_OK)
        return 0;
    touch_info(&d);
    for (unsigned flags = 0; flags <= MG_JIT_STRIP; flags += MG_JIT_STRIP) {
        void *out;
        size_t n;
        mg_jit_report r;
        mg_status st = mg_dotnet_jit_unpack(data, size, flags, &out, &n, &r, &e);
        if (st == MG_ERR_TOO_COSTLY) /* --strip would spend the same again */
            break;
        if (st != MG_OK)
            continue;
        fuzz_touch(out, n);
        fuzz_touch_str(r.section);
        if (mg_dotnet_inspect_mem(out, n, &d, &e) == MG_OK)
            touch_info(&d);
        mg_dotnet_free(out);
    }
    return 0;
}
