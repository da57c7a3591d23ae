/* SPDX-License-Identifier: GPL-2.0-only */
/* SBI calls (ecall: a7 = extension, a6 = function; a0 = error, a1 = value). */
#include "riscv64.h"
#include "../arch.h"

#define SBI_SRST_SHUTDOWN 0
#define SBI_SRST_COLD_REBOOT 1

struct sbiret sbi_call(uint64_t eid, uint64_t fid, uint64_t a0, uint64_t a1,
		       uint64_t a2, uint64_t a3)
{
	register uint64_t r0 asm("a0") = a0;
	register uint64_t r1 asm("a1") = a1;
	register uint64_t r2 asm("a2") = a2;
	register uint64_t r3 asm("a3") = a3;
	register uint64_t r6 asm("a6") = fid;
	register uint64_t r7 asm("a7") = eid;
	struct sbiret ret;

	asm volatile("ecall"
		     : "+r"(r0), "+r"(r1)
		     : "r"(r2), "r"(r3), "r"(r6), "r"(r7)
		     : "memory");
	ret.error = (long)r0;
	ret.value = (long)r1;
	return ret;
}

void sbi_set_timer(uint64_t deadline)
{
	sbi_call(SBI_EXT_TIME, 0, deadline, 0, 0, 0);
}

void arch_power_off(void)
{
	sbi_call(SBI_EXT_SRST, 0, SBI_SRST_SHUTDOWN, 0, 0, 0);
}

void arch_reset(void)
{
	sbi_call(SBI_EXT_SRST, 0, SBI_SRST_COLD_REBOOT, 0, 0, 0);
}
