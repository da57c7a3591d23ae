/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The host fake's part of struct vcpu and struct guest: enough state for
 * unit tests to drive generic guest code (registers that hypercalls and
 * MMIO completions write, and a record of what was injected).
 */
#ifndef ARCH_HOST_VCPU_H
#define ARCH_HOST_VCPU_H

#include <stdint.h>
#include <stdbool.h>

struct arch_vcpu {
	uint64_t regs[32];
	uint64_t pc;
	uint64_t entry;
	unsigned int aborts_injected;
	unsigned int undefs_injected;
	bool irq_pending;               /* what arch_vcpu_irq_pending() says */
	uint64_t timer_deadline_ns;
};

struct arch_guest {
	bool stage2_ready;
	uint64_t mapped_bytes;          /* what arch_stage2_map() was given */
	unsigned int irq_level_changes;
	bool irq_level[128];
	bool platform_created;
	bool time_stopped;
};

struct vcpu;
/* Host fake only: called by arch_vcpu_run() "in guest mode" (NULL: none),
 * e.g. to keep a vCPU on its CPU as a long exit would. */
void host_vcpu_set_run_hook(void (*hook)(struct vcpu *v));

#endif
