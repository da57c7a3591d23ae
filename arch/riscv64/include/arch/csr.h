/* SPDX-License-Identifier: GPL-2.0-only */
/* riscv64 control and status registers Keel's host side uses, and their bits. */
#ifndef ARCH_RISCV64_CSR_H
#define ARCH_RISCV64_CSR_H

#ifdef __ASSEMBLY__
#define _UL(x) x
#else
#define _UL(x) x##UL
#endif

/* sstatus */
#define SSTATUS_SIE _UL(0x2)
#define SSTATUS_SPIE _UL(0x20)
#define SSTATUS_SPP _UL(0x100)
#define SSTATUS_VS _UL(0x600)
#define SSTATUS_FS _UL(0x6000)
#define SSTATUS_FS_CLEAN _UL(0x4000)
#define SSTATUS_FS_DIRTY _UL(0x6000)
#define SSTATUS_SUM _UL(0x40000)

/* sie / sip: supervisor software, timer and external interrupts. */
#define IRQ_S_SOFT 1
#define IRQ_S_TIMER 5
#define IRQ_S_EXT 9
#define SIE_SSIE (_UL(1) << IRQ_S_SOFT)
#define SIE_STIE (_UL(1) << IRQ_S_TIMER)
#define SIE_SEIE (_UL(1) << IRQ_S_EXT)

/* scause: bit 63 set for interrupts, the rest is the code. */
#define SCAUSE_INTERRUPT (_UL(1) << 63)
#define SCAUSE_CODE(c) ((c) & ~SCAUSE_INTERRUPT)

/* satp: Sv39, the root table's page number in the low 44 bits. */
#define SATP_MODE_SV39 (_UL(8) << 60)
#define SATP_PPN_SHIFT 12

/* Sstc's stimecmp (CSR 0x14d); named by number for older assemblers. */
#define CSR_STIMECMP 0x14d
/* menvcfg.STCE made stimecmp usable; henvcfg.STCE does so for VS. */
#define CSR_HTINST 0x64a
#define CSR_HTVAL 0x643

#ifndef __ASSEMBLY__
#include <stdint.h>

#define csr_read(csr)                                                   \
	({                                                              \
		unsigned long __v;                                      \
		__asm__ volatile("csrr %0, " __csr_str(csr)             \
				 : "=r"(__v) : : "memory");             \
		__v;                                                    \
	})

#define csr_write(csr, val)                                             \
	__asm__ volatile("csrw " __csr_str(csr) ", %0"                  \
			 : : "rK"((unsigned long)(val)) : "memory")

#define csr_set(csr, bits)                                              \
	__asm__ volatile("csrs " __csr_str(csr) ", %0"                  \
			 : : "rK"((unsigned long)(bits)) : "memory")

#define csr_clear(csr, bits)                                            \
	__asm__ volatile("csrc " __csr_str(csr) ", %0"                  \
			 : : "rK"((unsigned long)(bits)) : "memory")

/* Swaps: returns the old value. */
#define csr_read_clear(csr, bits)                                       \
	({                                                              \
		unsigned long __v;                                      \
		__asm__ volatile("csrrc %0, " __csr_str(csr) ", %1"     \
				 : "=r"(__v) : "rK"((unsigned long)(bits)) \
				 : "memory");                           \
		__v;                                                    \
	})

#define __csr_str(csr) #csr
#endif

#endif
