/* SPDX-License-Identifier: GPL-2.0-only */
/* Console output on the platform's PL011, as firmware left it configured. */
#include "arm64.h"
#include "../arch.h"

#define PL011_DR 0x00
#define PL011_FR 0x18
#define PL011_FR_TXFF (1U << 5)

void arch_console_putc(char c)
{
	while (mmio_read32(PL011_BASE + PL011_FR) & PL011_FR_TXFF)
		;
	mmio_write32(PL011_BASE + PL011_DR, (uint8_t)c);
}
