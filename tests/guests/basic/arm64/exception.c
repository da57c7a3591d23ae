/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * EL1 exceptions of the basic guest, and the per-vCPU state they update.
 * Synchronous exceptions are expected in exactly two places (a probing load
 * and an HVC the CPU may refuse); any other exception is reported with its
 * syndrome and ends the check it interrupted.
 */
#include "arm64.h"
#include "../arch.h"

#define VECTOR_SYNC 4		/* current EL, SP_EL1 */
#define VECTOR_IRQ 5

#define ESR_EC(esr) ((esr) >> 26)
#define EC_UNKNOWN 0x00
#define EC_DATA_ABORT_SAME_EL 0x25
#define EC_BREAKPOINT_SAME_EL 0x31

/* EL1h with D, A, I and F masked. */
#define SPSR_EL1H_MASKED 0x3c5

uint8_t cpu_stacks[BASIC_MAX_CPUS][STACK_SIZE] __attribute__((aligned(16)));
static struct cpu_state cpu_states[BASIC_MAX_CPUS];

static const char *const vector_names[16] = {
	"synchronous (SP_EL0)", "IRQ (SP_EL0)", "FIQ (SP_EL0)", "SError (SP_EL0)",
	"synchronous", "IRQ", "FIQ", "SError",
	"synchronous (lower EL)", "IRQ (lower EL)", "FIQ (lower EL)",
	"SError (lower EL)",
	"synchronous (AArch32)", "IRQ (AArch32)", "FIQ (AArch32)",
	"SError (AArch32)",
};

unsigned int arch_cpu_index(void)
{
	return (unsigned int)read_sysreg(tpidr_el1);
}

struct cpu_state *cpu_state_of(unsigned int cpu)
{
	return &cpu_states[cpu < BASIC_MAX_CPUS ? cpu : 0];
}

struct cpu_state *this_cpu(void)
{
	return cpu_state_of(arch_cpu_index());
}

void arch_memory_barrier(void)
{
	dsb_sy();
}

int arch_run_guarded(void (*fn)(void *), void *arg)
{
	struct cpu_state *cpu = this_cpu();
	struct guard_context *outer = cpu->guard;
	struct guard_context ctx;
	int ret;

	cpu->guard = &ctx;
	ret = guard_call(fn, arg, &ctx);
	cpu->guard = outer;
	return ret;
}

bool arch_probe_read(uint64_t addr, uint64_t *value, uint64_t *syndrome)
{
	struct cpu_state *cpu = this_cpu();
	uint64_t v;

	cpu->abort_taken = false;
	cpu->expect_abort = true;
	v = probe_read64(addr);
	cpu->expect_abort = false;
	if (cpu->abort_taken) {
		*syndrome = cpu->abort_syndrome;
		return true;
	}
	*value = v;
	return false;
}

void trap_expect(uintptr_t branch_target)
{
	struct cpu_state *cpu = this_cpu();

	cpu->trap_seen = false;
	cpu->trap_branch_target = branch_target;
	dsb_sy();
	cpu->expect_trap = true;
	isb();
}

bool trap_taken(struct trap_record *t)
{
	struct cpu_state *cpu = this_cpu();

	isb();
	cpu->expect_trap = false;
	if (!cpu->trap_seen)
		return false;
	t->esr = cpu->trap_esr;
	t->far = cpu->trap_far;
	t->elr = cpu->trap_elr;
	return true;
}

/* The expected exception: recorded; execution resumes as trap_expect's
 * comment in arm64.h says. */
static void trap_record(struct cpu_state *cpu, struct exception_frame *frame, uint64_t esr)
{
	cpu->expect_trap = false;
	cpu->trap_esr = esr;
	cpu->trap_far = read_sysreg(far_el1);
	cpu->trap_elr = frame->elr;
	cpu->trap_seen = true;
	if (cpu->trap_branch_target && frame->elr == cpu->trap_branch_target) {
		frame->elr = frame->x[30];
	} else if (ESR_EC(esr) == EC_BREAKPOINT_SAME_EL) {
		write_sysreg(dbgbcr1_el1, 0);
		isb();
	} else {
		frame->elr += 4;
	}
}

static void exception_unexpected(struct exception_frame *frame,
				 unsigned int vector, uint64_t esr)
{
	struct cpu_state *cpu = this_cpu();
	unsigned int index = arch_cpu_index();

	print_line("unexpected %s exception on vCPU %u: ESR 0x%lx ELR 0x%lx FAR 0x%lx SPSR 0x%lx",
		   vector_names[vector & 15], index, esr, frame->elr,
		   read_sysreg(far_el1), frame->spsr);
	cpu->expect_abort = false;
	if (cpu->guard) {
		/* Return into guard_abandon instead, with interrupts masked. */
		frame->x[0] = (uintptr_t)cpu->guard;
		frame->elr = (uintptr_t)guard_abandon;
		frame->spsr = SPSR_EL1H_MASKED;
		cpu->guard = NULL;
		return;
	}
	if (index) {
		print_line("vCPU %u: turning itself off", index);
		psci_call(PSCI_CPU_OFF, 0, 0, 0);
	} else {
		print_line("stopped: unexpected exception outside any check");
	}
	arch_halt();
}

void exception_handle(struct exception_frame *frame, unsigned int vector)
{
	struct cpu_state *cpu = this_cpu();
	uint64_t esr;

	if (vector == VECTOR_IRQ) {
		gic_handle_irq(frame);
		return;
	}
	esr = read_sysreg(esr_el1);
	if (vector == VECTOR_SYNC) {
		if (ESR_EC(esr) == EC_DATA_ABORT_SAME_EL && cpu->expect_abort &&
		    frame->elr == (uintptr_t)probe_read_instruction) {
			cpu->expect_abort = false;
			cpu->abort_syndrome = esr;
			cpu->abort_taken = true;
			frame->elr += 4;
			return;
		}
		if (cpu->expect_trap) {
			trap_record(cpu, frame, esr);
			return;
		}
		/* Without EL2, HVC is an undefined instruction. */
		if (ESR_EC(esr) == EC_UNKNOWN &&
		    frame->elr == (uintptr_t)smccc_hvc_instruction) {
			cpu->hvc_syndrome = esr;
			cpu->hvc_refused = true;
			frame->elr += 4;
			return;
		}
	}
	exception_unexpected(frame, vector, esr);
}
