/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The arm64 random number hook: RNDR (FEAT_RNG), when ID_AA64ISAR0_EL1.RNDR
 * says the CPU has it.
 */
#include <arch/sysreg.h>
#include <keel/entropy.h>

#define ID_AA64ISAR0_RNDR_SHIFT 60
#define ID_AA64ISAR0_RNDR_MASK 0xfULL

/* Attempts before giving up: RNDR fails (NZCV = 0100) only when the
 * generator could not deliver in reasonable time. */
#define RNDR_ATTEMPTS 4

static int rndr_present = -1;   /* -1: not looked at yet */

static bool cpu_has_rndr(void)
{
	int present = READ_ONCE(rndr_present);

	if (present < 0) {
		uint64_t isar0 = read_sysreg(id_aa64isar0_el1);

		present = ((isar0 >> ID_AA64ISAR0_RNDR_SHIFT) & ID_AA64ISAR0_RNDR_MASK) != 0;
		WRITE_ONCE(rndr_present, present);
	}
	return present != 0;
}

bool arch_random_u64(uint64_t *value)
{
	if (!cpu_has_rndr())
		return false;
	for (unsigned int i = 0; i < RNDR_ATTEMPTS; i++) {
		uint64_t v, ok;

		/* RNDR by its encoding (s3_3_c2_c4_0), for assemblers
		 * that do not know FEAT_RNG; Z set means no value. */
		__asm__ volatile("mrs %0, s3_3_c2_c4_0\n\t"
				 "cset %1, ne"
				 : "=r"(v), "=r"(ok) : : "cc");
		if (ok) {
			*value = v;
			return true;
		}
	}
	return false;
}
