/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Bit scans for GCC: without Zbb, __builtin_ctz/ctzll (the PLIC
 * emulator's pending-bit scan) become calls to these, which Keel, linked
 * without libgcc, provides. Like the builtins, undefined for 0.
 */
#include <stdint.h>

int __ctzdi2(uint64_t x);
int __ctzsi2(uint32_t x);

int __ctzdi2(uint64_t x)
{
	int n = 0;

	if (!(x & 0xffffffffULL)) {
		n += 32;
		x >>= 32;
	}
	if (!(x & 0xffff)) {
		n += 16;
		x >>= 16;
	}
	if (!(x & 0xff)) {
		n += 8;
		x >>= 8;
	}
	if (!(x & 0xf)) {
		n += 4;
		x >>= 4;
	}
	if (!(x & 0x3)) {
		n += 2;
		x >>= 2;
	}
	return n + !(x & 1);
}

int __ctzsi2(uint32_t x)
{
	return __ctzdi2(x);
}
