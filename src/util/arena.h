/* arena.h - a bump allocator for the strings and small arrays of one
 * analysed file; everything is freed at once by mg_arena_free. */
#ifndef MG_UTIL_ARENA_H
#define MG_UTIL_ARENA_H

#include <stdbool.h>
#include <stddef.h>

typedef struct mg_arena_block mg_arena_block;
typedef struct mg_arena {
    mg_arena_block *head;
    bool failed; /* an allocation failed (out of memory): what was built is incomplete */
} mg_arena;

/* size bytes aligned for any object, or NULL */
void *mg_arena_alloc(mg_arena *a, size_t size);
/* NUL-terminated copy of len bytes, or NULL */
char *mg_arena_strndup(mg_arena *a, const char *s, size_t len);
void mg_arena_free(mg_arena *a);

#endif
