/* crc32.c - see include/binlogd/crc32.h.  zlib's crc32() measured at about
 * four instructions per byte here; verifying every event is on the hot
 * path of decoding, so this processes eight bytes per table round. */
#include "binlogd/crc32.h"

#include <string.h>

void bd_crc32_init(bd_crc32 *c)
{
    for (uint32_t i = 0; i < 256; i++) {
        uint32_t r = i;
        for (int k = 0; k < 8; k++) r = (r >> 1) ^ (0xEDB88320u & (0u - (r & 1)));
        c->t[0][i] = r;
    }
    /* t[k][i]: the CRC of byte i followed by k zero bytes */
    for (uint32_t i = 0; i < 256; i++)
        for (int k = 1; k < 8; k++)
            c->t[k][i] = (c->t[k - 1][i] >> 8) ^ c->t[0][c->t[k - 1][i] & 0xff];
}

uint32_t bd_crc32_update(const bd_crc32 *c, uint32_t crc, const uint8_t *p, size_t n)
{
    crc = ~crc;
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    while (n >= 8) {
        uint32_t a, b;
        memcpy(&a, p, 4);
        memcpy(&b, p + 4, 4);
        a ^= crc;
        crc = c->t[7][a & 0xff] ^ c->t[6][(a >> 8) & 0xff] ^ c->t[5][(a >> 16) & 0xff] ^
              c->t[4][a >> 24] ^ c->t[3][b & 0xff] ^ c->t[2][(b >> 8) & 0xff] ^
              c->t[1][(b >> 16) & 0xff] ^ c->t[0][b >> 24];
        p += 8;
        n -= 8;
    }
#endif
    while (n--) crc = (crc >> 8) ^ c->t[0][(crc ^ *p++) & 0xff];
    return ~crc;
}
