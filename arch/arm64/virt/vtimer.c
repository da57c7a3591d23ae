/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The generic timers of a vCPU.
 *
 * Both timers' interrupts are levels (Arm ARM, "Operation of the timer"):
 * the line of PPI 27 / 30 is high while ENABLE = 1, IMASK = 0 and the
 * counter has reached CVAL, and the guest's vGIC interrupt is pending only
 * while it is high (vgic_set_private_level()). The guest reads back
 * exactly the CTL bits it wrote: Keel never sets IMASK for it.
 *
 * The virtual timer is the guest's own hardware: CNTV_CTL/CVAL are loaded
 * on entry with the guest's CNTVOFF_EL2 and saved on exit, as written.
 * When it fires in a guest the host takes its PPI 27 and the guest exits;
 * the exit samples the line and drives PPI 27. While the line is high the
 * host's PPI 27 is masked on this CPU for the run (the condition is still
 * true in hardware and would end every entry at once); the vGIC asks for
 * a maintenance interrupt when the guest completes the interrupt, and that
 * exit samples the line again, so a guest handler that moved CVAL or masked
 * the timer sees the next expiry, and one that did not gets the interrupt
 * again, as from hardware. The pending state follows the line at every
 * exit. The hardware timer is disabled between runs when it could fire,
 * so it never fires for another vCPU or for Keel.
 *
 * The EL1 physical timer traps (CNTHCTL_EL2.EL1PCEN = 0) and is emulated
 * by emulators/timer/arm_gtimer.c over a host timer event. The physical
 * counter is the host's (EL1PCTEN = 1).
 *
 * The guest's virtual counter starts near 0 at creation and reset and
 * stands still while the guest is paused.
 *
 * Lock order: arm64_vtimer.lock (the virtual timer) -> the vGIC's lock ->
 * scheduler locks (kicks). The emulated physical timer has its own lock,
 * with the same order after it, and arms and cancels its host event only
 * with no lock held (arm_gtimer.h): no path here waits for a timer
 * callback while holding a lock that callback takes.
 */
#include <keel/guest.h>
#include <keel/guest_throttle.h>
#include <keel/platform.h>
#include <keel/spinlock.h>
#include <keel/time.h>
#include <keel/vcpu.h>
#include <arch/cpu.h>
#include <arch/sysreg.h>
#include <arch/virt.h>
#include <keel/irq.h>
#include <irqchip/vgicv3.h>
#include <timer/arm_gtimer.h>

#define CNT_CTL_ENABLE (1ULL << 0)
#define CNT_CTL_IMASK (1ULL << 1)
#define CNT_CTL_ISTATUS (1ULL << 2)
#define CNT_CTL_WRITABLE (CNT_CTL_ENABLE | CNT_CTL_IMASK)

/* CNTHCTL_EL2 with HCR_EL2.E2H = 0. */
#define CNTHCTL_EL1PCTEN (1ULL << 0)
#define CNTHCTL_EL1PCEN (1ULL << 1)
#define CNTHCTL_GUEST CNTHCTL_EL1PCTEN

#define SYSREG_CNTP_TVAL ARM64_SYSREG_ISS(3, 3, 14, 2, 0)
#define SYSREG_CNTP_CTL ARM64_SYSREG_ISS(3, 3, 14, 2, 1)
#define SYSREG_CNTP_CVAL ARM64_SYSREG_ISS(3, 3, 14, 2, 2)
#define SYSREG_CNTPCT ARM64_SYSREG_ISS(3, 3, 14, 0, 1)

/*
 * What this CPU's virtual timer registers hold. Under emulation each
 * write re-arms the emulator's timer, and most entries would write back
 * what is already there (the same vCPU again), so writes that would not
 * change a register are skipped.
 */
struct cntv_shadow {
	uint64_t cntvoff, cval, ctl, cnthctl;
	bool ppi_masked;            /* the host's PPI 27 on this CPU */
};

static struct cntv_shadow cntv_shadows[KEEL_MAX_CPUS];

/* Writes reg (its shadow s->field) unless it holds value already. */
#define CNTV_SET(s, field, reg, value)                                      \
	do {                                                                \
		uint64_t value_ = (value);                                  \
		if ((s)->field != value_) {                                 \
			write_sysreg(reg, value_);                          \
			(s)->field = value_;                                \
		}                                                           \
	} while (0)

void arm64_vtimer_cpu_quiet(void)
{
	struct cntv_shadow *s = &cntv_shadows[arch_cpu_id()];

	write_sysreg(cntv_ctl_el0, 0);
	s->ctl = 0;
}

void arm64_vtimer_cpu_init(void)
{
	struct cntv_shadow *s = &cntv_shadows[arch_cpu_id()];

	write_sysreg(cntv_ctl_el0, 0);
	*s = (struct cntv_shadow){
		.cntvoff = read_sysreg(cntvoff_el2),
		.cval = read_sysreg(cntv_cval_el0),
		.cnthctl = read_sysreg(cnthctl_el2),
	};
}

/* ---- counter values ---- */

static uint64_t guest_virtual_counter(const struct guest *g)
{
	return arch_counter_read() - g->arch.cntvoff;
}

/* Drives PPI intid of v's vGIC; the caller holds the lock of the timer
 * that drives it. */
static void vtimer_set_line(struct vcpu *v, unsigned int intid, bool level)
{
	struct vgic *vgic = v->guest->arch.vgic;

	if (vgic)
		vgic_set_private_level(vgic, v->id, intid, level);
}

static void cntp_set_line(void *ctx, bool level)
{
	vtimer_set_line(ctx, VGIC_INTID_PTIMER, level);
}

/* ---- the virtual timer (lock held) ---- */

static bool cntv_armed(uint64_t ctl)
{
	return (ctl & CNT_CTL_ENABLE) && !(ctl & CNT_CTL_IMASK);
}

static void cntv_drive(struct vcpu *v, bool line)
{
	struct arm64_vtimer *t = &v->arch.vtimer;

	if (t->cntv_line != line) {
		t->cntv_line = line;
		vtimer_set_line(v, VGIC_INTID_VTIMER, line);
	}
}

/* Samples the saved virtual timer (the vCPU is out). */
static void cntv_sample(struct vcpu *v)
{
	struct arm64_vtimer *t = &v->arch.vtimer;

	if (t->loaded)
		return;
	cntv_drive(v, cntv_armed(t->cntv_ctl) &&
		      guest_virtual_counter(v->guest) >= t->cntv_cval);
}

/* The host's PPI 27 on this CPU: masked while the vCPU about to run has
 * its line high (the hardware condition holds and would fire at once). */
static void vtimer_host_ppi_mask(struct cntv_shadow *s, bool masked)
{
	if (s->ppi_masked != masked) {
		irq_set_masked(VGIC_INTID_VTIMER, masked);
		s->ppi_masked = masked;
	}
}

/* ---- around each guest entry ---- */

void arm64_vtimer_enter(struct vcpu *v)
{
	struct arm64_vtimer *t = &v->arch.vtimer;
	struct cntv_shadow *s = &cntv_shadows[arch_cpu_id()];
	unsigned long flags = spin_lock_irqsave(&t->lock);
	uint64_t ctl, cval;
	bool line;

	/* Expired while the vCPU was out: raised before the list registers
	 * are filled rather than by an exit. */
	cntv_sample(v);
	ctl = t->cntv_ctl;
	cval = t->cntv_cval;
	line = t->cntv_line;
	t->loaded = true;
	spin_unlock_irqrestore(&t->lock, flags);

	vtimer_host_ppi_mask(s, line);
	CNTV_SET(s, cntvoff, cntvoff_el2, v->guest->arch.cntvoff);
	CNTV_SET(s, cval, cntv_cval_el0, cval);
	CNTV_SET(s, ctl, cntv_ctl_el0, ctl);
	CNTV_SET(s, cnthctl, cnthctl_el2, CNTHCTL_GUEST);
}

void arm64_vtimer_exit(struct vcpu *v)
{
	struct arm64_vtimer *t = &v->arch.vtimer;
	struct cntv_shadow *s = &cntv_shadows[arch_cpu_id()];
	uint64_t ctl = read_sysreg(cntv_ctl_el0);
	uint64_t cval = read_sysreg(cntv_cval_el0);
	unsigned long flags;

	/* A timer that can fire is turned off: not for Keel or the next. */
	s->cval = cval;
	s->ctl = ctl & CNT_CTL_WRITABLE;
	if (cntv_armed(ctl)) {
		write_sysreg(cntv_ctl_el0, 0);
		s->ctl = 0;
		isb();
	}
	flags = spin_lock_irqsave(&t->lock);
	t->cntv_ctl = ctl & CNT_CTL_WRITABLE;
	t->cntv_cval = cval;
	t->loaded = false;
	cntv_drive(v, cntv_armed(ctl) && (ctl & CNT_CTL_ISTATUS));
	spin_unlock_irqrestore(&t->lock, flags);
}

bool arm64_vtimer_sysreg(struct vcpu *v, const struct vm_exit_sysreg *access,
			 uint64_t *value)
{
	uint32_t encoding = access->encoding & ARM64_SYSREG_ISS_MASK;
	struct gtimer *p = &v->arch.vtimer.cntp;

	switch (encoding) {
	case SYSREG_CNTPCT:
		if (access->write)
			return false;
		*value = arch_counter_read();
		return true;
	case SYSREG_CNTP_CTL:
		if (access->write)
			gtimer_write_ctl(p, access->data);
		else
			*value = gtimer_read_ctl(p);
		break;
	case SYSREG_CNTP_CVAL:
		if (access->write)
			gtimer_write_cval(p, access->data);
		else
			*value = gtimer_read_cval(p);
		break;
	case SYSREG_CNTP_TVAL:
		if (access->write)
			gtimer_write_tval(p, access->data);
		else
			*value = gtimer_read_tval(p);
		break;
	default:
		return false;
	}
	/* A reprogramming storm: over budget, the emulated timer's
	 * expiries (host timer interrupts) wait for the vCPU's delay. */
	if (access->write && !guest_throttle_charge(v, GUEST_THROTTLE_TIMER))
		gtimer_hold(p, READ_ONCE(v->guest->throttle.vcpu_until_ns[v->id]));
	return true;
}

/* ---- hooks of keel/vcpu.h and keel/guest.h ---- */

bool arm64_vtimer_poll(struct vcpu *v)
{
	struct arm64_vtimer *t = &v->arch.vtimer;
	unsigned long flags = spin_lock_irqsave(&t->lock);
	bool virtual;

	cntv_sample(v);
	virtual = t->cntv_line && !t->loaded;
	spin_unlock_irqrestore(&t->lock, flags);
	return gtimer_poll(&t->cntp) || virtual;
}

uint64_t arch_vcpu_timer_deadline_ns(struct vcpu *v)
{
	struct arm64_vtimer *t = &v->arch.vtimer;
	uint64_t cntvoff = v->guest->arch.cntvoff;
	uint64_t deadline = 0, physical;
	unsigned long flags = spin_lock_irqsave(&t->lock);

	if (cntv_armed(t->cntv_ctl) && !t->cntv_line) {
		/* Virtual counter = physical - CNTVOFF. */
		uint64_t counter = t->cntv_cval > UINT64_MAX - cntvoff ? UINT64_MAX :
				   t->cntv_cval + cntvoff;

		deadline = gtimer_counter_deadline_ns(counter);
	}
	spin_unlock_irqrestore(&t->lock, flags);
	physical = gtimer_deadline_ns(&t->cntp);
	if (physical)
		deadline = deadline ? MIN(deadline, physical) : physical;
	return guest_throttle_wake_deadline(v, deadline);
}

static void vtimer_vcpu_reset(struct vcpu *v)
{
	struct arm64_vtimer *t = &v->arch.vtimer;
	unsigned long flags = spin_lock_irqsave(&t->lock);

	t->loaded = false;
	t->cntv_ctl = 0;
	t->cntv_cval = 0;
	cntv_drive(v, false);
	spin_unlock_irqrestore(&t->lock, flags);
	/* Its own lock, and the event cancelled after it (arm_gtimer.h). */
	gtimer_reset(&t->cntp);
}

void arm64_vtimer_guest_create(struct guest *g)
{
	for (unsigned int i = 0; i < g->vcpu_count; i++) {
		struct vcpu *v = g->vcpus[i];
		struct arm64_vtimer *t = &v->arch.vtimer;

		*t = (struct arm64_vtimer){ .lock = SPINLOCK_INIT };
		gtimer_init(&t->cntp, cntp_set_line, v);
	}
	arm64_vtimer_guest_reset(g);
}

void arm64_vtimer_guest_reset(struct guest *g)
{
	g->arch.cntvoff = arch_counter_read();
	g->arch.time_stopped_at = 0;
	for (unsigned int i = 0; i < g->vcpu_count; i++)
		vtimer_vcpu_reset(g->vcpus[i]);
}

void arm64_vtimer_guest_destroy(struct guest *g)
{
	for (unsigned int i = 0; i < g->vcpu_count; i++)
		gtimer_destroy(&g->vcpus[i]->arch.vtimer.cntp);
}

/* Pause: the virtual counter stops, the physical timer's event goes. The
 * vCPUs are off their CPUs. */
void arch_guest_time_stop(struct guest *g)
{
	if (g->arch.time_stopped_at)
		return;
	g->arch.time_stopped_at = MAX(arch_counter_read(), 1);
	for (unsigned int i = 0; i < g->vcpu_count; i++)
		gtimer_stop(&g->vcpus[i]->arch.vtimer.cntp);
}

/*
 * Start and resume (also called without a stop before it): the virtual
 * counter goes on where it stopped, the physical timer is armed again
 * (on this CPU until the guest reprograms it; its interrupt reaches the
 * vCPU from anywhere), and every vCPU is kicked so that one waiting in
 * WFI looks at its timers again: the wait's own wake-up went with the
 * pause.
 */
void arch_guest_time_start(struct guest *g)
{
	if (g->arch.time_stopped_at) {
		g->arch.cntvoff += arch_counter_read() - g->arch.time_stopped_at;
		g->arch.time_stopped_at = 0;
	}
	for (unsigned int i = 0; i < g->vcpu_count; i++) {
		struct vcpu *v = g->vcpus[i];

		gtimer_start(&v->arch.vtimer.cntp);
		vcpu_kick(v);
	}
}
