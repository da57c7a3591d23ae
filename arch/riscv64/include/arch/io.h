/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Device register access for host drivers. RISC-V orders device (I/O)
 * and memory accesses separately: a FENCE that names only r/w does not
 * order a register write after the memory the device will read (a
 * descriptor), nor a status read before the memory it announces. So
 * every accessor carries the fence that makes it behave like a plain
 * access in program order:
 *   read:  the load, then FENCE i,r (later memory reads see what the
 *          device said was there);
 *   write: FENCE w,o, then the store (earlier memory writes are visible
 *          before the device is told about them).
 * io_mb() orders everything before it against everything after it.
 */
#ifndef ARCH_RISCV64_IO_H
#define ARCH_RISCV64_IO_H

#include <stdint.h>

static inline uint32_t io_read32(const volatile void *addr)
{
	uint32_t v = *(const volatile uint32_t *)addr;

	__asm__ volatile("fence i, r" ::: "memory");
	return v;
}

static inline void io_write32(volatile void *addr, uint32_t value)
{
	__asm__ volatile("fence w, o" ::: "memory");
	*(volatile uint32_t *)addr = value;
}

static inline uint8_t io_read8(const volatile void *addr)
{
	uint8_t v = *(const volatile uint8_t *)addr;

	__asm__ volatile("fence i, r" ::: "memory");
	return v;
}

static inline void io_write8(volatile void *addr, uint8_t value)
{
	__asm__ volatile("fence w, o" ::: "memory");
	*(volatile uint8_t *)addr = value;
}

static inline void io_mb(void)
{
	__asm__ volatile("fence iorw, iorw" ::: "memory");
}

#endif
