/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Device register access for host drivers. Device memory (nGnRE) keeps
 * accesses to one device in program order; what must also be ordered is
 * normal memory a device reads or writes by DMA against the register
 * access that starts or reports it: io_mb() (a full-system DMB) does
 * that, the accessors themselves are plain single-copy-atomic accesses.
 */
#ifndef ARCH_ARM64_IO_H
#define ARCH_ARM64_IO_H

#include <stdint.h>

static inline uint32_t io_read32(const volatile void *addr)
{
	return *(const volatile uint32_t *)addr;
}

static inline void io_write32(volatile void *addr, uint32_t value)
{
	*(volatile uint32_t *)addr = value;
}

static inline uint8_t io_read8(const volatile void *addr)
{
	return *(const volatile uint8_t *)addr;
}

static inline void io_write8(volatile void *addr, uint8_t value)
{
	*(volatile uint8_t *)addr = value;
}

static inline void io_mb(void)
{
	__asm__ volatile("dmb sy" ::: "memory");
}

#endif
