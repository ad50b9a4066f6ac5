/* match_output.c - owns the lines `malgopher match` prints for one file
 * (text or JSON), shared with `malgopher db match` so that both print the
 * same thing for the same hits. */
#include "families/families.h"

void print_matches(FILE *o, bool json, const char *path, const char *key, const char *digest, const match_line *m,
                   size_t n)
{
    if (json) {
        fputs("{\"path\":", o);
        json_cstr(o, path);
        fprintf(o, ",\"%s\":", key);
        json_cstr(o, digest);
        fputs(",\"matches\":[", o);
        for (size_t h = 0; h < n; h++) {
            fprintf(o, "%s{\"score\":%d,\"path\":", h ? "," : "", m[h].score);
            json_cstr(o, m[h].path);
            fputs(",\"gimphash\":", o);
            json_cstr(o, m[h].gimphash);
            fputc('}', o);
        }
        fputs("]}\n", o);
    } else {
        /* paths come from the file system: escaped as sha256sum escapes them */
        text_line(o, "%s%s", path, n ? "" : "  (no match)");
        for (size_t h = 0; h < n; h++)
            text_line(o, "  %3d  %s", m[h].score, m[h].path);
    }
}
