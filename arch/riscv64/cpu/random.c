/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The riscv64 random number hook. The Zkr entropy source (the seed CSR)
 * is not offered to S-mode by the firmware Keel runs on (mseccfg.SSEED
 * is M-mode's to set, and QEMU's rv64 has no Zkr), and reading it where
 * it is absent traps: Keel reports no hardware generator, and the entropy
 * pool (core/base/entropy.c) says so where it matters.
 */
#include <keel/entropy.h>

bool arch_random_u64(uint64_t *value)
{
	(void)value;
	return false;
}
