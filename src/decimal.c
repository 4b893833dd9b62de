/* Unsigned decimal numbers: see decimal.h. */
#include <stddef.h>

#include "decimal.h"

const char *
decimal_read(const char *s, uint64_t *out)
{
	uint64_t value = 0, digit;

	if (*s < '0' || *s > '9')
		return NULL;
	for (; *s >= '0' && *s <= '9'; s++) {
		digit = (uint64_t)(*s - '0');
		if (value > (UINT64_MAX - digit) / 10)
			return NULL;
		value = value * 10 + digit;
	}
	*out = value;
	return s;
}
