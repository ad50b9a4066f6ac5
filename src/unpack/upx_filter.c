/* upx_filter.c - UPX's reversible code filters undone on an unpacked
 * block: the x86/x86-64 call/jump filters 0x46 and 0x49 (E8/E9 and, for
 * 0x49, Jcc operands stored big-endian absolute with the marker byte cto
 * on top), the E8/E9 "cto" filters 0x24-0x26 (the same without Jcc), the
 * 32-bit ARM BL filter 0x50
 * and the ARM64 B/BL filter 0x52 (26-bit word offsets stored absolute).
 * Written from the filters' definitions in UPX's public documentation and
 * source (facts only). */
#include "unpack/upx.h"

static uint32_t be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static uint32_t le32(const uint8_t *p)
{
    return (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
}

static void put_le32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}

/* E8/E9 (and with jcc, 0F 8x) whose operand starts with cto: absolute
 * big-endian back to relative little-endian */
static void x86_calls(uint8_t *b, size_t len, unsigned cto, uint32_t addvalue, unsigned ops, bool jcc)
{
    if (len <= 5)
        return;
    size_t last = 0; /* just after the previous converted operand */
    uint32_t top = (uint32_t)cto << 24;
    for (size_t i = 0; i < len - 5; i++) {
        bool hit = ((ops & 1) && b[i] == 0xe8) || ((ops & 2) && b[i] == 0xe9) ||
                   (jcc && i != last && i > 0 && b[i - 1] == 0x0f && b[i] >= 0x80 && b[i] <= 0x8f);
        if (!hit || b[i + 1] != cto)
            continue;
        uint32_t abs = be32(b + i + 1);
        put_le32(b + i + 1, abs - (uint32_t)i - 1u - addvalue - top);
        i += 4;
        last = i + 1;
    }
}

/* every 4-byte word but the last whose bits match: the low `bits` bits are
 * a word offset made absolute by adding the word's index */
static void arm_branches(uint8_t *b, size_t len, uint32_t addvalue, bool arm64)
{
    if (len < 4)
        return;
    uint32_t mask = arm64 ? 0x03ffffffu : 0x00ffffffu;
    for (size_t a = 0; a == 0 || a < len - 4; a += 4) {
        bool hit = arm64 ? (b[a + 3] & 0x7c) == 0x14 : (b[a + 3] & 0x0f) == 0x0b;
        if (!hit)
            continue;
        uint32_t w = le32(b + a);
        uint32_t v = (w & mask) - (uint32_t)(a / 4) - addvalue;
        put_le32(b + a, (w & ~mask) | (v & mask));
    }
}

bool mg_upx_filter_known(unsigned id)
{
    return id == 0 || (id >= 0x24 && id <= 0x26) || id == 0x46 || id == 0x49 || id == 0x50 || id == 0x52;
}

bool mg_upx_unfilter(unsigned id, unsigned cto, uint8_t *buf, size_t len, uint32_t addvalue)
{
    switch (id) {
    case 0: return true;
    case 0x24: x86_calls(buf, len, cto, addvalue, 1, false); return true; /* E8 */
    case 0x25: x86_calls(buf, len, cto, addvalue, 2, false); return true; /* E9 */
    case 0x26:
    case 0x46: x86_calls(buf, len, cto, addvalue, 3, false); return true;
    case 0x49: x86_calls(buf, len, cto, addvalue, 3, true); return true;
    case 0x50: arm_branches(buf, len, addvalue, false); return true;
    case 0x52: arm_branches(buf, len, addvalue, true); return true;
    default: return false;
    }
}
