/* match_output.c - owns the lines `malgopher match` prints for one file
 * (text or JSON), shared with `malgopher db match` so that both print the
 * same thing for the same hits, and the measure and threshold every answer
 * names. */
#include "families/families.h"
#include "common/options.h"

const char *measure_name(int measure)
{
    return measure == MEASURE_SET ? "gimpset" : "gimpfuzzy";
}

void match_query_known(match_query *q, const sample *s)
{
    q->nknown = known_is_off() ? -1 : s->no_names ? 0 : known_lookup_digests(s->gimphash, s->gimpset, s->ident, s->gimpset_names, q->known);
}

void print_match_header(FILE *o, bool json, int measure, int threshold)
{
    if (json)
        return; /* each JSON object names its measure and threshold */
    if (measure == MEASURE_SET)
        fprintf(o, "# measure gimpset, threshold %d (gimpfuzzy, threshold %d, where a side has no gimpset)\n",
                threshold, FALLBACK_THRESHOLD);
    else
        fprintf(o, "# measure gimpfuzzy, threshold %d\n", threshold);
}

static void json_hit(FILE *o, const match_query *q, const match_line *m)
{
    fprintf(o, "{\"score\":%d,\"path\":", m->score);
    json_cstr(o, m->path);
    fputs(",\"gimphash\":", o);
    json_cstr(o, m->gimphash);
    if (q->labels) {
        fputs(",\"label\":", o);
        if (m->label)
            json_cstr(o, m->label);
        else
            fputs("null", o);
    }
    if (m->fallback)
        fprintf(o, ",\"measure\":\"gimpfuzzy\",\"threshold\":%d", FALLBACK_THRESHOLD);
    fputc('}', o);
}

void print_matches(FILE *o, bool json, const match_query *q, const match_line *m, size_t n)
{
    if (json) {
        fputs("{\"path\":", o);
        json_cstr(o, q->path);
        fputs(",\"measure\":", o);
        json_cstr(o, q->measure);
        fprintf(o, ",\"threshold\":%d", q->threshold);
        if (q->note) {
            fputs(",\"note\":", o);
            json_cstr(o, q->note);
        }
        fprintf(o, ",\"%s\":", q->measure);
        json_cstr(o, q->digest);
        if (q->nknown >= 0) {
            fputs(",\"known\":", o);
            known_json(o, q->known, q->nknown);
        }
        fputs(",\"matches\":[", o);
        for (size_t h = 0; h < n; h++) {
            if (h)
                fputc(',', o);
            json_hit(o, q, &m[h]);
        }
        fputs("]}\n", o);
        return;
    }
    /* paths come from the file system: escaped as sha256sum escapes them */
    if (q->note)
        text_line(o, "%s  (%s, threshold %d: %s)%s", q->path, q->measure, q->threshold, q->note,
                  n ? "" : "  (no match)");
    else
        text_line(o, "%s%s", q->path, n ? "" : "  (no match)");
    if (q->nknown > 0) {
        char kt[1200];
        known_text(q->known, q->nknown, kt, sizeof kt);
        text_line(o, "  known: %s", kt);
    }
    for (size_t h = 0; h < n; h++) {
        const char *lab = q->labels && m[h].label ? m[h].label : NULL;
        text_line(o, "  %3d  %s%s%s%s%s", m[h].score, m[h].path, lab ? "  [" : "", lab ? lab : "", lab ? "]" : "",
                  m[h].fallback ? "  (gimpfuzzy: no gimpset)" : "");
    }
}
