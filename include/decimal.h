/* The one reader of unsigned decimal numbers, for argv, listings and descriptors. */
#ifndef DMFILEMAPD_DECIMAL_H
#define DMFILEMAPD_DECIMAL_H

#include <stdint.h>

/*
 * Reads the digits at s into *out.  Returns where they end, or NULL when s
 * does not start with a digit or the number does not fit in 64 bits.
 * Signs, blanks and other bases are not numbers here.
 */
const char *decimal_read(const char *s, uint64_t *out);

#endif
