/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The RISC-V timer as Keel's event timer: each hart's supervisor timer
 * interrupt, programmed with the earliest deadline of that CPU's
 * timer-event queue. With Sstc (named in the harts' "riscv,isa") Keel
 * writes stimecmp itself; otherwise it asks the firmware (SBI TIME).
 * The timer belongs to the harts, so the driver binds to the first cpu
 * node; the counter's rate is /cpus/timebase-frequency.
 */
#include <keel/driver.h>
#include <keel/errno.h>
#include <keel/irq.h>
#include <keel/log.h>
#include <keel/time.h>
#include <arch/cpu.h>
#include <arch/csr.h>
#include <arch/early.h>
#include <arch/irq.h>
#include <arch/sbi.h>
#include <arch/trap.h>

static bool timer_sstc;

static void timer_program(uint64_t when)
{
	if (timer_sstc)
		csr_write(CSR_STIMECMP, when);
	else
		sbi_set_timer(when);
}

void arch_timer_set_deadline(uint64_t deadline_ns)
{
	uint64_t now_ns, delta_ns, ticks;

	if (!deadline_ns) {
		timer_program(UINT64_MAX);
		return;
	}
	now_ns = time_now_ns();
	delta_ns = deadline_ns > now_ns ? deadline_ns - now_ns : 0;
	/* Split to avoid overflow: whole seconds, then the remainder. */
	ticks = (delta_ns / NSEC_PER_SEC) * arch_counter_freq() +
		(delta_ns % NSEC_PER_SEC) * arch_counter_freq() / NSEC_PER_SEC;
	timer_program(arch_counter_read() + ticks);
}

static void riscv_timer_interrupt(unsigned int irq, void *arg)
{
	/* Quiet (STIP clears) until the event queue programs the next one. */
	timer_program(UINT64_MAX);
	timer_event_expire();
}

static void riscv_timer_cpu_start(void)
{
	timer_program(UINT64_MAX);
	irq_request(RISCV_IRQ_TIMER, riscv_timer_interrupt, NULL);
}

/* Sstc in the ISA string is not enough: the M-mode firmware must also
 * have let S-mode use stimecmp (menvcfg.STCE), or reading it traps. */
static bool stimecmp_usable(void)
{
	unsigned long value;

	if (!riscv_isa.sstc)
		return false;
	return riscv_csr_read_probe(CSR_STIMECMP, &value);
}

static int riscv_timer_probe(const void *fdt, int node)
{
	if (!arch_counter_freq()) {
		log_error("timer: no timebase-frequency in /cpus of the device tree; Keel cannot tell time");
		return -KEEL_EINVAL;
	}
	sbi_probe();
	timer_sstc = stimecmp_usable();
	if (!timer_sstc && !sbi_has(SBI_EXT_TIME))
		log_warn("timer: no Sstc and no SBI TIME extension; using the legacy SBI set_timer call");
	timer_program(UINT64_MAX);
	return 0;
}

static int riscv_timer_start(const void *fdt, int node)
{
	riscv_timer_cpu_start();
	log_info("timer: %llu Hz timebase, %s", (unsigned long long)arch_counter_freq(),
		 timer_sstc ? "Sstc stimecmp" : "SBI TIME set_timer");
	return 0;
}

static const char *const riscv_timer_compatible[] = { "riscv", NULL };

HOST_DRIVER(riscv_timer, .name = "riscv-timer", .class = DRIVER_CLASS_TIMER,
	    .compatible = riscv_timer_compatible, .probe = riscv_timer_probe,
	    .start = riscv_timer_start, .cpu_start = riscv_timer_cpu_start);
