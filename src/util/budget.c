/* budget.c - the per-file work budget (see budget.h): units and a
 * wall-clock deadline, read at the first charge and then at most every
 * 2^20 units. */
#include "util/budget.h"

#include <time.h>

#define CLOCK_EVERY (1u << 20)

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void mg_budget_init(mg_budget *b, uint64_t size, uint64_t max_work, double seconds)
{
    uint64_t w = max_work;
    if (w == 0) {
        if (__builtin_mul_overflow(size, (uint64_t)MG_WORK_PER_BYTE, &w) ||
            __builtin_add_overflow(w, MG_WORK_BASE, &w))
            w = UINT64_MAX;
    }
    b->left = b->limit = w;
    b->deadline = seconds > 0 ? now() + seconds : 0;
    b->since_clock = CLOCK_EVERY; /* the first charge reads the clock */
    b->what = NULL;
    b->funcs_left = MG_FILE_MAX_FUNCS;
    b->name_bytes_left = MG_FILE_MAX_NAME_BYTES;
}

bool mg_budget_spend(mg_budget *b, uint64_t units, const char *what)
{
    if (!b)
        return true;
    if (b->what)
        return false;
    if (units > b->left) {
        b->left = 0;
        b->what = what;
        return false;
    }
    b->left -= units;
    b->since_clock += units;
    if (b->deadline > 0 && b->since_clock >= CLOCK_EVERY) {
        b->since_clock = 0;
        if (now() > b->deadline) {
            b->what = "time limit reached";
            return false;
        }
    }
    return true;
}
