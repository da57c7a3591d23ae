/* SPDX-License-Identifier: GPL-2.0-only */
/* arm64 system register access and the bits Keel uses. */
#ifndef ARCH_ARM64_SYSREG_H
#define ARCH_ARM64_SYSREG_H

#include <stdint.h>

#define read_sysreg(name)                                              \
	({                                                             \
		uint64_t __val;                                        \
		__asm__ volatile("mrs %0, " #name : "=r"(__val));      \
		__val;                                                 \
	})

#define write_sysreg(name, val)                                        \
	__asm__ volatile("msr " #name ", %0" ::"r"((uint64_t)(val)) : "memory")

/* GICv3 CPU interface registers by encoding (older assemblers). */
#define ICC_SRE_EL2 S3_4_C12_C9_5
#define ICC_SRE_EL1 S3_0_C12_C12_5
#define ICC_PMR_EL1 S3_0_C4_C6_0
#define ICC_IAR1_EL1 S3_0_C12_C12_0
#define ICC_EOIR1_EL1 S3_0_C12_C12_1
#define ICC_BPR1_EL1 S3_0_C12_C12_3
#define ICC_CTLR_EL1 S3_0_C12_C12_4
#define ICC_IGRPEN1_EL1 S3_0_C12_C12_7
#define ICC_SGI1R_EL1 S3_0_C12_C11_5

#define isb() __asm__ volatile("isb" ::: "memory")
#define dsb(opt) __asm__ volatile("dsb " #opt ::: "memory")
#define dmb(opt) __asm__ volatile("dmb " #opt ::: "memory")

/* SCTLR_EL2 (non-VHE layout). */
#define SCTLR_EL2_RES1 ((3UL << 28) | (3UL << 22) | (1UL << 18) | (1UL << 16) | \
			(1UL << 11) | (3UL << 4))
#define SCTLR_M (1UL << 0)
#define SCTLR_A (1UL << 1)
#define SCTLR_C (1UL << 2)
#define SCTLR_SA (1UL << 3)
#define SCTLR_I (1UL << 12)
#define SCTLR_WXN (1UL << 19)

/* HCR_EL2 */
#define HCR_FMO (1UL << 3)
#define HCR_IMO (1UL << 4)
#define HCR_AMO (1UL << 5)
#define HCR_RW (1UL << 31)

/* ESR_ELx */
#define ESR_EC_SHIFT 26
#define ESR_EC(esr) (((esr) >> ESR_EC_SHIFT) & 0x3f)
#define ESR_IL (1UL << 25)
#define ESR_ISS(esr) ((esr) & 0x1ffffff)

#define MPIDR_HWID_MASK 0xff00ffffffUL

#endif
