/* filefuzzy.c - owns ssdeep of a whole file's bytes (the baseline that
 * gimpfuzzy is measured against), with malgopher's engine: the digest is
 * libfuzzy's fuzzy_hash_buf's (fp/ssdeep_engine.h). */
#include "io/map.h"
#include "util/error.h"

#include "fp/ssdeep_engine.h"

mg_status mg_fuzzy_hash_file(const char *path, char out[160], mg_error *err)
{
    out[0] = 0;
    mg_map m;
    mg_status st = mg_map_open(path, &m, err);
    if (st != MG_OK)
        return st;
    /* MG_SSDEEP_MAX (148) fits in 160 bytes */
    bool ok = mg_ssdeep_hash_buf(m.data, (uint32_t)(m.size > UINT32_MAX ? UINT32_MAX : m.size), out);
    mg_map_close(&m);
    if (!ok) {
        out[0] = 0;
        return mg_fail(err, MG_ERR_IO, "ssdeep failed");
    }
    return MG_OK;
}
