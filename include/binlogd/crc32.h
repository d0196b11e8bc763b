/* crc32.h - CRC-32 (IEEE 802.3, reflected 0xEDB88320), as binlog event
 * checksums use, eight bytes per step ("slicing by 8").
 *
 * The tables live in the caller's struct (8 KiB), filled once by
 * bd_crc32_init(): no global state.  Results equal zlib's crc32().
 */
#ifndef BINLOGD_CRC32_H
#define BINLOGD_CRC32_H

#include <stddef.h>
#include <stdint.h>

typedef struct bd_crc32 {
    uint32_t t[8][256];
    int clmul; /* the CPU has carry-less multiply: fold 64 bytes per step */
} bd_crc32;

void bd_crc32_init(bd_crc32 *c);
/* CRC of p[0..n) continuing from crc (0 to start). */
uint32_t bd_crc32_update(const bd_crc32 *c, uint32_t crc, const uint8_t *p, size_t n);

#endif
