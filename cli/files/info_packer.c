/* info_packer.c - what `info` says of a packer the library unpacked before
 * the analysis: the text line `packer: UPX (LZMA, 4.x stub; magic
 * replaced)` and the JSON member "packer" (null when not packed). */
#include "common/cli.h"

#include <string.h>

static const struct {
    unsigned bit;
    const char *text, *key;
} tampers[] = {
    {MG_TAMPER_MAGIC, "magic replaced", "magic_replaced"},
    {MG_TAMPER_PINFO, "p_info zeroed", "pinfo_zeroed"},
    {MG_TAMPER_SECTIONS, "sections renamed", "sections_renamed"},
    {MG_TAMPER_VERSION, "odd version", "odd_version"},
    {MG_TAMPER_HEADER, "PackHeader damaged", "packheader_damaged"},
};

static bool packed(const mg_image *im)
{
    return MG_IMAGE_HAS(im, packer) && im->packer.name[0];
}

void text_packer(FILE *o, const mg_image *im)
{
    if (!packed(im))
        return;
    const mg_packer_info *p = &im->packer;
    char ev[160] = "";
    size_t n = 0;
    for (size_t i = 0; i < sizeof tampers / sizeof *tampers; i++)
        if (p->tamper & tampers[i].bit)
            n += (size_t)snprintf(ev + n, n < sizeof ev ? sizeof ev - n : 0, "; %s", tampers[i].text);
    text_line(o, "packer:         %s (%s, %s%s), %llu -> %llu bytes%s", p->name, p->method, p->stub, ev,
              (unsigned long long)p->packed_size, (unsigned long long)p->unpacked_size,
              p->checksums_ok ? ", checksums verified" : "");
}

void json_packer(FILE *o, const mg_image *im)
{
    fputs(",\"packer\":", o);
    if (!packed(im)) {
        fputs("null", o);
        return;
    }
    const mg_packer_info *p = &im->packer;
    fputs("{\"name\":", o);
    json_cstr(o, p->name);
    fputs(",\"method\":", o);
    json_cstr(o, p->method);
    fputs(",\"stub\":", o);
    json_cstr(o, p->stub);
    fprintf(o, ",\"version\":%u,\"filter\":%u,\"packed_size\":%llu,\"unpacked_size\":%llu,\"checksums_ok\":%s",
            p->version, p->filter, (unsigned long long)p->packed_size, (unsigned long long)p->unpacked_size,
            p->checksums_ok ? "true" : "false");
    fputs(",\"tamper\":[", o);
    bool first = true;
    for (size_t i = 0; i < sizeof tampers / sizeof *tampers; i++)
        if (p->tamper & tampers[i].bit) {
            fprintf(o, "%s\"%s\"", first ? "" : ",", tampers[i].key);
            first = false;
        }
    fputs("]}", o);
}
