/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The generic timers of a vCPU.
 *
 * The virtual timer is the guest's own hardware: CNTV_CTL/CVAL are loaded
 * on entry with the guest's CNTVOFF_EL2 and saved on exit. When it fires
 * in a guest the host takes its PPI (27) and the guest exits; the exit
 * then raises the guest's PPI 27 and sets IMASK in the saved copy, so the
 * still-true condition does not fire again on re-entry (guest timer
 * handlers rewrite CTL or CVAL/CTL before they expect the next one). The
 * hardware timer is left disabled between runs, so it never fires for
 * another vCPU or for Keel (left enabled only when masked or off).
 *
 * The EL1 physical timer traps (CNTHCTL_EL2.EL1PCEN = 0) and is emulated:
 * its deadline is a timer event on the host that raises PPI 30 once per
 * programming. The physical counter is the host's (EL1PCTEN = 1).
 *
 * The guest's virtual counter starts near 0 at creation and reset and
 * stands still while the guest is paused.
 */
#include <keel/guest.h>
#include <keel/platform.h>
#include <keel/spinlock.h>
#include <keel/time.h>
#include <keel/vcpu.h>
#include <arch/cpu.h>
#include <arch/sysreg.h>
#include <arch/virt.h>
#include <irqchip/vgicv3.h>

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

/* Deadlines further away than this (about 146 years) are capped. */
#define VTIMER_MAX_DELTA_NS (1ULL << 62)

/*
 * What this CPU's virtual timer registers hold. Under emulation each
 * write re-arms the emulator's timer, and most entries would write back
 * what is already there (the same vCPU again), so writes that would not
 * change a register are skipped.
 */
struct cntv_shadow {
	uint64_t cntvoff, cval, ctl, cnthctl;
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

/* ---- counter values and time_now_ns() ---- */

/* ticks of the counter in nanoseconds, rounded up, capped. */
static uint64_t ticks_to_ns_ceil(uint64_t ticks)
{
	uint64_t freq = arch_counter_freq();
	uint64_t seconds, rest;

	if (!freq)
		return VTIMER_MAX_DELTA_NS;
	seconds = ticks / freq;
	rest = ticks % freq;
	if (seconds >= VTIMER_MAX_DELTA_NS / NSEC_PER_SEC)
		return VTIMER_MAX_DELTA_NS;
	return seconds * NSEC_PER_SEC + (rest * NSEC_PER_SEC + freq - 1) / freq;
}

/* The time_now_ns() at which the host counter reaches counter (never 0). */
static uint64_t counter_deadline_ns(uint64_t counter)
{
	uint64_t now = arch_counter_read();
	uint64_t now_ns = time_now_ns();

	if (counter <= now)
		return MAX(now_ns, 1);
	return now_ns + ticks_to_ns_ceil(counter - now);
}

static uint64_t guest_virtual_counter(const struct guest *g)
{
	return arch_counter_read() - g->arch.cntvoff;
}

static void vtimer_raise(struct vcpu *v, unsigned int intid)
{
	struct vgic *vgic = v->guest->arch.vgic;

	if (vgic)
		vgic_inject_private(vgic, v->id, intid);
}

/* ---- the virtual timer (lock held) ---- */

static bool cntv_armed(const struct arm64_vtimer *t)
{
	return (t->cntv_ctl & CNT_CTL_ENABLE) && !(t->cntv_ctl & CNT_CTL_IMASK);
}

/* The saved virtual timer's condition is met: mask it, true to raise. */
static bool cntv_take_expired(struct vcpu *v)
{
	struct arm64_vtimer *t = &v->arch.vtimer;

	if (t->loaded || !cntv_armed(t) ||
	    guest_virtual_counter(v->guest) < t->cntv_cval)
		return false;
	t->cntv_ctl |= CNT_CTL_IMASK;
	return true;
}

/* ---- the emulated physical timer (lock held) ---- */

static bool cntp_armed(const struct arm64_vtimer *t)
{
	return (t->cntp_ctl & CNT_CTL_ENABLE) && !(t->cntp_ctl & CNT_CTL_IMASK) &&
	       !t->cntp_fired;
}

static void cntp_event_expired(struct timer_event *event, void *arg);

/* Re-evaluates the timer after a change: true when its interrupt is to
 * be raised now, else the event is armed for its deadline. */
static bool cntp_update(struct vcpu *v)
{
	struct arm64_vtimer *t = &v->arch.vtimer;

	timer_event_cancel(&t->cntp_event);
	if (!cntp_armed(t))
		return false;
	if (arch_counter_read() >= t->cntp_cval) {
		t->cntp_fired = true;
		return true;
	}
	t->cntp_event.fn = cntp_event_expired;
	t->cntp_event.arg = v;
	timer_event_add(&t->cntp_event, counter_deadline_ns(t->cntp_cval));
	return false;
}

static bool cntp_take_expired(struct vcpu *v)
{
	struct arm64_vtimer *t = &v->arch.vtimer;

	if (!cntp_armed(t) || arch_counter_read() < t->cntp_cval)
		return false;
	timer_event_cancel(&t->cntp_event);
	t->cntp_fired = true;
	return true;
}

/* Interrupt context, usually on the vCPU's host CPU. */
static void cntp_event_expired(struct timer_event *event, void *arg)
{
	struct vcpu *v = arg;
	struct arm64_vtimer *t = &v->arch.vtimer;
	unsigned long flags = spin_lock_irqsave(&t->lock);
	/* The event may come a tick early (rounding): then it re-arms. */
	bool raise = cntp_update(v);

	spin_unlock_irqrestore(&t->lock, flags);
	if (raise)
		vtimer_raise(v, VGIC_INTID_PTIMER);
}

/* ---- around each guest entry ---- */

void arm64_vtimer_enter(struct vcpu *v)
{
	struct arm64_vtimer *t = &v->arch.vtimer;
	struct cntv_shadow *s = &cntv_shadows[arch_cpu_id()];
	unsigned long flags = spin_lock_irqsave(&t->lock);
	/* Expired while the vCPU was out: raise it before the list
	 * registers are filled rather than take an exit for it. */
	bool raise = cntv_take_expired(v);
	uint64_t ctl = t->cntv_ctl, cval = t->cntv_cval;

	t->loaded = true;
	spin_unlock_irqrestore(&t->lock, flags);
	if (raise)
		vtimer_raise(v, VGIC_INTID_VTIMER);

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
	bool raise;

	/* A timer that can fire is turned off: not for Keel or the next. */
	s->cval = cval;
	s->ctl = ctl & CNT_CTL_WRITABLE;
	if ((ctl & CNT_CTL_ENABLE) && !(ctl & CNT_CTL_IMASK)) {
		write_sysreg(cntv_ctl_el0, 0);
		s->ctl = 0;
		isb();
	}
	raise = (ctl & CNT_CTL_ISTATUS) && (ctl & CNT_CTL_ENABLE) &&
		!(ctl & CNT_CTL_IMASK);
	flags = spin_lock_irqsave(&t->lock);
	t->cntv_ctl = (ctl & CNT_CTL_WRITABLE) | (raise ? CNT_CTL_IMASK : 0);
	t->cntv_cval = cval;
	t->loaded = false;
	spin_unlock_irqrestore(&t->lock, flags);
	if (raise)
		vtimer_raise(v, VGIC_INTID_VTIMER);
}

bool arm64_vtimer_sysreg(struct vcpu *v, const struct vm_exit_sysreg *access,
			 uint64_t *value)
{
	uint32_t encoding = access->encoding & ARM64_SYSREG_ISS_MASK;
	struct arm64_vtimer *t = &v->arch.vtimer;
	unsigned long flags;
	uint64_t now;
	bool raise = false;

	if (encoding == SYSREG_CNTPCT) {
		if (access->write)
			return false;
		*value = arch_counter_read();
		return true;
	}
	if (encoding != SYSREG_CNTP_CTL && encoding != SYSREG_CNTP_CVAL &&
	    encoding != SYSREG_CNTP_TVAL)
		return false;

	flags = spin_lock_irqsave(&t->lock);
	now = arch_counter_read();
	if (!access->write) {
		if (encoding == SYSREG_CNTP_CTL)
			*value = t->cntp_ctl |
				 ((t->cntp_ctl & CNT_CTL_ENABLE) && now >= t->cntp_cval ?
				  CNT_CTL_ISTATUS : 0);
		else if (encoding == SYSREG_CNTP_CVAL)
			*value = t->cntp_cval;
		else
			*value = (uint32_t)(t->cntp_cval - now);
	} else {
		if (encoding == SYSREG_CNTP_CTL)
			t->cntp_ctl = access->data & CNT_CTL_WRITABLE;
		else if (encoding == SYSREG_CNTP_CVAL)
			t->cntp_cval = access->data;
		else    /* TVAL: a signed 32-bit offset from now */
			t->cntp_cval = now + (uint64_t)(int64_t)(int32_t)access->data;
		t->cntp_fired = false;
		raise = cntp_update(v);
	}
	spin_unlock_irqrestore(&t->lock, flags);
	if (raise)
		vtimer_raise(v, VGIC_INTID_PTIMER);
	return true;
}

/* ---- hooks of keel/vcpu.h and keel/guest.h ---- */

bool arm64_vtimer_poll(struct vcpu *v)
{
	struct arm64_vtimer *t = &v->arch.vtimer;
	unsigned long flags = spin_lock_irqsave(&t->lock);
	bool virtual = cntv_take_expired(v);
	bool physical = cntp_take_expired(v);

	spin_unlock_irqrestore(&t->lock, flags);
	if (virtual)
		vtimer_raise(v, VGIC_INTID_VTIMER);
	if (physical)
		vtimer_raise(v, VGIC_INTID_PTIMER);
	return virtual || physical;
}

uint64_t arch_vcpu_timer_deadline_ns(struct vcpu *v)
{
	struct arm64_vtimer *t = &v->arch.vtimer;
	uint64_t cntvoff = v->guest->arch.cntvoff;
	uint64_t deadline = 0;
	unsigned long flags = spin_lock_irqsave(&t->lock);

	if (cntv_armed(t)) {
		/* Virtual counter = physical - CNTVOFF. */
		uint64_t counter = t->cntv_cval > UINT64_MAX - cntvoff ? UINT64_MAX :
				   t->cntv_cval + cntvoff;

		deadline = counter_deadline_ns(counter);
	}
	if (cntp_armed(t)) {
		uint64_t physical = counter_deadline_ns(t->cntp_cval);

		deadline = deadline ? MIN(deadline, physical) : physical;
	}
	spin_unlock_irqrestore(&t->lock, flags);
	return deadline;
}

static void vtimer_vcpu_reset(struct vcpu *v)
{
	struct arm64_vtimer *t = &v->arch.vtimer;
	unsigned long flags = spin_lock_irqsave(&t->lock);

	timer_event_cancel(&t->cntp_event);
	t->loaded = false;
	t->cntv_ctl = 0;
	t->cntv_cval = 0;
	t->cntp_ctl = 0;
	t->cntp_cval = 0;
	t->cntp_fired = false;
	t->cntp_event.fn = cntp_event_expired;
	t->cntp_event.arg = v;
	spin_unlock_irqrestore(&t->lock, flags);
}

void arm64_vtimer_guest_create(struct guest *g)
{
	for (unsigned int i = 0; i < g->vcpu_count; i++) {
		struct arm64_vtimer *t = &g->vcpus[i]->arch.vtimer;

		*t = (struct arm64_vtimer){ .lock = SPINLOCK_INIT };
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
	for (unsigned int i = 0; i < g->vcpu_count; i++) {
		struct arm64_vtimer *t = &g->vcpus[i]->arch.vtimer;
		unsigned long flags = spin_lock_irqsave(&t->lock);

		timer_event_cancel(&t->cntp_event);
		t->cntp_fired = true;   /* a late callback raises nothing */
		spin_unlock_irqrestore(&t->lock, flags);
	}
}

/* Pause: the virtual counter stops, the physical timer's event goes. The
 * vCPUs are off their CPUs. */
void arch_guest_time_stop(struct guest *g)
{
	if (g->arch.time_stopped_at)
		return;
	g->arch.time_stopped_at = MAX(arch_counter_read(), 1);
	for (unsigned int i = 0; i < g->vcpu_count; i++) {
		struct arm64_vtimer *t = &g->vcpus[i]->arch.vtimer;
		unsigned long flags = spin_lock_irqsave(&t->lock);

		timer_event_cancel(&t->cntp_event);
		spin_unlock_irqrestore(&t->lock, flags);
	}
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
		unsigned long flags = spin_lock_irqsave(&v->arch.vtimer.lock);
		bool raise = cntp_update(v);

		spin_unlock_irqrestore(&v->arch.vtimer.lock, flags);
		if (raise)
			vtimer_raise(v, VGIC_INTID_PTIMER);
		vcpu_kick(v);
	}
}
