/* edge_list.c - owns edge-list growth and the stable two-pass counting sort
 * that puts edges in (a, b) order in O(edges + n). */
#include "index/edge_list.h"
#include "util/alloc.h"

#include <stdlib.h>
#include <string.h>

bool mg_edgevec_grow(mg_edgevec *e)
{
    if (e->failed)
        return false;
    size_t cap = e->cap ? 2 * e->cap : 1024;
    mg_edge *v = mg_realloc(e->v, cap * sizeof *v);
    if (!v) {
        e->failed = true;
        return false;
    }
    e->v = v;
    e->cap = cap;
    return true;
}

/* stable counting sort of src into dst by key (a when by_a, else b) */
static void count_pass(const mg_edge *src, mg_edge *dst, size_t m, size_t *cnt, size_t n, bool by_a)
{
    memset(cnt, 0, (n + 1) * sizeof *cnt);
    for (size_t i = 0; i < m; i++)
        cnt[(by_a ? src[i].a : src[i].b) + 1]++;
    for (size_t i = 0; i < n; i++)
        cnt[i + 1] += cnt[i];
    for (size_t i = 0; i < m; i++)
        dst[cnt[by_a ? src[i].a : src[i].b]++] = src[i];
}

bool mg_edges_merge_sort(mg_edgevec *parts, size_t k, size_t n, mg_edge **out, size_t *nout)
{
    size_t m = 0;
    bool ok = true;
    for (size_t i = 0; i < k; i++) {
        m += parts[i].n;
        ok = ok && !parts[i].failed;
    }
    mg_edge *a = ok ? mg_malloc((m ? m : 1) * sizeof *a) : NULL;
    mg_edge *b = ok ? mg_malloc((m ? m : 1) * sizeof *b) : NULL;
    size_t *cnt = ok ? mg_malloc((n + 1) * sizeof *cnt) : NULL;
    if (a && b && cnt) {
        size_t at = 0;
        for (size_t i = 0; i < k; i++) {
            if (parts[i].n)
                memcpy(a + at, parts[i].v, parts[i].n * sizeof *a);
            at += parts[i].n;
        }
        count_pass(a, b, m, cnt, n, false);
        count_pass(b, a, m, cnt, n, true);
    } else
        ok = false;
    for (size_t i = 0; i < k; i++) {
        free(parts[i].v);
        parts[i] = (mg_edgevec){0};
    }
    free(b);
    free(cnt);
    if (!ok) {
        free(a);
        return false;
    }
    *out = a;
    *nout = m;
    return true;
}
