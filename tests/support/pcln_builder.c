/* pcln_builder.c - see pcln_builder.h. */
#include "pcln_builder.h"

#include <string.h>

void pcln_put32(builder *B, size_t off, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        B->b[BASE + off + (size_t)i] = (uint8_t)(B->be ? v >> (24 - 8 * i) : v >> (8 * i));
}

void pcln_putw(builder *B, size_t off, uint64_t v)
{
    if (B->ps == 4) {
        pcln_put32(B, off, (uint32_t)v);
        return;
    }
    pcln_put32(B, off + (B->be ? 4 : 0), (uint32_t)v);
    pcln_put32(B, off + (B->be ? 0 : 4), (uint32_t)(v >> 32));
}

const char *const pcln_names[NF] = {"main.main", "main.Exported", "github.com/x/y.(*T).M"};
const uint32_t pcln_entry_off[NF + 1] = {0x0, 0x40, 0x100, 0x180}; /* last: end */

void pcln_build(builder *B, int gen, bool be, unsigned ps)
{
    memset(B, 0, sizeof *B);
    memset(B->b, 0x5a, BASE);
    B->be = be;
    B->ps = ps;
    uint32_t magic = gen == 12 ? 0xfffffffb : gen == 116 ? 0xfffffffa
                   : gen == 118 ? 0xfffffff0 : 0xfffffff1;
    pcln_put32(B, 0, magic);
    B->b[BASE + 6] = 1;
    B->b[BASE + 7] = (uint8_t)ps;
    size_t nwords = gen == 12 ? 1 : gen == 116 ? 7 : 8;
    size_t hdr = 8 + nwords * ps;
    if (gen == 12) {
        /* functab right after nfunc; _func records after it; names after those */
        size_t ftab = 8 + ps, fend = ftab + (NF * 2 + 1) * ps, filetab_ptr = fend;
        size_t funcs = (filetab_ptr + 4 + 7) & ~(size_t)7, fsz = ps + 8 * 4;
        size_t strs = funcs + NF * fsz, filetab = 1024, pcfile = 1100;
        pcln_putw(B, 8, NF);
        for (size_t i = 0; i < NF; i++) {
            pcln_putw(B, ftab + 2 * i * ps, TEXT + pcln_entry_off[i]);
            pcln_putw(B, ftab + (2 * i + 1) * ps, funcs + i * fsz);
            pcln_putw(B, funcs + i * fsz, TEXT + pcln_entry_off[i]);
            pcln_put32(B, funcs + i * fsz + ps, (uint32_t)strs);
            pcln_put32(B, funcs + i * fsz + ps + 16, (uint32_t)pcfile); /* pcfile */
            memcpy(B->b + BASE + strs, pcln_names[i], strlen(pcln_names[i]) + 1);
            strs += strlen(pcln_names[i]) + 1;
        }
        pcln_putw(B, fend - ps, TEXT + pcln_entry_off[NF]);
        pcln_put32(B, filetab_ptr, (uint32_t)filetab);
        pcln_put32(B, filetab, 2);          /* count, then file 1 */
        pcln_put32(B, filetab + 4, 1200);
        memcpy(B->b + BASE + 1200, "a.go", 5);
        B->b[BASE + pcfile] = 0x04;     /* zigzag(+2): value -1 + 2 = file 1 */
        B->b[BASE + pcfile + 1] = 0x10;
        return;
    }
    size_t funcname = hdr, cu = 512, filetab = 600, pctab = 700, pcln = 800;
    size_t fe = gen == 116 ? 2 * ps : 8, fsz = gen == 116 ? ps + 9 * 4 : 11 * 4;
    size_t funcs = pcln + (NF + 1) * fe;
    pcln_putw(B, 8, NF);
    pcln_putw(B, 8 + ps, 1);
    size_t w = 2;
    if (gen != 116)
        pcln_putw(B, 8 + w++ * ps, TEXT);
    pcln_putw(B, 8 + w++ * ps, funcname);
    pcln_putw(B, 8 + w++ * ps, cu);
    pcln_putw(B, 8 + w++ * ps, filetab);
    pcln_putw(B, 8 + w++ * ps, pctab);
    pcln_putw(B, 8 + w++ * ps, pcln);
    pcln_put32(B, cu, 999);                  /* cutab[0]: another unit's file */
    pcln_put32(B, cu + 4, 0);                /* cutab[1] -> filetab offset 0 */
    memcpy(B->b + BASE + filetab, "a.go", 5);
    B->b[BASE + pctab + 1] = 0x02;      /* pcfile table at pctab+1: zigzag(+1) -> file 0 */
    B->b[BASE + pctab + 2] = 0x10;
    size_t nameoff = 0;
    for (size_t i = 0; i <= NF; i++) {
        if (gen == 116)
            pcln_putw(B, pcln + i * fe, TEXT + pcln_entry_off[i]);
        else
            pcln_put32(B, pcln + i * fe, pcln_entry_off[i]);
        if (i == NF)
            break;
        size_t f = funcs + i * fsz, fo = f - pcln;
        if (gen == 116) {
            pcln_putw(B, pcln + i * fe + ps, fo);
            pcln_putw(B, f, TEXT + pcln_entry_off[i]);
        } else {
            pcln_put32(B, pcln + i * fe + 4, (uint32_t)fo);
            pcln_put32(B, f, pcln_entry_off[i]);
        }
        size_t fields = f + (gen == 116 ? ps : 4);
        pcln_put32(B, fields, (uint32_t)nameoff);
        pcln_put32(B, fields + 16, 1);  /* pcfile, relative to pctab */
        pcln_put32(B, fields + 24, 7);  /* npcdata */
        pcln_put32(B, fields + 28, 1);  /* cuOffset: this unit's files start at cutab[1] */
        memcpy(B->b + BASE + funcname + nameoff, pcln_names[i], strlen(pcln_names[i]) + 1);
        nameoff += strlen(pcln_names[i]) + 1;
    }
}

