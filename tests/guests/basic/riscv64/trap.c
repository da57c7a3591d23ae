/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * S-mode traps of the basic guest and the per-vCPU state they update:
 * the timer (one SBI timer per hart, shared by the check timer and the
 * watchdog), software interrupts (SBI IPIs), and the synchronous
 * exceptions expected in a few places (a probing load, a vector
 * instruction, the attack mode's probes); any other
 * exception is reported with its cause and ends the check it
 * interrupted.
 */
#include "riscv64.h"
#include "../arch.h"

uint8_t cpu_stacks[BASIC_MAX_CPUS][STACK_SIZE] __attribute__((aligned(16)));
static struct cpu_state cpu_states[BASIC_MAX_CPUS];

unsigned int arch_cpu_index(void)
{
	uint64_t tp;

	asm volatile("mv %0, tp" : "=r"(tp));
	return (unsigned int)tp;
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
	fence_all();
}

uint64_t arch_counter_read(void)
{
	uint64_t t;

	asm volatile("rdtime %0" : "=r"(t) :: "memory");
	return t;
}

uint64_t arch_counter_frequency(void)
{
	return board.timebase_hz;
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
	fence_all();
	v = probe_read64(addr);
	fence_all();
	cpu->expect_abort = false;
	if (cpu->abort_taken) {
		*syndrome = cpu->abort_cause;
		return true;
	}
	*value = v;
	return false;
}

const char *arch_irq_init(void)
{
	/* Timer and software interrupts are the hart's own: nothing to set
	 * up beyond enabling them (taken only while sstatus.SIE is set). */
	sstc_init();
	csr_set(sie, SIE_SSIE | SIE_STIE);
	return NULL;
}

/* WFI ends for an interrupt enabled in sie even with sstatus.SIE clear:
 * one that came before the WFI cannot be missed. It is taken as soon as
 * SIE is set. */
void arch_wait_for_interrupt(void)
{
	fence_all();
	asm volatile("wfi" ::: "memory");
	csr_set(sstatus, SSTATUS_SIE);
	asm volatile("nop" ::: "memory");
	csr_clear(sstatus, SSTATUS_SIE);
}

void timer_program(struct cpu_state *cpu)
{
	uint64_t next = ~0ULL;

	if (cpu->timer_deadline)
		next = cpu->timer_deadline;
	if (cpu->watchdog_deadline && cpu->watchdog_deadline < next)
		next = cpu->watchdog_deadline;
	if (timer_uses_sstc)
		sstc_write(next);
	else
		sbi_set_timer(next);
}

void arch_timer_start(uint64_t deadline)
{
	struct cpu_state *cpu = this_cpu();

	cpu->timer_fired = false;
	cpu->timer_deadline = deadline ? deadline : 1;
	timer_program(cpu);
}

void arch_timer_stop(void)
{
	struct cpu_state *cpu = this_cpu();

	cpu->timer_deadline = 0;
	timer_program(cpu);
}

bool arch_timer_fired(uint64_t *at)
{
	struct cpu_state *cpu = this_cpu();

	if (cpu->timer_fired)
		*at = cpu->timer_fired_at;
	return cpu->timer_fired;
}

void arch_watchdog_start(uint64_t deadline)
{
	struct cpu_state *cpu = this_cpu();

	cpu->watchdog_fired = false;
	cpu->watchdog_deadline = deadline ? deadline : 1;
	timer_program(cpu);
}

void arch_watchdog_stop(void)
{
	struct cpu_state *cpu = this_cpu();

	cpu->watchdog_deadline = 0;
	timer_program(cpu);
}

bool arch_watchdog_fired(void)
{
	return this_cpu()->watchdog_fired;
}

static void timer_irq(struct cpu_state *cpu)
{
	uint64_t now = arch_counter_read();

	if (cpu->timer_deadline && now >= cpu->timer_deadline) {
		cpu->timer_deadline = 0;
		cpu->timer_fired_at = now;
		cpu->timer_fired = true;
	}
	if (cpu->watchdog_deadline && now >= cpu->watchdog_deadline) {
		cpu->watchdog_deadline = 0;
		cpu->watchdog_fired = true;
	}
	/* Also clears the pending interrupt. */
	timer_program(cpu);
}

static const char *cause_name(uint64_t cause)
{
	static const char *const names[] = {
		"instruction address misaligned", "instruction access fault",
		"illegal instruction", "breakpoint", "load address misaligned",
		"load access fault", "store address misaligned", "store access fault",
		"ecall from U-mode", "ecall from S-mode", "reserved", "reserved",
		"instruction page fault", "load page fault", "reserved",
		"store page fault",
	};

	return cause < ARRAY_SIZE(names) ? names[cause] : "unknown";
}

void trap_handle(struct trap_frame *frame)
{
	struct cpu_state *cpu = this_cpu();
	uint64_t cause = frame->scause;

	if (cause & SCAUSE_INTERRUPT) {
		switch (cause & ~SCAUSE_INTERRUPT) {
		case IRQ_S_TIMER:
			timer_irq(cpu);
			return;
		case IRQ_S_SOFT:
			csr_clear(sip, SIP_SSIP);
			cpu->ipi_count++;
			return;
		default:
			print_line("FAIL trap: vCPU %u: unexpected interrupt %lu; disabling it",
				   arch_cpu_index(), cause & ~SCAUSE_INTERRUPT);
			csr_clear(sie, 1UL << (cause & 63));
			return;
		}
	}
	if (cpu->expect_abort && (frame->sepc == (uintptr_t)probe_read_instruction ||
				  frame->sepc == (uintptr_t)probe_stimecmp_instruction ||
				  frame->sepc == (uintptr_t)probe_vsetvli_instruction ||
				  (frame->sepc >= (uintptr_t)probe_begin &&
				   frame->sepc < (uintptr_t)probe_end))) {
		cpu->abort_taken = true;
		cpu->abort_cause = cause;
		frame->sepc += 4;
		return;
	}
	if (cpu->fetch_expect && frame->sepc == cpu->fetch_expect) {
		/* A call to nowhere: back to its caller. */
		cpu->fetch_taken = true;
		cpu->fetch_cause = cause;
		cpu->fetch_tval = frame->stval;
		cpu->fetch_expect = 0;
		frame->sepc = frame->x[1];
		return;
	}
	if (cpu->race_va && cause == CAUSE_FETCH_PAGE_FAULT &&
	    frame->sepc - cpu->race_va < 4096) {
		/* race_page() lost its page: return the loads done (t1);
		 * past its first two instructions t0 and a4 hold loaded
		 * values, which must be the expected one (a1), and a6 must
		 * still be the sentinel (a3). */
		if ((frame->sepc - cpu->race_va >= 8 &&
		     (frame->x[5] != frame->x[11] || frame->x[14] != frame->x[11])) ||
		    frame->x[16] != frame->x[13])
			cpu->race_wrong = true;
		cpu->race_faults++;
		frame->x[10] = frame->x[6];
		frame->sepc = frame->x[1];
		asm volatile("sfence.vma" ::: "memory");
		return;
	}
	print_line("FAIL exception: vCPU %u: %s (scause %lu) at pc 0x%lx, stval 0x%lx",
		   arch_cpu_index(), cause_name(cause), cause, frame->sepc, frame->stval);
	if (cpu->guard) {
		/* Back in S-mode with interrupts masked, at guard_abandon. */
		frame->sepc = (uintptr_t)guard_abandon;
		frame->x[10] = (uintptr_t)cpu->guard;
		frame->sstatus = (frame->sstatus | SSTATUS_SPP) & ~SSTATUS_SPIE;
		return;
	}
	arch_halt();
}
