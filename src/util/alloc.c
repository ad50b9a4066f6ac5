/* alloc.c - owns the library's allocation hook: every allocation is
 * counted, and in tests the Nth can be made to fail and the call sites
 * reached are recorded (see alloc.h). */
#include "util/alloc.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

static atomic_ulong calls;      /* allocations since the last reset */
static atomic_ulong fail_at;    /* 0 = never */
static atomic_bool tracking;

#define MAX_SITES 512
static struct {
    const char *file;
    int line;
} sites[MAX_SITES];
static size_t nsites;
static pthread_mutex_t sites_lock = PTHREAD_MUTEX_INITIALIZER;

static void note_site(const char *file, int line)
{
    pthread_mutex_lock(&sites_lock);
    size_t i = 0;
    while (i < nsites && !(sites[i].line == line && sites[i].file == file))
        i++;
    if (i == nsites && nsites < MAX_SITES) {
        sites[nsites].file = file;
        sites[nsites].line = line;
        nsites++;
    }
    pthread_mutex_unlock(&sites_lock);
}

bool mg_alloc_refused_at(const char *file, int line)
{
    unsigned long n = atomic_fetch_add_explicit(&calls, 1, memory_order_relaxed) + 1;
    if (atomic_load_explicit(&tracking, memory_order_relaxed))
        note_site(file, line);
    return n == atomic_load_explicit(&fail_at, memory_order_relaxed);
}

void *mg_malloc_at(size_t size, const char *file, int line)
{
    return mg_alloc_refused_at(file, line) ? NULL : malloc(size);
}

void *mg_calloc_at(size_t n, size_t size, const char *file, int line)
{
    return mg_alloc_refused_at(file, line) ? NULL : calloc(n, size);
}

void *mg_realloc_at(void *p, size_t size, const char *file, int line)
{
    return mg_alloc_refused_at(file, line) ? NULL : realloc(p, size);
}

void mg_alloc_fail_nth(unsigned long n)
{
    atomic_store(&fail_at, n);
    atomic_store(&calls, 0);
}

unsigned long mg_alloc_count(void)
{
    return atomic_load(&calls);
}

void mg_alloc_track_sites(bool on)
{
    atomic_store(&tracking, on);
}

size_t mg_alloc_sites(void)
{
    pthread_mutex_lock(&sites_lock);
    size_t n = nsites;
    pthread_mutex_unlock(&sites_lock);
    return n;
}

void mg_alloc_site(size_t i, char *buf, size_t bufsz)
{
    pthread_mutex_lock(&sites_lock);
    if (i < nsites)
        snprintf(buf, bufsz, "%s:%d", sites[i].file, sites[i].line);
    else if (bufsz)
        buf[0] = 0;
    pthread_mutex_unlock(&sites_lock);
}
