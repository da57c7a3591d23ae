/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Host interrupt ids on riscv64 (drivers/irqchip/plic.c): the hart-local
 * interrupts keep their scause code (supervisor software 1, timer 5),
 * the PLIC's external sources follow from RISCV_IRQ_PLIC_BASE.
 */
#ifndef ARCH_RISCV64_IRQ_H
#define ARCH_RISCV64_IRQ_H

#include <arch/csr.h>

#define RISCV_IRQ_LOCAL_COUNT 16
#define RISCV_IRQ_SOFT IRQ_S_SOFT
#define RISCV_IRQ_TIMER IRQ_S_TIMER
#define RISCV_IRQ_PLIC_BASE RISCV_IRQ_LOCAL_COUNT

#endif
