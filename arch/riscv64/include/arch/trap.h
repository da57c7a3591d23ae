/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Reading a CSR that may not be there. Whether an optional CSR is usable
 * can depend on the M-mode firmware (Sstc's stimecmp needs menvcfg.STCE),
 * which S-mode cannot ask: Keel tries, with the trap handler told to
 * expect an illegal-instruction exception on this CPU and to step over
 * the instruction instead of stopping Keel.
 */
#ifndef ARCH_RISCV64_TRAP_H
#define ARCH_RISCV64_TRAP_H

#include <stdbool.h>

void riscv_trap_expect_begin(void);
/* True when an illegal-instruction trap was taken since _begin(). */
bool riscv_trap_expect_end(void);

/* Reads csr into *valp; false (and *valp 0) when the access trapped. */
#define riscv_csr_read_probe(csr, valp)                                 \
	({                                                              \
		unsigned long __v = 0;                                  \
		bool __trapped;                                         \
		riscv_trap_expect_begin();                              \
		__asm__ volatile(".option push\n\t.option norvc\n\t"    \
				 "csrr %0, " __csr_str(csr) "\n\t"      \
				 ".option pop"                          \
				 : "+r"(__v) : : "memory");             \
		__trapped = riscv_trap_expect_end();                    \
		*(valp) = __trapped ? 0 : __v;                          \
		!__trapped;                                             \
	})

#endif
