/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * libs/string.c, the target's own memory functions, built here under
 * other names and checked against the host's for every alignment of
 * source and destination and every length around the word sizes.
 */
/* The host's own come first; the target's header and code follow with
 * every name turned into keel_<name>. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define memcpy keel_memcpy
#define memmove keel_memmove
#define memset keel_memset
#define memcmp keel_memcmp
#define memchr keel_memchr
#define strlen keel_strlen
#define strnlen keel_strnlen
#define strcmp keel_strcmp
#define strncmp keel_strncmp
#define strchr keel_strchr
#define strrchr keel_strrchr
#define strstr keel_strstr
#define strcpy keel_strcpy
#define strncpy keel_strncpy
#define strcat keel_strcat
#define strlcpy keel_strlcpy
#include "../../libs/include/libc/string.h"
#include "../../libs/string.c"
#undef memcpy
#undef memmove
#undef memset
#undef memcmp
#undef memchr
#undef strlen
#undef strnlen
#undef strcmp
#undef strncmp
#undef strchr
#undef strrchr
#undef strstr
#undef strcpy
#undef strncpy
#undef strcat
#undef strlcpy

#include "unit.h"

#define AREA 512
#define MAX_LEN 300

/* A fresh pattern in the source area, a different one in the target. */
static void fill(uint8_t *src, uint8_t *dst, unsigned int seed)
{
	for (unsigned int i = 0; i < AREA; i++) {
		src[i] = (uint8_t)(i * 7 + seed);
		dst[i] = (uint8_t)(0xa5 ^ i);
	}
}

TEST(string_memcpy_every_alignment_and_length)
{
	static uint8_t src[AREA] __attribute__((aligned(16)));
	static uint8_t dst[AREA] __attribute__((aligned(16)));
	static uint8_t want[AREA];
	unsigned int bad = 0;

	/* Offsets 8..15 leave room on both sides: the shifted copy loads
	 * whole aligned words around the source's first and last bytes. */
	for (unsigned int so = 8; so < 16; so++) {
		for (unsigned int d_off = 8; d_off < 16; d_off++) {
			for (unsigned int n = 0; n <= MAX_LEN; n++) {
				fill(src, dst, so + n);
				memcpy(want, dst, AREA);
				memcpy(want + d_off, src + so, n);
				if (keel_memcpy(dst + d_off, src + so, n) != dst + d_off ||
				    memcmp(dst, want, AREA) != 0)
					bad++;
			}
		}
	}
	CHECK_EQ(bad, 0);
}

TEST(string_memmove_overlapping_both_ways)
{
	static uint8_t area[AREA] __attribute__((aligned(16)));
	static uint8_t src_copy[AREA];
	static uint8_t want[AREA];
	unsigned int bad = 0;

	for (unsigned int so = 8; so < 24; so++) {
		for (unsigned int d_off = 8; d_off < 24; d_off++) {
			for (unsigned int n = 0; n <= 200; n += 3) {
				fill(area, src_copy, so);
				memcpy(want, area, AREA);
				memmove(want + d_off, want + so, n);
				keel_memmove(area + d_off, area + so, n);
				if (memcmp(area, want, AREA) != 0)
					bad++;
			}
		}
	}
	CHECK_EQ(bad, 0);
}

TEST(string_memset_every_alignment_and_length)
{
	static uint8_t area[AREA] __attribute__((aligned(16)));
	static uint8_t want[AREA];
	unsigned int bad = 0;

	for (unsigned int off = 0; off < 16; off++) {
		for (unsigned int n = 0; n <= MAX_LEN; n++) {
			memset(area, 0x11, AREA);
			memset(want, 0x11, AREA);
			memset(want + off, 0xc3, n);
			keel_memset(area + off, 0xc3, n);
			if (memcmp(area, want, AREA) != 0)
				bad++;
		}
	}
	CHECK_EQ(bad, 0);
}
