/* arena.c - bump allocation in blocks of at least 64 KiB. */
#include "util/arena.h"
#include "util/alloc.h"

#include <stdlib.h>
#include <string.h>

struct mg_arena_block {
    mg_arena_block *next;
    size_t used, cap;
    _Alignas(16) unsigned char data[];
};

#define BLOCK_MIN (64u * 1024u)

void *mg_arena_alloc(mg_arena *a, size_t size)
{
    if (size > ((size_t)-1) / 2) {
        a->failed = true;
        return NULL;
    }
    size = (size + 15) & ~(size_t)15;
    mg_arena_block *b = a->head;
    if (!b || b->cap - b->used < size) {
        size_t cap = size > BLOCK_MIN ? size : BLOCK_MIN;
        b = mg_malloc(sizeof *b + cap);
        if (!b) {
            a->failed = true;
            return NULL;
        }
        b->used = 0;
        b->cap = cap;
        b->next = a->head;
        a->head = b;
    }
    void *p = b->data + b->used;
    b->used += size;
    return p;
}

char *mg_arena_strndup(mg_arena *a, const char *s, size_t len)
{
    char *p = mg_arena_alloc(a, len + 1);
    if (p) {
        memcpy(p, s, len);
        p[len] = 0;
    }
    return p;
}

void mg_arena_free(mg_arena *a)
{
    mg_arena_block *b = a->head;
    while (b) {
        mg_arena_block *n = b->next;
        free(b);
        b = n;
    }
    a->head = NULL;
}
