/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Virtual CPUs. Keel runs a vCPU until it exits (run-to-exit): each host
 * CPU's scheduler picks a runnable vCPU pinned to it, arch_vcpu_run()
 * enters the guest and returns with a decoded struct vm_exit, and generic
 * code handles the exit on the host CPU's own stack.
 */
#ifndef KEEL_VCPU_H
#define KEEL_VCPU_H

#include <keel/time.h>
#include <keel/types.h>
#include <keel/vm_exit.h>
#include <lib/list.h>
#include <arch/vcpu.h>          /* struct arch_vcpu, arch-private */

struct guest;

enum vcpu_power {
	VCPU_POWER_OFF,      /* not started yet, or PSCI CPU_OFF */
	VCPU_POWER_ON,
};

struct vcpu {
	struct guest *guest;
	unsigned int id;                /* 0..guest vcpus-1 */
	unsigned int pcpu;              /* host CPU it is pinned to */
	enum vcpu_power power;
	bool blocked;                   /* in WFI, waiting for an interrupt */
	bool queued;                    /* on its host CPU's run queue */
	/* Held by a host CPU from pick to put-back (guest entry and exit
	 * handling); lifecycle changes wait until it is false. */
	bool on_cpu;
	/* A lifecycle change gave up waiting for on_cpu to clear: ask CPU 0
	 * for service work when it does. Under the run queue lock. */
	bool service_on_leave;
	/* Bumped by every vcpu_kick(); the WFI path compares it so that a
	 * kick between "nothing pending" and "block" is never lost. */
	uint64_t kicks;
	struct list_head run_node;      /* run queue link */
	struct timer_event wake_event;  /* ends a WFI at the guest's timer deadline */

	/* Statistics for `vcpu list` and `stats`. */
	uint64_t exits[VM_EXIT_REASON_COUNT];
	uint64_t run_ns;                /* time spent in the guest */
	uint64_t entries;

	struct arch_vcpu arch;
};

/* ---- generic services that arch code and emulators call ---- */

/* Something happened for v (an interrupt became pending, it was powered
 * on): wake it from WFI and make it re-check, wherever it runs. */
void vcpu_kick(struct vcpu *v);
/* PSCI CPU_ON and friends: power v on at entry with arg in the first
 * argument register; -KEEL_EBUSY when it is already on. */
int vcpu_power_on(struct vcpu *v, gpa_t entry, uint64_t arg);
/* The calling vCPU powers itself off (PSCI CPU_OFF). */
void vcpu_power_off(struct vcpu *v);
/* The vCPU the calling host CPU is running or handling an exit of, or
 * NULL (valid with interrupts masked or inside exit handling). */
struct vcpu *vcpu_current(void);
/* The vCPU of guest g with hardware id hwid (arm64: MPIDR), or NULL. */
struct vcpu *vcpu_find_by_hwid(struct guest *g, uint64_t hwid);

/* ---- hooks each arch implements (arch/<arch>/cpu/vcpu.c) ---- */

/* Prepares the calling host CPU to run guests (stage-2 controls, virtual
 * interrupt and timer set-up); boot CPU first, then each secondary. */
void arch_virt_cpu_init(void);

/* Sets up v's arch state once, when its guest is created. */
int arch_vcpu_init(struct vcpu *v);
/* Puts v in its architectural power-on state: PC = entry, first
 * argument register = arg, EL1 with MMU off, interrupts masked. */
void arch_vcpu_reset(struct vcpu *v, gpa_t entry, uint64_t arg);
/* Frees what arch_vcpu_init() took. */
void arch_vcpu_destroy(struct vcpu *v);
/* Runs v on the calling host CPU until it exits; interrupts are masked
 * on entry and on return. Pending virtual interrupts are delivered. */
void arch_vcpu_run(struct vcpu *v, struct vm_exit *exit);
/* Completes an MMIO read with value (sign extension as decoded) and
 * steps over the instruction; for writes, only steps over it. */
void arch_vcpu_complete_mmio(struct vcpu *v, const struct vm_exit *exit,
			     uint64_t value);
/* Completes a hypercall: results into the result registers (x0..x3),
 * PC after the call instruction. */
void arch_vcpu_complete_hypercall(struct vcpu *v, const uint64_t ret[4]);
/* Steps over the trapping instruction (WFI, ignored system registers). */
void arch_vcpu_skip_instruction(struct vcpu *v);
/* Delivers a synchronous external abort for addr to the guest. */
void arch_vcpu_inject_abort(struct vcpu *v, gpa_t addr, bool data);
/* Delivers an undefined-instruction exception to the guest. */
void arch_vcpu_inject_undef(struct vcpu *v);
/* True when v has a virtual interrupt it would take (ends a WFI). */
bool arch_vcpu_irq_pending(struct vcpu *v);
/* When v in WFI must wake for its own timer: the deadline in
 * time_now_ns() terms, or 0 when no guest timer is armed. */
uint64_t arch_vcpu_timer_deadline_ns(struct vcpu *v);
/* Prints v's registers (for a guest stopped on a fault). */
void arch_vcpu_dump(struct vcpu *v);
/* The hardware id the guest sees for v (arm64: MPIDR_EL1 affinity). */
uint64_t arch_vcpu_hwid(const struct vcpu *v);
/* Makes host CPU cpu leave guest mode soon (an IPI); the scheduler there
 * re-checks its vCPU. */
void arch_kick_cpu(unsigned int cpu);

#endif
