/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The RISC-V ISA string: which extensions a "riscv,isa" names, and the
 * string riscv64 guests are given. Built for riscv64 and for the host
 * fake (arch/host/guest_isa_riscv64.c), so that unit tests check what
 * guests are offered for a given host. Included by its path relative to
 * this directory, as the host build has no riscv64 include directory.
 */
#ifndef RISCV64_VIRT_GUEST_ISA_H
#define RISCV64_VIRT_GUEST_ISA_H

#include <keel/types.h>

/* The extensions Keel knows the name of, one bit each. */
enum riscv_ext {
	RISCV_EXT_I, RISCV_EXT_M, RISCV_EXT_A, RISCV_EXT_F, RISCV_EXT_D,
	RISCV_EXT_C, RISCV_EXT_H, RISCV_EXT_V,
	RISCV_EXT_ZICSR, RISCV_EXT_ZIFENCEI, RISCV_EXT_ZIHINTPAUSE,
	RISCV_EXT_ZBA, RISCV_EXT_ZBB, RISCV_EXT_ZBC, RISCV_EXT_ZBS,
	RISCV_EXT_SSTC,
	RISCV_EXT_COUNT,
};

#define RISCV_EXT(e) (1ULL << RISCV_EXT_##e)

#define RISCV_GUEST_ISA_MAX 128

/*
 * The extensions isa names ("rv64imafdch_zicsr_..._sstc", either case).
 * Zicsr and Zifencei count as named when the string is older than their
 * split from the base ISA and leaves them out. 0 for a string that is not
 * RV64.
 */
uint64_t riscv_isa_parse(const char *isa);

/*
 * Fixes what guests are offered: of the extensions every host hart has
 * (host, riscv_isa_parse()'s bits ANDed over the harts), those a guest
 * can use under Keel. Sstc only when vstimecmp works (sstc_usable).
 * Until called, guests get RV64GC with Zicsr and Zifencei.
 */
void riscv_guest_isa_offer(uint64_t host, bool sstc_usable);

/* The "riscv,isa" for guest harts, and its extensions. */
const char *riscv_guest_isa(void);
uint64_t riscv_guest_isa_exts(void);

#endif
