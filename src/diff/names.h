/* names.h - function names as sorted sets, and their packages (names.c). */
#ifndef MG_DIFF_NAMES_H
#define MG_DIFF_NAMES_H

#include "malgopher.h"

/* bytewise order, a prefix first */
int mg_name_cmp(const mg_name *a, const mg_name *b);
/* the distinct function names of im, sorted (malloc'd; NULL when none) */
mg_status mg_sorted_names(const mg_image *im, mg_name **out, size_t *n, mg_error *err);
/* packages of sorted distinct names, each with its name count, sorted */
mg_status mg_packages_of(const mg_name *names, size_t n, mg_package **out, size_t *np, mg_error *err);

#endif
