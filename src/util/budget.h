/* budget.h - the work and memory a file may make the library spend.
 *
 * One mg_budget per opened file.  Parse steps charge it in "work units"
 * (about one byte scanned or one table entry read); when the units or the
 * wall-clock deadline run out, mg_budget_spend returns false, the step stops,
 * and the file is refused with "too costly: STEP".  Functions and name bytes
 * are counted over the whole file (all slices of a fat file together).
 */
#ifndef MG_UTIL_BUDGET_H
#define MG_UTIL_BUDGET_H

#include <stdbool.h>
#include <stdint.h>

#define MG_WORK_PER_BYTE 64u          /* units allowed per byte of input */
#define MG_WORK_BASE (64ull << 20)    /* plus this, for small files */
#define MG_FILE_MAX_FUNCS 4000000u    /* functions over all images of a file */
#define MG_FILE_MAX_NAME_BYTES (256ull << 20) /* name bytes over all images */

typedef struct mg_budget {
    uint64_t left;        /* work units left */
    uint64_t limit;       /* units at the start */
    double deadline;      /* CLOCK_MONOTONIC seconds; 0: none */
    uint64_t since_clock; /* units spent since the clock was last read */
    const char *what;     /* the step that exhausted it; NULL while within */
    uint64_t funcs_left;
    uint64_t name_bytes_left;
} mg_budget;

/* A budget for a file of size bytes; max_work 0 means the default
 * (MG_WORK_PER_BYTE * size + MG_WORK_BASE); seconds 0 means no deadline. */
void mg_budget_init(mg_budget *b, uint64_t size, uint64_t max_work, double seconds);
/* Charge units for step what.  False (and b->what set) once exhausted;
 * every later call is false too.  b may be NULL (no bound). */
bool mg_budget_spend(mg_budget *b, uint64_t units, const char *what);
static inline bool mg_budget_out(const mg_budget *b)
{
    return b && b->what;
}

#endif
