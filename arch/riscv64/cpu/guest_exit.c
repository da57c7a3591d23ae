// SPDX-License-Identifier: GPL-2.0-only
/*
 * Decoding why a riscv64 guest left VS/VU-mode into struct vm_exit, and
 * taking exceptions into the guest.
 *
 *   interrupt                  a host interrupt (V = 1 never masks them)
 *   10 VS ecall                an SBI call (virt/sbi.c)
 *   21/23 load/store guest-page fault
 *                              MMIO: the guest-physical address is
 *                              htval << 2 | stval & 3; the access is
 *                              decoded from htinst when the hart gives
 *                              one, else from the instruction itself,
 *                              fetched with HLVX (virt/insn_decode.c)
 *   20 fetch guest-page fault  an instruction fetch outside RAM
 *   22 virtual instruction     WFI waits; anything else is an illegal
 *                              instruction in the guest
 *   anything else              Keel cannot serve it: the guest stops
 *
 * A guest-page fault of the guest's own page-table walk (an implicit
 * access) is told from its load or store by the address: an explicit
 * access keeps the page offset of the guest-virtual address in stval,
 * a walk reads a page-table entry elsewhere. (With htinst, a
 * pseudo-instruction says so outright.)
 *
 * When the instruction cannot be fetched (another vCPU unmapped its page
 * since the trap) or no longer is the access that trapped (rewritten or
 * remapped since: no load or store at all, a load for a store or the
 * other way round, or an address that is not the one the trap reports),
 * the guest is resumed on it unchanged (a "retry" exit in `stats`): it
 * traps again with what is there now, and a fault of its own is taken by
 * the guest. An instruction Keel cannot complete against a device (FP,
 * vector, atomic) stops the guest with a message naming it.
 */
#include <keel/errno.h>
#include <keel/guest.h>
#include <keel/vcpu.h>
#include <arch/csr.h>
#include <arch/insn_decode.h>
#include <arch/virt.h>
#include <lib/format.h>
#include <string.h>

#define INSN_WFI 0x10500073u

static int fetch_read16(void *ctx, uint64_t va, uint16_t *out)
{
	return riscv_guest_fetch16(va, out);
}

static void exit_abort(struct vcpu *v, struct vm_exit *exit, gpa_t addr)
{
	exit->reason = VM_EXIT_ABORT;
	exit->abort.what = v->arch.abort_what;
	exit->abort.syndrome = v->arch.ctx.scause;
	exit->abort.addr = addr;
	exit->abort.pc = v->arch.ctx.sepc;
}

/* The trapping access was the guest's page-table walk, not its load,
 * store or fetch. */
static bool fault_was_walk(const struct riscv_vcpu_context *ctx, gpa_t gpa)
{
	if (ctx->htinst)
		return !(ctx->htinst & 1);      /* a pseudo-instruction */
	return (ctx->hstatus & HSTATUS_GVA) && ((gpa ^ ctx->stval) & 0xfff);
}

/* The instruction behind a guest-page fault: from htinst (a transformed
 * instruction: bit 1 clear for a compressed original) or fetched.
 * -KEEL_EFAULT when the fetch faulted. */
static int fault_instruction(const struct riscv_vcpu_context *ctx, uint32_t *insn,
			     unsigned int *len)
{
	int err;

	if (ctx->htinst) {
		*insn = (uint32_t)ctx->htinst | 2;
		*len = (ctx->htinst & 2) ? 4 : 2;
		return 0;
	}
	err = riscv_insn_fetch(ctx->sepc, fetch_read16, NULL, insn);
	if (!err)
		*len = riscv_insn_length((uint16_t)*insn);
	return err;
}

/*
 * A fetched instruction (not htinst's) may have been replaced since the
 * trap: another vCPU changed the code or its mapping. It is the access
 * that trapped only when it addresses what the trap reports: stval, the
 * guest-virtual address, lies within the bytes it accesses (a misaligned
 * access may report the part that faulted). Else completing it would
 * write a register with a device value the instruction never asked for.
 * (Without hstatus.GVA stval holds no guest-virtual address to compare.)
 */
static bool fetched_is_the_access(const struct vcpu *v, const struct riscv_mmio_insn *d)
{
	const struct riscv_vcpu_context *ctx = &v->arch.ctx;
	uint64_t addr = riscv_vcpu_reg(v, d->base) + (uint64_t)d->offset;

	if (ctx->htinst || !(ctx->hstatus & HSTATUS_GVA))
		return true;                /* no address to compare with */
	return ctx->stval - addr < d->size;
}

static void decode_data_fault(struct vcpu *v, struct vm_exit *exit, gpa_t gpa, bool store)
{
	const struct riscv_vcpu_context *ctx = &v->arch.ctx;
	struct riscv_mmio_insn d;
	const char *why = NULL;
	unsigned int len = 4;
	uint32_t insn;
	int err;

	exit->reason = VM_EXIT_MMIO;
	exit->mmio.addr = gpa;
	if (fault_was_walk(ctx, gpa)) {
		exit->mmio.kind = VM_MMIO_TABLE_WALK;
		exit->mmio.walk_for_fetch = false;
		return;
	}
	if (fault_instruction(ctx, &insn, &len)) {
		exit->reason = VM_EXIT_RETRY;       /* see above */
		return;
	}
	err = riscv_insn_decode_mmio(insn, &d, &why);
	if (err == -KEEL_ENOENT && !ctx->htinst) {
		/* No memory access at all: not what trapped; replaced since. */
		exit->reason = VM_EXIT_RETRY;
		return;
	}
	if (err) {
		fmt_snprintf(v->arch.abort_what, sizeof(v->arch.abort_what),
			     len == 2 ? "%s at 0x%llx by an undecodable instruction 0x%04x (%s)"
				      : "%s at 0x%llx by an undecodable instruction 0x%08x (%s)",
			     store ? "store" : "load", (unsigned long long)gpa,
			     len == 2 ? insn & 0xffff : insn, why);
		exit_abort(v, exit, gpa);
		return;
	}
	if (d.write != store || !fetched_is_the_access(v, &d)) {
		exit->reason = VM_EXIT_RETRY;       /* rewritten since */
		return;
	}
	v->arch.insn_len = d.len;
	exit->mmio.kind = VM_MMIO_ACCESS;
	exit->mmio.size = d.size;
	exit->mmio.write = d.write;
	exit->mmio.sign_extend = d.sign_extend;
	exit->mmio.reg64 = true;
	exit->mmio.reg = d.reg;
	if (d.write) {
		uint64_t value = riscv_vcpu_reg(v, d.reg);

		exit->mmio.data = d.size < 8 ? value & ((1ULL << (d.size * 8)) - 1) : value;
	}
}

static void decode_virtual_instruction(struct vcpu *v, struct vm_exit *exit)
{
	const struct riscv_vcpu_context *ctx = &v->arch.ctx;
	uint32_t insn = (uint32_t)ctx->stval;

	/* stval holds the instruction where the hart reports it. */
	if (!insn && riscv_insn_fetch(ctx->sepc, fetch_read16, NULL, &insn)) {
		exit->reason = VM_EXIT_RETRY;
		return;
	}
	v->arch.insn_len = riscv_insn_length((uint16_t)insn);
	if (insn == INSN_WFI) {
		exit->reason = VM_EXIT_WFI;
		return;
	}
	/* Hypervisor instructions and CSRs, counters not offered: what a
	 * hart without them would do. */
	riscv_vcpu_inject_exception(v, CAUSE_ILLEGAL_INSTRUCTION, insn);
	exit->reason = VM_EXIT_HANDLED;
}

void riscv_exit_decode(struct vcpu *v, struct vm_exit *exit)
{
	const struct riscv_vcpu_context *ctx = &v->arch.ctx;
	gpa_t gpa = ctx->htval << 2 | (ctx->stval & 3);

	memset(exit, 0, sizeof(*exit));
	v->arch.insn_len = 4;
	if (ctx->scause & SCAUSE_INTERRUPT) {
		exit->reason = VM_EXIT_IRQ;
		return;
	}
	switch (ctx->scause) {
	case CAUSE_VS_ECALL:
		exit->reason = VM_EXIT_HYPERCALL;
		for (unsigned int i = 0; i < 8; i++)
			exit->hypercall.args[i] = ctx->x[10 + i];
		break;
	case CAUSE_LOAD_GUEST_PAGE_FAULT:
	case CAUSE_STORE_GUEST_PAGE_FAULT:
		decode_data_fault(v, exit, gpa, ctx->scause == CAUSE_STORE_GUEST_PAGE_FAULT);
		break;
	case CAUSE_FETCH_GUEST_PAGE_FAULT:
		exit->reason = VM_EXIT_MMIO;
		exit->mmio.addr = gpa;
		if (fault_was_walk(ctx, gpa)) {
			exit->mmio.kind = VM_MMIO_TABLE_WALK;
			exit->mmio.walk_for_fetch = true;
		} else {
			exit->mmio.kind = VM_MMIO_FETCH;
		}
		break;
	case CAUSE_VIRTUAL_INSTRUCTION:
		decode_virtual_instruction(v, exit);
		break;
	default:
		fmt_snprintf(v->arch.abort_what, sizeof(v->arch.abort_what),
			     "unexpected trap to Keel (scause %llu, stval 0x%llx)",
			     (unsigned long long)ctx->scause, (unsigned long long)ctx->stval);
		exit_abort(v, exit, gpa);
		break;
	}
}

void riscv_vcpu_inject_exception(struct vcpu *v, uint64_t cause, uint64_t tval)
{
	struct riscv_vcpu_context *ctx = &v->arch.ctx;
	struct riscv_vs_csrs *vs = &v->arch.vs;
	uint64_t status = vs->vsstatus;

	/* As a trap into S-mode: sepc, scause, stval; SPP = the mode it
	 * came from, SPIE = SIE, SIE = 0; on to stvec's base (exceptions
	 * never use the vectored offsets). */
	vs->vsepc = ctx->sepc;
	vs->vscause = cause;
	vs->vstval = tval;
	status &= ~(SSTATUS_SPP | SSTATUS_SPIE | SSTATUS_SIE);
	if (ctx->sstatus & SSTATUS_SPP)
		status |= SSTATUS_SPP;
	if (vs->vsstatus & SSTATUS_SIE)
		status |= SSTATUS_SPIE;
	vs->vsstatus = status;
	ctx->sepc = vs->vstvec & ~3ULL;
	ctx->sstatus |= SSTATUS_SPP;
}
