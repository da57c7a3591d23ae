/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The platform's devices for arch-neutral code: the ns16550a console
 * (byte registers, as QEMU virt's, left configured by the loader), device
 * register accesses, and the PLIC's one-cell interrupt specifiers.
 */
#include "riscv64.h"
#include "../arch.h"
#include "../attacks.h"

#define UART_THR 0
#define UART_LSR 5
#define UART_LSR_THRE 0x20

void arch_console_putc(char c)
{
	while (!(mmio_read8(UART_BASE + UART_LSR) & UART_LSR_THRE))
		;
	mmio_write8(UART_BASE + UART_THR, (uint8_t)c);
}

uint8_t arch_mmio_read8(uintptr_t addr)
{
	return mmio_read8(addr);
}

uint16_t arch_mmio_read16(uintptr_t addr)
{
	return mmio_read16(addr);
}

uint32_t arch_mmio_read32(uintptr_t addr)
{
	return mmio_read32(addr);
}

void arch_mmio_write8(uintptr_t addr, uint8_t value)
{
	mmio_write8(addr, value);
}

void arch_mmio_write16(uintptr_t addr, uint16_t value)
{
	mmio_write16(addr, value);
}

void arch_mmio_write32(uintptr_t addr, uint32_t value)
{
	mmio_write32(addr, value);
}

/* PLIC: "interrupts" is the source number itself. */
unsigned int arch_irq_from_dt(const uint32_t *cells, unsigned int count)
{
	return count >= 1 ? cells[0] : 0;
}
