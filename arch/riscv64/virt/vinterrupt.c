// SPDX-License-Identifier: GPL-2.0-only
/*
 * A riscv64 vCPU's interrupts and timer, delivered through hvip:
 *
 *   VSSIP  software (SBI IPI): set by the sender, folded into hvip at the
 *          next entry; the guest clears it through its sip, and what it
 *          left is kept at each exit
 *   VSEIP  external: the level of the guest's interrupt controller output
 *          for the hart (riscv_vcpu_set_external_irq), set at each entry
 *   VSTIP  timer: with Sstc the guest's own vstimecmp (against time +
 *          htimedelta) raises it in hardware, loaded and saved around each
 *          run; without, Keel compares the guest's deadline at each entry
 *          and arms a host timer event that kicks the vCPU out when the
 *          deadline passes while it runs
 *
 * A sender (another vCPU, a device) only sets state and calls
 * vcpu_kick(), which wakes a vCPU waiting in WFI and makes a running one
 * exit; no lock is needed. The guest time base is per guest: time starts
 * near 0 when the guest is created and stands still while it is paused.
 */
#include <keel/guest.h>
#include <keel/platform.h>
#include <keel/guest_throttle.h>
#include <keel/log.h>
#include <keel/time.h>
#include <keel/vcpu.h>
#include <arch/cpu.h>
#include <arch/csr.h>
#include <arch/early.h>
#include <arch/trap.h>
#include <arch/virt.h>

#include "guest_isa.h"

/* vsie numbers the VS interrupts as S ones (bits 1, 5, 9); hvip as VS
 * ones (2, 6, 10). */
#define VSIE_TO_HVIP(vsie) (((vsie) << 1) & HVIP_VS_ALL)
#define TIMER_NEVER (~0ULL)

bool riscv_virt_sstc;

void riscv_vinterrupt_cpu_init(void)
{
	unsigned long value;

	/* henvcfg.STCE is read-only zero unless the firmware gave S-mode
	 * Sstc (menvcfg.STCE); a hart may still keep the bit without the
	 * extension (QEMU 7.2 with sstc=false does), so vstimecmp itself
	 * must be readable too. */
	csr_set(henvcfg, HENVCFG_STCE);
	riscv_virt_sstc = (csr_read(henvcfg) & HENVCFG_STCE) &&
			  riscv_csr_read_probe(CSR_VSTIMECMP, &value);
	if (!riscv_virt_sstc)
		csr_clear(henvcfg, HENVCFG_STCE);
	if (arch_cpu_id() != 0)
		return;
	log_info("virt: guest timers: %s", riscv_virt_sstc ? "Sstc vstimecmp"
			: "emulated (no Sstc): host timer events");
	riscv_guest_isa_offer(riscv_isa.known ? riscv_isa.exts : riscv_isa_parse("rv64gc"),
			      riscv_virt_sstc);
	log_info("virt: guest harts: riscv,isa \"%s\"", riscv_guest_isa());
}

uint64_t riscv_guest_time(const struct guest *g)
{
	uint64_t stopped = READ_ONCE(g->arch.time_stopped_at);

	return (stopped ? stopped : arch_counter_read()) + g->arch.htimedelta;
}

static uint64_t timer_compare(const struct vcpu *v)
{
	return riscv_virt_sstc ? v->arch.vs.vstimecmp : READ_ONCE(v->arch.stimecmp);
}

static bool timer_due(const struct vcpu *v)
{
	return riscv_guest_time(v->guest) >= timer_compare(v);
}

/* time_now_ns() when guest time reaches cmp; 0 when it never does. */
static uint64_t guest_time_deadline_ns(const struct guest *g, uint64_t cmp)
{
	uint64_t now = riscv_guest_time(g), now_ns = time_now_ns(), ticks, freq;

	if (cmp == TIMER_NEVER)
		return 0;
	if (cmp <= now)
		return MAX(now_ns, 1);
	ticks = cmp - now;
	freq = arch_counter_freq();
	/* Beyond a day away: as good as never for a wake-up. */
	if (ticks / freq > 86400)
		return 0;
	return now_ns + (ticks / freq) * NSEC_PER_SEC +
	       ((ticks % freq) * NSEC_PER_SEC + freq - 1) / freq;
}

static void timer_event_fired(struct timer_event *event, void *arg)
{
	vcpu_kick(arg);
}

void riscv_vinterrupt_reset(struct vcpu *v)
{
	struct arch_vcpu *a = &v->arch;

	if (a->timer_event.fn)
		timer_event_cancel(&a->timer_event);
	a->timer_event.fn = timer_event_fired;
	a->timer_event.arg = v;
	a->timer_armed_ns = 0;
	WRITE_ONCE(a->stimecmp, TIMER_NEVER);
	a->vs.vstimecmp = TIMER_NEVER;
	a->hvip = 0;
	__atomic_store_n(&a->ssip_pending, 0, __ATOMIC_SEQ_CST);
}

void riscv_vinterrupt_destroy(struct vcpu *v)
{
	if (v->arch.timer_event.fn)
		timer_event_cancel(&v->arch.timer_event);
}

void riscv_vinterrupt_enter(struct vcpu *v)
{
	struct arch_vcpu *a = &v->arch;
	uint64_t hvip = a->hvip & HVIP_VSSIP;

	csr_write(htimedelta, v->guest->arch.htimedelta);
	if (__atomic_exchange_n(&a->ssip_pending, 0, __ATOMIC_SEQ_CST))
		hvip |= HVIP_VSSIP;
	a->hvip = hvip;
	if (__atomic_load_n(&a->seip_level, __ATOMIC_SEQ_CST))
		hvip |= HVIP_VSEIP;
	if (riscv_virt_sstc) {
		csr_write(CSR_VSTIMECMP, a->vs.vstimecmp);
	} else {
		uint64_t deadline = guest_time_deadline_ns(v->guest, a->stimecmp);

		if (timer_due(v))
			hvip |= HVIP_VSTIP;
		else if (deadline && deadline != a->timer_armed_ns) {
			/* Its expiry kicks the vCPU out to raise VSTIP. */
			timer_event_add(&a->timer_event, deadline);
			a->timer_armed_ns = deadline;
		}
	}
	csr_write(hvip, hvip);
}

void riscv_vinterrupt_exit(struct vcpu *v)
{
	struct arch_vcpu *a = &v->arch;

	a->hvip = csr_read(hvip) & HVIP_VSSIP;
	if (riscv_virt_sstc)
		a->vs.vstimecmp = csr_read(CSR_VSTIMECMP);
}

void riscv_vcpu_set_timer(struct vcpu *v, uint64_t deadline)
{
	/* On v's own exit: loaded at its next entry, which also drops a
	 * pending timer interrupt the new deadline no longer calls for. */
	if (riscv_virt_sstc)
		v->arch.vs.vstimecmp = deadline;
	else
		WRITE_ONCE(v->arch.stimecmp, deadline);
}

void riscv_vcpu_send_ipi(struct vcpu *target)
{
	__atomic_store_n(&target->arch.ssip_pending, 1, __ATOMIC_SEQ_CST);
	vcpu_kick(target);
}

void riscv_vcpu_set_external_irq(struct vcpu *v, bool level)
{
	/* Only recorded (the PLIC calls this under its lock and kicks the
	 * vCPU itself once it dropped it). A lowered level reaches a running
	 * vCPU at its next exit: at worst it claims nothing once. */
	__atomic_store_n(&v->arch.seip_level, level, __ATOMIC_SEQ_CST);
}

bool arch_vcpu_irq_pending(struct vcpu *v)
{
	const struct arch_vcpu *a = &v->arch;
	uint64_t pending = a->hvip & HVIP_VSSIP;

	if (__atomic_load_n(&a->ssip_pending, __ATOMIC_SEQ_CST))
		pending |= HVIP_VSSIP;
	if (__atomic_load_n(&a->seip_level, __ATOMIC_SEQ_CST))
		pending |= HVIP_VSEIP;
	if (timer_due(v))
		pending |= HVIP_VSTIP;
	/* WFI ends for an interrupt enabled in sie, whatever sstatus.SIE. */
	return (pending & VSIE_TO_HVIP(a->vs.vsie)) != 0;
}

uint64_t arch_vcpu_timer_deadline_ns(struct vcpu *v)
{
	uint64_t deadline = 0;

	if (VSIE_TO_HVIP(v->arch.vs.vsie) & HVIP_VSTIP)
		deadline = guest_time_deadline_ns(v->guest, timer_compare(v));
	return guest_throttle_wake_deadline(v, deadline);
}

/* Pause: guest time stands still (the vCPUs are off their CPUs). */
void arch_guest_time_stop(struct guest *g)
{
	if (g->arch.time_stopped_at)
		return;
	WRITE_ONCE(g->arch.time_stopped_at, MAX(arch_counter_read(), 1));
}

/* Start and resume: time goes on where it stopped; every vCPU looks at
 * its timer again (a WFI's wake-up went with the pause). */
void arch_guest_time_start(struct guest *g)
{
	if (g->arch.time_stopped_at) {
		g->arch.htimedelta -= arch_counter_read() - g->arch.time_stopped_at;
		WRITE_ONCE(g->arch.time_stopped_at, 0);
	}
	for (unsigned int i = 0; i < g->vcpu_count; i++) {
		g->vcpus[i]->arch.timer_armed_ns = 0;
		vcpu_kick(g->vcpus[i]);
	}
}
