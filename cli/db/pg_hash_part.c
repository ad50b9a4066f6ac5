/* pg_hash_part.c - owns PostgreSQL's choice of hash partition for one
 * bigint key, so that a writer can send a row straight to the shard table
 * of its partition (backend_pg_direct.c) where the coordinator would have
 * routed it.  PostgreSQL hashes a partition key with the column type's
 * extended hash function (int8: hashint8extended) and a fixed seed,
 * combines the key columns' hashes (hash_combine64, here one column from
 * 0), and takes the result modulo the greatest modulus.  hashint8extended
 * folds the high half into the low (inverted for a negative value, so
 * that an int8 and an int4 of one value hash alike) and hashes that 32-bit
 * word with Bob Jenkins' lookup3 (mix for the seed, then final).
 *
 * This is a second implementation of a server function, so it is checked
 * against the server: every session that writes directly first asks the
 * coordinator's satisfies_hash_partition about probe keys and writes
 * through the coordinator if one answer differs (backend_pg_direct.c), and
 * tests/db/test_shard.sh compares the two on 100,000 keys. */
#include "db/db.h"

#define PARTITION_SEED 0x7A5B22367996DCFDULL /* PostgreSQL's HASH_PARTITION_SEED */
#define COMBINE_ADD 0x49a0f4dd15e5a8e3ULL    /* hash_combine64's constant */

static uint32_t rot(uint32_t x, int k) { return x << k | x >> (32 - k); }

#define MIX(a, b, c)                                                                                        \
    do {                                                                                                    \
        a -= c, a ^= rot(c, 4), c += b;                                                                     \
        b -= a, b ^= rot(a, 6), a += c;                                                                     \
        c -= b, c ^= rot(b, 8), b += a;                                                                     \
        a -= c, a ^= rot(c, 16), c += b;                                                                    \
        b -= a, b ^= rot(a, 19), a += c;                                                                    \
        c -= b, c ^= rot(b, 4), b += a;                                                                     \
    } while (0)

#define FINAL(a, b, c)                                                                                      \
    do {                                                                                                    \
        c ^= b, c -= rot(b, 14);                                                                            \
        a ^= c, a -= rot(c, 11);                                                                            \
        b ^= a, b -= rot(a, 25);                                                                            \
        c ^= b, c -= rot(b, 16);                                                                            \
        a ^= c, a -= rot(c, 4);                                                                             \
        b ^= a, b -= rot(a, 14);                                                                            \
        c ^= b, c -= rot(b, 24);                                                                            \
    } while (0)

/* lookup3 of one 32-bit word with a 64-bit seed, 64 bits out */
static uint64_t hash_word_seeded(uint32_t k, uint64_t seed)
{
    uint32_t a, b, c;
    a = b = c = 0x9e3779b9u + (uint32_t)sizeof(uint32_t) + 3923095u;
    if (seed) {
        a += (uint32_t)(seed >> 32);
        b += (uint32_t)seed;
        MIX(a, b, c);
    }
    a += k;
    FINAL(a, b, c);
    return (uint64_t)b << 32 | c;
}

int db_pg_hash_partition(int64_t key, int modulus)
{
    uint32_t lo = (uint32_t)(uint64_t)key, hi = (uint32_t)((uint64_t)key >> 32);
    lo ^= key >= 0 ? hi : ~hi;
    uint64_t h = hash_word_seeded(lo, PARTITION_SEED);
    uint64_t row = 0; /* the combined hash of the key columns, from 0 */
    row ^= h + COMBINE_ADD + (row << 54) + (row >> 7);
    return (int)(row % (uint64_t)modulus);
}
