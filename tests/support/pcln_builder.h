/* pcln_builder.h - writes small pclntabs in every layout, 32/64-bit, both
 * byte orders, from the layout facts of docs/design.md "pclntab layouts" (not from our
 * parser), for the unit tests and as fuzzing seeds. */
#ifndef MG_TEST_PCLN_BUILDER_H
#define MG_TEST_PCLN_BUILDER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define BLOB 4096
#define BASE 64 /* the table starts here; the bytes before are junk */
#define NF 3
#define TEXT 0x401000u

typedef struct builder {
    uint8_t b[BLOB];
    bool be;
    unsigned ps;
} builder;

extern const char *const pcln_names[NF];
extern const uint32_t pcln_entry_off[NF + 1]; /* last: end */

/* Build a table of generation gen (12, 116, 118, 120) at BASE. */
void pcln_build(builder *B, int gen, bool be, unsigned ps);
void pcln_put32(builder *B, size_t off, uint32_t v);
void pcln_putw(builder *B, size_t off, uint64_t v);

#endif
