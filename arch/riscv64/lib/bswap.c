/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Byte swaps for GCC: without Zbb, __builtin_bswap32/64 (libfdt's
 * big-endian cells) become calls to these, which Keel, linked without
 * libgcc, provides.
 */
#include <stdint.h>

uint32_t __bswapsi2(uint32_t x);
uint64_t __bswapdi2(uint64_t x);

uint32_t __bswapsi2(uint32_t x)
{
	return ((x & 0xffu) << 24) | ((x & 0xff00u) << 8) |
	       ((x >> 8) & 0xff00u) | (x >> 24);
}

uint64_t __bswapdi2(uint64_t x)
{
	return ((uint64_t)__bswapsi2((uint32_t)x) << 32) | __bswapsi2((uint32_t)(x >> 32));
}
