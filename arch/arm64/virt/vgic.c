/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The GICv3 virtual CPU interface: around each guest entry the list
 * registers (ICH_LR<n>_EL2) are loaded from the emulated GIC's images and
 * read back into them, so the guest acknowledges and completes its
 * interrupts through its own ICC_* registers without trapping. The
 * distributor and redistributors are emulated (emulators/irqchip/vgicv3.c).
 *
 * Guest interrupts are all group 1 and purely virtual (ICH_LR.HW = 0): a
 * level-triggered SPI asks for an EOI maintenance interrupt so that Keel
 * sees its completion at once; when more interrupts wait than list
 * registers exist, the underflow maintenance interrupt brings the vCPU
 * back when they drain. Either way it is the exit that matters: the next
 * entry flushes again.
 *
 * Also here: the guest platform hooks (the GIC of each guest) and the
 * system registers the trap decoder leaves to generic code (SGIs).
 *
 * Budgets (keel/guest_throttle.h): each SGI a guest writes is charged to
 * its "sgi" budget (over it, the sender waits off its CPU); each exit that
 * follows a maintenance request (a completed level interrupt with EOI
 * notice, an underflow) to its "maintenance" budget; while a vCPU is
 * delayed, no underflow and no SPI completion notice is asked for (those
 * are seen at its next exit instead); the timers' completions still are.
 *
 * Lock order: the per-CPU ICH shadows are this CPU's own (interrupts
 * masked, no lock); the vGIC's lock is taken inside flush/sync only, and
 * the timers' locks are taken before it (vtimer.c), never after. The
 * sysreg log lock is a leaf. Nothing here waits for a timer callback.
 */
#include <keel/errno.h>
#include <keel/guest.h>
#include <keel/guest_config.h>
#include <keel/guest_throttle.h>
#include <keel/irq.h>
#include <keel/log.h>
#include <keel/platform.h>
#include <keel/spinlock.h>
#include <keel/time.h>
#include <keel/vcpu.h>
#include <arch/cpu.h>
#include <arch/sysreg.h>
#include <arch/vcpu.h>
#include <arch/virt.h>
#include <irqchip/vgicv3.h>

/* GICv3 hypervisor control registers, by encoding (any assembler). */
#define ICH_HCR_EL2 S3_4_C12_C11_0
#define ICH_VTR_EL2 S3_4_C12_C11_1
#define ICH_VMCR_EL2 S3_4_C12_C11_7
#define ICC_SRE_EL2_ENC S3_4_C12_C9_5

#define ICH_HCR_EN (1ULL << 0)
#define ICH_HCR_UIE (1ULL << 1)

#define ICH_VTR_LISTREGS(vtr) (((unsigned int)(vtr) & 0x1f) + 1)
#define ICH_VTR_PREBITS(vtr) ((((unsigned int)(vtr) >> 26) & 7) + 1)

#define ICH_LR_STATE_SHIFT 62
#define ICH_LR_HW (1ULL << 61)
#define ICH_LR_GROUP1 (1ULL << 60)
#define ICH_LR_PRIORITY_SHIFT 48
#define ICH_LR_EOI (1ULL << 41)    /* with HW = 0 */

#define ICC_SRE_SRE (1ULL << 0)
#define ICC_SRE_ENABLE (1ULL << 3)

/* Guest system registers served here (ESR_EL2.ISS encodings). */
#define SYSREG_ICC_SGI1R ARM64_SYSREG_ISS(3, 0, 12, 11, 5)
#define SYSREG_ICC_ASGI1R ARM64_SYSREG_ISS(3, 0, 12, 11, 6)
#define SYSREG_ICC_SGI0R ARM64_SYSREG_ISS(3, 0, 12, 11, 7)

/* Register names reach the assembler as text: expand the macros first. */
#define sysreg_read(reg) read_sysreg(reg)
#define sysreg_write(reg, value) write_sysreg(reg, value)

#define ICH_LR_LIST(X)                                                      \
	X(0, S3_4_C12_C12_0) X(1, S3_4_C12_C12_1) X(2, S3_4_C12_C12_2)     \
	X(3, S3_4_C12_C12_3) X(4, S3_4_C12_C12_4) X(5, S3_4_C12_C12_5)     \
	X(6, S3_4_C12_C12_6) X(7, S3_4_C12_C12_7) X(8, S3_4_C12_C13_0)     \
	X(9, S3_4_C12_C13_1) X(10, S3_4_C12_C13_2) X(11, S3_4_C12_C13_3)   \
	X(12, S3_4_C12_C13_4) X(13, S3_4_C12_C13_5) X(14, S3_4_C12_C13_6)  \
	X(15, S3_4_C12_C13_7)

/* ICH_AP0R<n>_EL2 are 0..3, ICH_AP1R<n>_EL2 are 4..7 here. */
#define ICH_APR_LIST(X)                                                     \
	X(0, S3_4_C12_C8_0) X(1, S3_4_C12_C8_1) X(2, S3_4_C12_C8_2)        \
	X(3, S3_4_C12_C8_3) X(4, S3_4_C12_C9_0) X(5, S3_4_C12_C9_1)        \
	X(6, S3_4_C12_C9_2) X(7, S3_4_C12_C9_3)

/* The same on every CPU of a system; read by arm64_virt_cpu_init(). */
static unsigned int ich_lr_count;
static unsigned int ich_apr_count;   /* ICH_AP<g>R<n> registers per group */

static uint64_t ich_lr_read(unsigned int n)
{
	switch (n) {
#define ICH_LR_READ(i, reg) case i: return read_sysreg(reg);
	ICH_LR_LIST(ICH_LR_READ)
#undef ICH_LR_READ
	}
	return 0;
}

static void ich_lr_write(unsigned int n, uint64_t value)
{
	switch (n) {
#define ICH_LR_WRITE(i, reg) case i: write_sysreg(reg, value); break;
	ICH_LR_LIST(ICH_LR_WRITE)
#undef ICH_LR_WRITE
	}
}

static uint32_t ich_apr_read(unsigned int n)
{
	switch (n) {
#define ICH_APR_READ(i, reg) case i: return (uint32_t)read_sysreg(reg);
	ICH_APR_LIST(ICH_APR_READ)
#undef ICH_APR_READ
	}
	return 0;
}

static void ich_apr_write(unsigned int n, uint32_t value)
{
	switch (n) {
#define ICH_APR_WRITE(i, reg) case i: write_sysreg(reg, value); break;
	ICH_APR_LIST(ICH_APR_WRITE)
#undef ICH_APR_WRITE
	}
}

static void ich_read_sizes(void)
{
	uint64_t vtr = sysreg_read(ICH_VTR_EL2);
	unsigned int prebits = ICH_VTR_PREBITS(vtr);

	ich_lr_count = MIN(ICH_VTR_LISTREGS(vtr), (unsigned int)VGIC_MAX_LRS);
	/* 5 preemption bits: one register per group, 6: two, 7: four. */
	ich_apr_count = prebits >= 7 ? 4 : prebits == 6 ? 2 : 1;
}

/*
 * notify: a level SPI's completion may take a maintenance exit. The timer
 * PPIs always may: while their line is high the host's PPI 27 is masked,
 * and their completion is what brings the vCPU back to look at it.
 */
static uint64_t lr_encode(const struct vgic_lr *lr, bool notify)
{
	uint64_t value = (uint64_t)lr->intid | ICH_LR_GROUP1 |
			 (uint64_t)lr->priority << ICH_LR_PRIORITY_SHIFT |
			 (uint64_t)(lr->state & 3) << ICH_LR_STATE_SHIFT;

	if (lr->eoi_notify && (notify || lr->intid < VGIC_NR_PRIVATE))
		value |= ICH_LR_EOI;
	return value;
}

static void lr_decode(uint64_t value, struct vgic_lr *lr)
{
	lr->intid = (uint32_t)value;
	lr->priority = (uint8_t)(value >> ICH_LR_PRIORITY_SHIFT);
	lr->state = (uint8_t)(value >> ICH_LR_STATE_SHIFT);
	/* eoi_notify is Keel's, not the guest's: the image keeps it (the
	 * register may lack it while the maintenance budget is spent). */
}

/* ---- per host CPU ---- */

/*
 * What this CPU's ICH_* registers hold. Under emulation every write to
 * them is costly (the emulated GIC re-evaluates the virtual interrupt
 * lines), and most entries write back what is already there: the same
 * vCPU, nothing pending. So writes go through ich_set_*(), which skip a
 * register already holding the value.
 */
struct ich_shadow {
	uint64_t lr[VGIC_MAX_LRS];
	uint64_t vmcr;
	uint32_t apr[8];        /* ICH_AP0R<n> at n, ICH_AP1R<n> at 4 + n */
	uint64_t hcr;
};

static struct ich_shadow ich_shadows[KEEL_MAX_CPUS];

static struct ich_shadow *ich_this_cpu(void)
{
	return &ich_shadows[arch_cpu_id()];
}

static void ich_set_lr(struct ich_shadow *s, unsigned int n, uint64_t value)
{
	if (s->lr[n] != value) {
		ich_lr_write(n, value);
		s->lr[n] = value;
	}
}

static void ich_set_apr(struct ich_shadow *s, unsigned int n, uint32_t value)
{
	if (s->apr[n] != value) {
		ich_apr_write(n, value);
		s->apr[n] = value;
	}
}

static void ich_set_vmcr(struct ich_shadow *s, uint64_t value)
{
	if (s->vmcr != value) {
		sysreg_write(ICH_VMCR_EL2, value);
		s->vmcr = value;
	}
}

static void ich_set_hcr(struct ich_shadow *s, uint64_t value)
{
	if (s->hcr != value) {
		sysreg_write(ICH_HCR_EL2, value);
		s->hcr = value;
	}
}

/* The maintenance interrupt and the host's view of the virtual timer
 * only ever end a guest run; the exit path saved and disabled what
 * raised them. Quieten them anyway should one be taken late. */
static void vgic_maintenance_irq(unsigned int irq, void *arg)
{
	ich_set_hcr(ich_this_cpu(), 0);
	isb();
}

static void vtimer_host_irq(unsigned int irq, void *arg)
{
	arm64_vtimer_cpu_quiet();
	isb();
}

void arm64_virt_cpu_init(void)
{
	uint64_t sre = sysreg_read(ICC_SRE_EL2_ENC);
	int err;

	/* EL1 must reach its ICC_SRE_EL1 (and so the virtual interface
	 * through system registers); the host driver set both bits. */
	if ((sre & (ICC_SRE_SRE | ICC_SRE_ENABLE)) != (ICC_SRE_SRE | ICC_SRE_ENABLE)) {
		sysreg_write(ICC_SRE_EL2_ENC, sre | ICC_SRE_SRE | ICC_SRE_ENABLE);
		isb();
	}
	ich_read_sizes();
	/* Zero everything, and the shadow with it (its zeros may not be). */
	sysreg_write(ICH_HCR_EL2, 0);
	sysreg_write(ICH_VMCR_EL2, 0);
	for (unsigned int i = 0; i < ich_lr_count; i++)
		ich_lr_write(i, 0);
	for (unsigned int i = 0; i < ich_apr_count; i++) {
		ich_apr_write(i, 0);
		ich_apr_write(4 + i, 0);
	}
	*ich_this_cpu() = (struct ich_shadow){ 0 };
	arm64_vtimer_cpu_init();
	isb();

	err = irq_request(VGIC_INTID_MAINTENANCE, vgic_maintenance_irq, NULL);
	if (!err)
		err = irq_request(VGIC_INTID_VTIMER, vtimer_host_irq, NULL);
	if (err)
		log_error("vgic: CPU %u cannot take the GIC maintenance and virtual timer interrupts: %s",
			  arch_cpu_id(), keel_strerror(err));
	if (arch_cpu_id() == 0)
		log_info("vgic: GICv3 virtual CPU interface, %u list registers",
			 ich_lr_count);
}

/* ---- around each guest entry ---- */

void arm64_vgic_enter(struct vcpu *v)
{
	struct arm64_vgic_cpu *c = &v->arch.vgic;
	struct vgic *vgic = v->guest->arch.vgic;
	struct ich_shadow *s = ich_this_cpu();
	uint64_t hcr = ICH_HCR_EN;
	bool underflow = false, maintenance;
	uint32_t used = 0;

	if (!ich_lr_count)
		ich_read_sizes();
	c->nr_lrs = ich_lr_count;
	if (vgic)
		vgic_vcpu_flush(vgic, v->id, c->lrs, c->nr_lrs, &underflow);
	/* Over the maintenance budget, completions and underflows are seen
	 * at the next exit for another reason instead of each taking one. */
	maintenance = !guest_throttle_vcpu_delayed(v);
	if (!maintenance)
		underflow = false;
	/* Unused list registers must be 0: what another vCPU left in them
	 * (or this one, already synced) must not show. */
	for (unsigned int i = 0; i < c->nr_lrs; i++) {
		bool valid = c->lrs[i].state != VGIC_LR_INVALID;

		ich_set_lr(s, i, valid ? lr_encode(&c->lrs[i], maintenance) : 0);
		if (valid)
			used |= 1u << i;
	}
	c->lrs_used = used;
	for (unsigned int i = 0; i < ich_apr_count; i++) {
		ich_set_apr(s, i, c->ap0r[i]);
		ich_set_apr(s, 4 + i, c->ap1r[i]);
	}
	ich_set_vmcr(s, c->vmcr);
	if (underflow)
		hcr |= ICH_HCR_UIE;
	c->hcr = hcr;
	ich_set_hcr(s, hcr);
}

void arm64_vgic_exit(struct vcpu *v)
{
	struct arm64_vgic_cpu *c = &v->arch.vgic;
	struct vgic *vgic = v->guest->arch.vgic;
	struct ich_shadow *s = ich_this_cpu();
	bool pending = false;
	/* An underflow or a completion that asked for notice: this exit may
	 * be a maintenance interrupt's, which counts against the budget. */
	bool maintenance = c->hcr & ICH_HCR_UIE;

	/* The guest changes list registers (acknowledge, EOI), VMCR (its
	 * priority mask) and the active priorities as it runs. */
	for (unsigned int i = 0; i < c->nr_lrs && i < VGIC_MAX_LRS; i++) {
		if (c->lrs_used & (1u << i)) {
			uint64_t value = ich_lr_read(i);

			s->lr[i] = value;
			maintenance |= (value & ICH_LR_EOI) &&
				       !((value >> ICH_LR_STATE_SHIFT) & 3);
			lr_decode(value, &c->lrs[i]);
			pending |= c->lrs[i].state & VGIC_LR_PENDING;
		}
	}
	if (maintenance)
		guest_throttle_charge(v, GUEST_THROTTLE_MAINTENANCE);
	c->vmcr = s->vmcr = sysreg_read(ICH_VMCR_EL2);
	for (unsigned int i = 0; i < ich_apr_count; i++) {
		c->ap0r[i] = s->apr[i] = ich_apr_read(i);
		c->ap1r[i] = s->apr[4 + i] = ich_apr_read(4 + i);
	}
	if (vgic)
		vgic_vcpu_sync(vgic, v->id, c->lrs, c->nr_lrs);

	/* While Keel runs, the virtual interface must raise nothing: no
	 * maintenance interrupt, no virtual interrupt that would end Keel's
	 * WFI. With no maintenance enabled and nothing pending it cannot,
	 * and stays on (most exits: one write less each way). The list
	 * registers keep their values; the next entry rewrites those that
	 * differ from what it needs. */
	if (pending || s->hcr != ICH_HCR_EN)
		ich_set_hcr(s, 0);
	c->lrs_used = 0;
	isb();
}

/* ---- hooks of keel/vcpu.h ---- */

bool arch_vcpu_irq_pending(struct vcpu *v)
{
	struct vgic *vgic = v->guest->arch.vgic;

	/* A vCPU delayed by its guest's budgets waits out the delay. */
	if (guest_throttle_vcpu_delayed(v))
		return false;
	/* A timer that expired while the vCPU waited raises its interrupt
	 * now; it counts if the guest enabled it. */
	arm64_vtimer_poll(v);
	return vgic && vgic_vcpu_pending(vgic, v->id);
}

/* ---- hooks of keel/guest.h: the guest's interrupt controller ---- */

static void vgic_cpu_state_reset(struct vcpu *v)
{
	v->arch.vgic = (struct arm64_vgic_cpu){ 0 };
}

const struct guest_platform *arch_guest_platform(void)
{
	return &arm64_virt_platform;
}

int arch_guest_platform_create(struct guest *g)
{
	const struct guest_platform *platform = arch_guest_platform();

	/* A new instance of the guest reports the features it probes anew. */
	g->arch.hidden_features_logged = 0;
	/* Device interrupt n is SPI n: the platform's count from 0. */
	g->arch.vgic = vgic_create(g, g->vcpu_count, platform->irq_count);
	if (!g->arch.vgic)
		return -KEEL_ENOMEM;
	for (unsigned int i = 0; i < g->vcpu_count; i++)
		vgic_cpu_state_reset(g->vcpus[i]);
	arm64_vtimer_guest_create(g);
	return 0;
}

void arch_guest_platform_reset(struct guest *g)
{
	if (g->arch.vgic)
		vgic_reset(g->arch.vgic);
	for (unsigned int i = 0; i < g->vcpu_count; i++)
		vgic_cpu_state_reset(g->vcpus[i]);
	arm64_vtimer_guest_reset(g);
}

void arch_guest_platform_destroy(struct guest *g)
{
	arm64_vtimer_guest_destroy(g);
	vgic_destroy(g->arch.vgic);
	g->arch.vgic = NULL;
}

void arch_guest_set_irq_level(struct guest *g, unsigned int irq, bool level)
{
	if (g->arch.vgic && irq < VGIC_MAX_SPIS)
		vgic_set_spi_level(g->arch.vgic, VGIC_NR_PRIVATE + irq, level);
}

/* ---- system registers left to generic code ---- */

#define SYSREG_LOG_WINDOW_NS (10 * NSEC_PER_SEC)
#define SYSREG_LOG_BURST 10

static spinlock_t sysreg_log_lock = SPINLOCK_INIT;
static uint64_t sysreg_log_window_start;
static unsigned int sysreg_log_count;

/* At most SYSREG_LOG_BURST messages per window, for all guests: a guest
 * cannot flood the log by probing registers. */
static bool sysreg_log_allowed(void)
{
	uint64_t now = time_now_ns();
	unsigned long flags = spin_lock_irqsave(&sysreg_log_lock);
	bool allowed;

	if (now - sysreg_log_window_start >= SYSREG_LOG_WINDOW_NS) {
		sysreg_log_window_start = now;
		sysreg_log_count = 0;
	}
	allowed = sysreg_log_count < SYSREG_LOG_BURST;
	if (allowed)
		sysreg_log_count++;
	spin_unlock_irqrestore(&sysreg_log_lock, flags);
	return allowed;
}

#define SYSREG_OP0(e) (((e) >> 20) & 3)
#define SYSREG_OP1(e) (((e) >> 14) & 7)
#define SYSREG_CRN(e) (((e) >> 10) & 0xf)
#define SYSREG_CRM(e) (((e) >> 1) & 0xf)
#define SYSREG_OP2(e) (((e) >> 17) & 7)

/*
 * The features Keel traps and hides in the ID registers (sysregs.c): a
 * guest that uses one anyway gets an undefined instruction, as on a CPU
 * without it. That is the guest probing, not Keel missing something: it
 * is logged once per guest and feature, by the feature's name.
 */
enum sysreg_hidden {
	SYSREG_HIDDEN_PMU,
	SYSREG_HIDDEN_SPE,
	SYSREG_HIDDEN_TRACE,
	SYSREG_HIDDEN_TRACE_BUFFER,
	SYSREG_HIDDEN_AMU,
	SYSREG_HIDDEN_NONE,
};

static const char *const sysreg_hidden_names[] = {
	[SYSREG_HIDDEN_PMU] = "PMU",
	[SYSREG_HIDDEN_SPE] = "statistical profiling",
	[SYSREG_HIDDEN_TRACE] = "trace unit",
	[SYSREG_HIDDEN_TRACE_BUFFER] = "trace buffer",
	[SYSREG_HIDDEN_AMU] = "activity monitors",
};

static enum sysreg_hidden sysreg_hidden_feature(uint32_t e)
{
	unsigned int op0 = SYSREG_OP0(e), op1 = SYSREG_OP1(e);
	unsigned int crn = SYSREG_CRN(e), crm = SYSREG_CRM(e);

	if (op0 == 2 && op1 == 1)
		return SYSREG_HIDDEN_TRACE;
	if (op0 != 3)
		return SYSREG_HIDDEN_NONE;
	if (op1 == 3 && ((crn == 9 && crm >= 12) || (crn == 14 && crm >= 8)))
		return SYSREG_HIDDEN_PMU;
	if (op1 == 0 && crn == 9 && crm == 14)
		return SYSREG_HIDDEN_PMU;
	if (op1 == 0 && crn == 9 && (crm == 9 || crm == 10))
		return SYSREG_HIDDEN_SPE;
	if (op1 == 0 && crn == 9 && crm == 11)
		return SYSREG_HIDDEN_TRACE_BUFFER;
	if (op1 == 3 && crn == 13 && ((crm >= 2 && crm <= 7) || crm >= 12))
		return SYSREG_HIDDEN_AMU;
	return SYSREG_HIDDEN_NONE;
}

static void sysreg_unhandled(struct vcpu *v, uint32_t encoding)
{
	enum sysreg_hidden hidden = sysreg_hidden_feature(encoding);
	struct arch_guest *ag = &v->guest->arch;

	if (hidden != SYSREG_HIDDEN_NONE) {
		uint32_t bit = 1U << hidden;

		if (!(__atomic_fetch_or(&ag->hidden_features_logged, bit,
					__ATOMIC_RELAXED) & bit))
			log_info("guest %s: vCPU %u: uses the %s (register <%u,%u,%u,%u,%u> at pc 0x%llx), which Keel does not offer guests and the ID registers hide: its accesses are undefined instructions",
				 v->guest->name, v->id, sysreg_hidden_names[hidden],
				 SYSREG_OP0(encoding), SYSREG_OP1(encoding),
				 SYSREG_CRN(encoding), SYSREG_CRM(encoding),
				 SYSREG_OP2(encoding),
				 (unsigned long long)v->arch.ctx.pc);
	} else if (sysreg_log_allowed()) {
		log_warn("guest %s: vCPU %u: unhandled system register access <%u,%u,%u,%u,%u> at pc 0x%llx; undefined instruction injected",
			 v->guest->name, v->id, SYSREG_OP0(encoding),
			 SYSREG_OP1(encoding), SYSREG_CRN(encoding),
			 SYSREG_CRM(encoding), SYSREG_OP2(encoding),
			 (unsigned long long)v->arch.ctx.pc);
	}
	arch_vcpu_inject_undef(v);
}

/*
 * SGI generation traps (HCR_EL2.IMO). ICC_SGI0R_EL1 and ICC_ASGI1R_EL1 are
 * served like ICC_SGI1R_EL1: the SGI is made pending, and whether the
 * guest gets it depends on its group in GICR_IGROUPR0 (only group 1 is
 * delivered). These registers are write-only: reads are undefined.
 */
void arch_guest_sysreg(struct vcpu *v, const struct vm_exit *exit)
{
	const struct vm_exit_sysreg *access = &exit->sysreg;
	uint32_t encoding = access->encoding & ARM64_SYSREG_ISS_MASK;
	uint64_t value = 0;

	if (encoding == SYSREG_ICC_SGI1R || encoding == SYSREG_ICC_ASGI1R ||
	    encoding == SYSREG_ICC_SGI0R) {
		if (!access->write) {
			sysreg_unhandled(v, encoding);
			return;
		}
		if (v->guest->arch.vgic)
			vgic_send_sgi(v->guest->arch.vgic, v->id, access->data);
		arch_vcpu_skip_instruction(v);
		/* An SGI storm kicks the host CPUs of the targets, which may
		 * be running neighbours: over budget, the sender waits. */
		if (!guest_throttle_charge(v, GUEST_THROTTLE_IPI))
			guest_throttle_delay(v);
		return;
	}
	if (arm64_vtimer_sysreg(v, access, &value)) {
		if (!access->write)
			arm64_vcpu_set_reg(v, access->reg, value);
		arch_vcpu_skip_instruction(v);
		return;
	}
	sysreg_unhandled(v, encoding);
}
