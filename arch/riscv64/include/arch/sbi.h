/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Calls into the SBI firmware (OpenSBI) below Keel (SBI 2.0 calling
 * convention: a7 extension id, a6 function id, a0-a5 arguments; a0 error,
 * a1 value). drivers/firmware/sbi.c probes what the firmware offers and
 * serves the platform's power operations; these are for the other host
 * drivers and arch code.
 */
#ifndef ARCH_RISCV64_SBI_H
#define ARCH_RISCV64_SBI_H

#include <stdbool.h>
#include <stdint.h>

#define SBI_EXT_BASE 0x10
#define SBI_EXT_TIME 0x54494D45
#define SBI_EXT_IPI 0x735049
#define SBI_EXT_RFENCE 0x52464E43
#define SBI_EXT_HSM 0x48534D
#define SBI_EXT_SRST 0x53525354
#define SBI_EXT_DBCN 0x4442434E
#define SBI_EXT_LEGACY_CONSOLE_PUTCHAR 0x01

#define SBI_SUCCESS 0
#define SBI_ERR_FAILED -1
#define SBI_ERR_NOT_SUPPORTED -2
#define SBI_ERR_INVALID_PARAM -3
#define SBI_ERR_DENIED -4
#define SBI_ERR_INVALID_ADDRESS -5
#define SBI_ERR_ALREADY_AVAILABLE -6
#define SBI_ERR_ALREADY_STARTED -7
#define SBI_ERR_ALREADY_STOPPED -8

struct sbiret {
	long error;
	long value;
};

static inline struct sbiret sbi_call(unsigned long ext, unsigned long fid,
				     unsigned long arg0, unsigned long arg1,
				     unsigned long arg2)
{
	register unsigned long a0 __asm__("a0") = arg0;
	register unsigned long a1 __asm__("a1") = arg1;
	register unsigned long a2 __asm__("a2") = arg2;
	register unsigned long a6 __asm__("a6") = fid;
	register unsigned long a7 __asm__("a7") = ext;

	__asm__ volatile("ecall"
			 : "+r"(a0), "+r"(a1)
			 : "r"(a2), "r"(a6), "r"(a7)
			 : "memory");
	return (struct sbiret){ .error = (long)a0, .value = (long)a1 };
}

/* What sbi_probe() found (false before it ran). */
bool sbi_has(unsigned long ext);
/* Probes the firmware's extensions; safe to call more than once. */
void sbi_probe(void);
/* IPI to one hart (supervisor software interrupt); 0 or an SBI error. */
long sbi_send_ipi_hart(uint64_t hartid);
/* The next timer interrupt of the calling hart at time value `when`. */
void sbi_set_timer(uint64_t when);
/* FENCE.I on every other hart Keel runs on (after code for a guest was
 * written); 0 or an SBI error. */
long sbi_remote_fence_i_all(void);
/* A character on the firmware's console (DBCN, else the legacy call);
 * false when the firmware has neither. For the earliest messages only. */
bool sbi_console_putc(char c);

#endif
