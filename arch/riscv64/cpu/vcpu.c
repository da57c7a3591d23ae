// SPDX-License-Identifier: GPL-2.0-only
/*
 * riscv64 vCPUs: the HS-mode controls for running guests, a vCPU's
 * register state, one run of a vCPU (run-to-exit), and what generic code
 * does to a guest's registers after an exit: completing an access,
 * stepping over an instruction, taking an exception into the guest.
 *
 * A guest runs in VS-mode (VU for its user code) with the H extension:
 * its supervisor CSRs are the VS CSRs, loaded here around each run (Keel
 * never uses them itself); its traps are delegated to it (hedeleg,
 * hideleg) except guest-page faults, VS ecalls and virtual-instruction
 * exceptions, which come to Keel. WFI traps (hstatus.VTW) so that a
 * waiting vCPU gives its host CPU away.
 *
 * Counters: hcounteren lets the guest read time (the host's counter plus
 * its htimedelta); cycle and instret are not offered (reading them is an
 * illegal instruction in the guest), so no guest can watch how much work
 * another guest's vCPUs on the same host CPU did.
 *
 * FP: Keel is integer-only, so the FP registers belong to the last guest
 * vCPU that ran on the CPU. They are loaded when another vCPU used them
 * since, and saved after a run that dirtied them (sstatus.FS): a guest
 * never sees another's values.
 *
 * Vectors: not offered. sstatus.VS is off while a guest runs, so its
 * vector instructions are illegal instructions it takes itself, whatever
 * the host hart has (riscv_vcpu_entry_sstatus()).
 */
#include <keel/guest.h>
#include <keel/log.h>
#include <keel/log_ratelimit.h>
#include <keel/platform.h>
#include <keel/time.h>
#include <keel/vcpu.h>
#include <arch/cpu.h>
#include <arch/csr.h>
#include <arch/vcpu_sstatus.h>
#include <arch/virt.h>
#include <string.h>

#define SSTATUS_UXL_64 (2UL << 32)

/* What the guest takes itself: everything but the guest-page faults,
 * the VS ecall and virtual instructions (those are Keel's). */
#define HEDELEG_GUEST ((1UL << CAUSE_MISALIGNED_FETCH) | (1UL << CAUSE_FETCH_ACCESS) | \
		       (1UL << CAUSE_ILLEGAL_INSTRUCTION) | (1UL << CAUSE_BREAKPOINT) | \
		       (1UL << CAUSE_MISALIGNED_LOAD) | (1UL << CAUSE_LOAD_ACCESS) |    \
		       (1UL << CAUSE_MISALIGNED_STORE) | (1UL << CAUSE_STORE_ACCESS) |  \
		       (1UL << CAUSE_USER_ECALL) | (1UL << CAUSE_FETCH_PAGE_FAULT) |     \
		       (1UL << CAUSE_LOAD_PAGE_FAULT) | (1UL << CAUSE_STORE_PAGE_FAULT))
#define HCOUNTEREN_TM (1UL << 1)

/* How long an RFENCE waits for a target to leave guest mode. */
#define FENCE_WAIT_NS (10 * NSEC_PER_MSEC)

/* Per host CPU: the vCPU whose FP registers the CPU holds, and the vCPU
 * that ran last (its VS-stage TLB entries are tagged with the guest's
 * VMID only, so another vCPU of that guest must not find them). */
static struct vcpu *fp_owner[KEEL_MAX_CPUS];
static struct vcpu *last_run[KEEL_MAX_CPUS];

static void hfence_vvma_all(void)
{
	__asm__ volatile(".insn r 0x73, 0, 0x11, x0, x0, x0" ::: "memory");
}

void arch_virt_cpu_init(void)
{
	csr_write(hedeleg, HEDELEG_GUEST);
	csr_write(hideleg, HVIP_VS_ALL);
	csr_write(hcounteren, HCOUNTEREN_TM);
	csr_write(hvip, 0);
	csr_write(hgeie, 0);
	riscv_gstage_cpu_init();
	riscv_vinterrupt_cpu_init();
}

/* v's state is about to change under a CPU that may hold it. */
static void owner_forget(struct vcpu **owners, struct vcpu *v)
{
	for (unsigned int i = 0; i < KEEL_MAX_CPUS; i++)
		__atomic_compare_exchange_n(&owners[i], &v, NULL, false, __ATOMIC_SEQ_CST,
					    __ATOMIC_SEQ_CST);
}

int arch_vcpu_init(struct vcpu *v)
{
	memset(&v->arch, 0, sizeof(v->arch));
	riscv_vinterrupt_reset(v);
	return 0;
}

void arch_vcpu_destroy(struct vcpu *v)
{
	riscv_vinterrupt_destroy(v);
	owner_forget(fp_owner, v);
	owner_forget(last_run, v);
}

void arch_vcpu_reset(struct vcpu *v, gpa_t entry, uint64_t arg)
{
	struct arch_vcpu *a = &v->arch;

	/* A hart starts in S-mode with translation and interrupts off,
	 * a0 = its hart id, a1 = the boot argument (SBI HSM, Linux boot). */
	memset(&a->ctx, 0, sizeof(a->ctx));
	a->ctx.sepc = entry;
	a->ctx.x[10] = arch_vcpu_hwid(v);
	a->ctx.x[11] = arg;
	a->ctx.sstatus = SSTATUS_SPP;
	memset(&a->vs, 0, sizeof(a->vs));
	a->vs.vsstatus = SSTATUS_UXL_64;
	a->vs.vstimecmp = ~0ULL;
	memset(&a->fp, 0, sizeof(a->fp));
	owner_forget(fp_owner, v);
	a->hvip = 0;
	__atomic_store_n(&a->ssip_pending, 0, __ATOMIC_SEQ_CST);
	/* Nothing a previous life of this hart cached may be used. */
	__atomic_store_n(&a->fence_pending, VSBI_FENCE_I | VSBI_FENCE_VVMA, __ATOMIC_SEQ_CST);
	a->insn_len = 4;
	WRITE_ONCE(a->started, false);
	WRITE_ONCE(a->sbi.suspended, false);
	riscv_vinterrupt_reset(v);
}

/* Writes a VS CSR only when it changes: the CSRs still hold the values
 * of the vCPU that ran last on this CPU (Keel never uses them), and QEMU
 * drops its whole TLB on a vsatp write. */
#define vs_csr_load(csr, value)                                         \
	do {                                                            \
		uint64_t vs_value__ = (value);                               \
		if (csr_read(csr) != vs_value__)                             \
			csr_write(csr, vs_value__);                          \
	} while (0)

static void vs_csrs_load(const struct riscv_vs_csrs *vs)
{
	vs_csr_load(vsstatus, vs->vsstatus);
	vs_csr_load(vsie, vs->vsie);
	vs_csr_load(vstvec, vs->vstvec);
	vs_csr_load(vsscratch, vs->vsscratch);
	vs_csr_load(vsepc, vs->vsepc);
	vs_csr_load(vscause, vs->vscause);
	vs_csr_load(vstval, vs->vstval);
	vs_csr_load(vsatp, vs->vsatp);
}

static void vs_csrs_store(struct riscv_vs_csrs *vs)
{
	vs->vsstatus = csr_read(vsstatus);
	vs->vsie = csr_read(vsie);
	vs->vstvec = csr_read(vstvec);
	vs->vsscratch = csr_read(vsscratch);
	vs->vsepc = csr_read(vsepc);
	vs->vscause = csr_read(vscause);
	vs->vstval = csr_read(vstval);
	vs->vsatp = csr_read(vsatp);
}

/* Fences another CPU asked for (RFENCE), before any guest instruction. */
static void fences_apply(struct vcpu *v)
{
	unsigned int what = __atomic_exchange_n(&v->arch.fence_pending, 0, __ATOMIC_SEQ_CST);

	if (what & VSBI_FENCE_VVMA)
		hfence_vvma_all();
	if (what & VSBI_FENCE_I)
		__asm__ volatile("fence.i" ::: "memory");
}

void arch_vcpu_run(struct vcpu *v, struct vm_exit *exit)
{
	struct arch_vcpu *a = &v->arch;
	struct riscv_vcpu_context *ctx = &a->ctx;
	unsigned int cpu = arch_cpu_id();
	uint64_t start, spp = ctx->sstatus & SSTATUS_SPP;

	riscv_gstage_enter(v->guest);
	if (last_run[cpu] != v) {
		/* The VMID may still tag another vCPU's VS-stage entries. */
		hfence_vvma_all();
		__atomic_store_n(&last_run[cpu], v, __ATOMIC_SEQ_CST);
	}
	vs_csrs_load(&a->vs);
	if (fp_owner[cpu] != v) {
		riscv_fp_restore(&a->fp);
		__atomic_store_n(&fp_owner[cpu], v, __ATOMIC_SEQ_CST);
	}
	ctx->sstatus = riscv_vcpu_entry_sstatus(csr_read(sstatus), spp);
	ctx->hstatus = (csr_read(hstatus) & ~(HSTATUS_SPV | HSTATUS_SPVP | HSTATUS_GVA |
					      HSTATUS_VTW | HSTATUS_VTSR | HSTATUS_VTVM)) |
		       HSTATUS_SPV | HSTATUS_VTW | (spp ? HSTATUS_SPVP : 0);

	/* in_guest is published before the fences are taken: an RFENCE
	 * that misses them here sees in_guest and waits for the exit. */
	__atomic_store_n(&a->in_guest, 1, __ATOMIC_SEQ_CST);
	fences_apply(v);
	riscv_vinterrupt_enter(v);

	/* HSM: the hart executes from here on (it may run for long without
	 * an exit, so this cannot wait for one). */
	WRITE_ONCE(a->started, true);
	WRITE_ONCE(a->sbi.suspended, false);
	v->entries++;
	start = time_now_ns();
	riscv_guest_enter(ctx);
	v->run_ns += time_now_ns() - start;
	__atomic_store_n(&a->in_guest, 0, __ATOMIC_SEQ_CST);
	__atomic_add_fetch(&a->runs_done, 1, __ATOMIC_SEQ_CST);

	vs_csrs_store(&a->vs);
	riscv_vinterrupt_exit(v);
	if ((ctx->sstatus & SSTATUS_FS) == SSTATUS_FS_DIRTY)
		riscv_fp_save(&a->fp);
	riscv_exit_decode(v, exit);
	/* Keel's own hstatus (SPV clear) once HLVX no longer needs SPVP. */
	csr_write(hstatus, ctx->host_hstatus);
}

static uint64_t reg_get(const struct vcpu *v, unsigned int n)
{
	return n && n < 32 ? v->arch.ctx.x[n] : 0;
}

static void reg_set(struct vcpu *v, unsigned int n, uint64_t value)
{
	if (n && n < 32)
		v->arch.ctx.x[n] = value;
}

uint64_t riscv_vcpu_reg(const struct vcpu *v, unsigned int n)
{
	return reg_get(v, n);
}

void arch_vcpu_skip_instruction(struct vcpu *v)
{
	v->arch.ctx.sepc += v->arch.insn_len;
}

void arch_vcpu_complete_mmio(struct vcpu *v, const struct vm_exit *exit,
			     uint64_t value)
{
	const struct vm_exit_mmio *m = &exit->mmio;
	uint64_t cause = v->arch.ctx.scause;

	/* A fetch that reads zeros fetches an illegal instruction; a walk
	 * that reads zeros finds an invalid entry: a page fault. */
	if (m->kind == VM_MMIO_FETCH) {
		riscv_vcpu_inject_exception(v, CAUSE_ILLEGAL_INSTRUCTION, 0);
		return;
	}
	if (m->kind == VM_MMIO_TABLE_WALK) {
		riscv_vcpu_inject_exception(v, cause == CAUSE_FETCH_GUEST_PAGE_FAULT ?
						CAUSE_FETCH_PAGE_FAULT :
					    cause == CAUSE_STORE_GUEST_PAGE_FAULT ?
						CAUSE_STORE_PAGE_FAULT : CAUSE_LOAD_PAGE_FAULT,
					    v->arch.ctx.stval);
		return;
	}
	if (m->kind == VM_MMIO_UNDECODED) {
		arch_vcpu_inject_abort(v, m->addr, true);
		return;
	}
	if (!m->write) {
		unsigned int bits = m->size * 8;

		if (bits < 64) {
			value &= (1ULL << bits) - 1;
			if (m->sign_extend && (value >> (bits - 1)) & 1)
				value |= ~0ULL << bits;
		}
		reg_set(v, m->reg, value);
	}
	arch_vcpu_skip_instruction(v);
}

void arch_vcpu_complete_hypercall(struct vcpu *v, const uint64_t ret[4])
{
	/* SBI returns a0 (error) and a1 (value); the rest is preserved. */
	v->arch.ctx.x[10] = ret[0];
	v->arch.ctx.x[11] = ret[1];
	v->arch.ctx.sepc += 4;          /* ecall has no compressed form */
}

void arch_vcpu_inject_abort(struct vcpu *v, gpa_t addr, bool data)
{
	uint64_t cause;

	switch (v->arch.ctx.scause) {
	case CAUSE_STORE_GUEST_PAGE_FAULT:
		cause = CAUSE_STORE_ACCESS;
		break;
	case CAUSE_LOAD_GUEST_PAGE_FAULT:
		cause = CAUSE_LOAD_ACCESS;
		break;
	default:
		cause = data ? CAUSE_LOAD_ACCESS : CAUSE_FETCH_ACCESS;
		break;
	}
	/* tval is the guest's own (virtual) address of the access. */
	riscv_vcpu_inject_exception(v, cause, v->arch.ctx.stval);
}

void arch_vcpu_inject_undef(struct vcpu *v)
{
	riscv_vcpu_inject_exception(v, CAUSE_ILLEGAL_INSTRUCTION, 0);
}

uint64_t arch_vcpu_hwid(const struct vcpu *v)
{
	return v->id;
}

struct vsbi_vcpu *riscv_vcpu_sbi(struct vcpu *v)
{
	return &v->arch.sbi;
}

bool riscv_vcpu_started(struct vcpu *v)
{
	return READ_ONCE(v->arch.started);
}

void riscv_vcpu_resume_at(struct vcpu *v, uint64_t addr, uint64_t opaque)
{
	struct arch_vcpu *a = &v->arch;

	a->ctx.sepc = addr;
	a->ctx.x[10] = arch_vcpu_hwid(v);
	a->ctx.x[11] = opaque;
	a->ctx.sstatus |= SSTATUS_SPP;
	a->vs.vsatp = 0;
	a->vs.vsstatus &= ~SSTATUS_SIE;
}

void riscv_vcpu_fence_request(struct vcpu *target, unsigned int what)
{
	__atomic_or_fetch(&target->arch.fence_pending, what, __ATOMIC_SEQ_CST);
	if (__atomic_load_n(&target->arch.in_guest, __ATOMIC_SEQ_CST))
		vcpu_kick(target);
}

void riscv_vcpu_fence_wait(struct vcpu *target)
{
	struct arch_vcpu *a = &target->arch;
	uint64_t runs = __atomic_load_n(&a->runs_done, __ATOMIC_SEQ_CST);
	uint64_t deadline = time_now_ns() + FENCE_WAIT_NS;

	/* Done when the target took the fences, or is not in the guest (it
	 * takes them before it enters), or left the guest once since. */
	while (__atomic_load_n(&a->fence_pending, __ATOMIC_SEQ_CST) &&
	       __atomic_load_n(&a->in_guest, __ATOMIC_SEQ_CST) &&
	       __atomic_load_n(&a->runs_done, __ATOMIC_SEQ_CST) == runs) {
		uint64_t now = time_now_ns(), suppressed;

		if (now > deadline) {
			if (log_ratelimit_allow(&target->guest->arch.fence_log, now, &suppressed))
				log_warn("guest %s: vCPU %u did not leave the guest within 10 ms for a remote fence (%llu such messages suppressed)",
					 target->guest->name, target->id,
					 (unsigned long long)suppressed);
			return;
		}
		arch_cpu_relax();
	}
}

static const char *mode_name(const struct riscv_vcpu_context *ctx)
{
	return (ctx->sstatus & SSTATUS_SPP) ? "VS" : "VU";
}

void arch_vcpu_dump(struct vcpu *v)
{
	const struct riscv_vcpu_context *ctx = &v->arch.ctx;
	const struct riscv_vs_csrs *vs = &v->arch.vs;
	static const char *const names[32] = {
		"zero", "ra", "sp", "gp", "tp", "t0", "t1", "t2", "s0", "s1", "a0", "a1",
		"a2", "a3", "a4", "a5", "a6", "a7", "s2", "s3", "s4", "s5", "s6", "s7",
		"s8", "s9", "s10", "s11", "t3", "t4", "t5", "t6",
	};

	kprintf("  pc  0x%016llx  mode %s\n", (unsigned long long)ctx->sepc, mode_name(ctx));
	for (unsigned int i = 0; i < 32; i += 2)
		kprintf("  %-4s 0x%016llx  %-4s 0x%016llx\n", names[i],
			(unsigned long long)ctx->x[i], names[i + 1],
			(unsigned long long)ctx->x[i + 1]);
	kprintf("  vsstatus 0x%016llx  vsie 0x%llx  vsatp 0x%016llx\n",
		(unsigned long long)vs->vsstatus, (unsigned long long)vs->vsie,
		(unsigned long long)vs->vsatp);
	kprintf("  vstvec 0x%016llx  vsepc 0x%016llx  vscause 0x%llx  vstval 0x%llx\n",
		(unsigned long long)vs->vstvec, (unsigned long long)vs->vsepc,
		(unsigned long long)vs->vscause, (unsigned long long)vs->vstval);
	kprintf("  last exit: scause 0x%llx stval 0x%llx htval 0x%llx htinst 0x%llx\n",
		(unsigned long long)ctx->scause, (unsigned long long)ctx->stval,
		(unsigned long long)ctx->htval, (unsigned long long)ctx->htinst);
}
