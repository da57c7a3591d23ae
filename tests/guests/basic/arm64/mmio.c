/* SPDX-License-Identifier: GPL-2.0-only */
/* Device register accesses for arch-neutral drivers (virtio.c). */
#include "arm64.h"
#include "../arch.h"

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

void arch_mmio_write32(uintptr_t addr, uint32_t value)
{
	mmio_write32(addr, value);
}
