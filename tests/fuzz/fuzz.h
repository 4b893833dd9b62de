/*
 * What the libFuzzer targets share.  A broken invariant aborts, which
 * libFuzzer reports as a crash with the input that caused it: a target
 * checks what the parser promises, not only that it survives.
 */
#ifndef DMFILEMAPD_FUZZ_H
#define DMFILEMAPD_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond) \
	((cond) ? (void)0 : check_failed(#cond, __FILE__, __LINE__))

__attribute__((noreturn)) static inline void
check_failed(const char *what, const char *file, int line)
{
	fprintf(stderr, "%s:%d: invariant broken: %s\n", file, line, what);
	abort();
}

/* The input as a C string: the parsers read strings, cut at any NUL. */
static inline char *
fuzz_string(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);

	if (s == NULL)
		abort();
	memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

/* Whether p points into the size bytes at base (its NUL included). */
static inline int
fuzz_within(const char *p, const char *base, size_t size)
{
	return (uintptr_t)p >= (uintptr_t)base &&
	    (uintptr_t)p <= (uintptr_t)base + size;
}

#endif
