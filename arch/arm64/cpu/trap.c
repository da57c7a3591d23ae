/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Why a guest left: decodes the EL2 vector and syndrome (ESR_EL2, FAR_EL2,
 * HPFAR_EL2) the world switch recorded into a struct vm_exit. A few exits
 * need no generic code and are served here (WFE, debug, RAS, timer and ID
 * registers, set/way cache maintenance, undefined instructions). Where a
 * CPU would give the guest an exception it can handle, the guest gets it:
 * accesses, fetches and table walks that reach no RAM become MMIO exits
 * for the guest's unhandled-mmio policy, any other trapped instruction is
 * undefined. Only what no guest can cause on a correct Keel (stage-2
 * faults other than translation ones, SError) becomes VM_EXIT_ABORT, with
 * a sentence saying what happened.
 */
#include <keel/vcpu.h>
#include <keel/vm_exit.h>
#include <arch/cpu_context.h>
#include <arch/esr.h>
#include <arch/regs.h>
#include <arch/sysreg.h>
#include <arch/virt.h>
#include <lib/format.h>
#include <stdarg.h>

/* Data / instruction abort ISS. */
#define ISS_ISV (1U << 24)
#define ISS_SAS_SHIFT 22
#define ISS_SSE (1U << 21)
#define ISS_SRT_SHIFT 16
#define ISS_SF (1U << 15)
#define ISS_CM (1U << 8)
#define ISS_S1PTW (1U << 7)
#define ISS_WNR (1U << 6)
#define ISS_FSC_MASK 0x3fU

/* System register ISS. */
#define ISS_SYS_READ (1U << 0)
#define ISS_SYS_RT_SHIFT 5

/* WFx ISS: TI (bits 1:0) 0 for WFI, 1 WFE, 2 WFIT, 3 WFET. */
#define ISS_WFX_TI_MASK 3U
#define ISS_WFX_TI_WFI 0U

/* HPFAR_EL2.FIPA: IPA[51:12] in bits [43:4]. */
#define HPFAR_FIPA_MASK ((1ULL << 40) - 1)



/* Translation, access flag and permission faults are the ones stage 2
 * raises for an IPA it does not map. */
static bool is_stage2_fault(unsigned int fsc)
{
	unsigned int kind = fsc & 0x3c;

	return kind == 0x04 || kind == 0x08 || kind == 0x0c;
}

/* The faulting IPA. For a stage-1 table walk only its page is known:
 * FAR_EL2 then holds the address being translated, not the table's. */
static gpa_t fault_ipa(const struct arm64_cpu_context *ctx, uint32_t iss)
{
	gpa_t page = ((ctx->hpfar_el2 >> 4) & HPFAR_FIPA_MASK) << 12;

	return (iss & ISS_S1PTW) ? page : page | (ctx->far_el2 & 0xfff);
}

static void __printf(4, 5) exit_abort(struct vcpu *v, struct vm_exit *exit,
				      gpa_t addr, const char *fmt, ...)
{
	struct arm64_cpu_context *ctx = &v->arch.ctx;
	va_list ap;

	va_start(ap, fmt);
	fmt_vsnprintf(ctx->exit_text, sizeof(ctx->exit_text), fmt, ap);
	va_end(ap);
	exit->reason = VM_EXIT_ABORT;
	exit->abort.what = ctx->exit_text;
	exit->abort.syndrome = ctx->esr_el2;
	exit->abort.addr = addr;
	exit->abort.pc = ctx->pc;
}

static void exit_handled_skip(struct vcpu *v, struct vm_exit *exit)
{
	arch_vcpu_skip_instruction(v);
	exit->reason = VM_EXIT_HANDLED;
}

/* An access to guest-physical space that is not RAM, for the MMIO table
 * and the guest's unhandled-mmio policy. */
static void exit_mmio(struct vm_exit *exit, enum vm_exit_mmio_kind kind, gpa_t ipa,
		      bool write)
{
	exit->reason = VM_EXIT_MMIO;
	exit->mmio = (struct vm_exit_mmio){ .kind = kind, .addr = ipa, .write = write };
}

/* The guest's stage-1 walk read a descriptor at ipa, outside RAM: the
 * guest's policy applies, and an abort names the level of that lookup. */
static void decode_table_walk(struct vcpu *v, struct vm_exit *exit, gpa_t ipa, bool fetch)
{
	struct arm64_cpu_context *ctx = &v->arch.ctx;

	ctx->walk_level = arm64_stage1_walk_level(v, ctx->far_el2, ipa);
	exit_mmio(exit, VM_MMIO_TABLE_WALK, ipa, false);
	exit->mmio.walk_for_fetch = fetch;
}

static void decode_data_abort(struct vcpu *v, struct vm_exit *exit, uint32_t iss)
{
	const struct arm64_cpu_context *ctx = &v->arch.ctx;
	unsigned int fsc = iss & ISS_FSC_MASK;
	gpa_t ipa = fault_ipa(ctx, iss);
	struct vm_exit_mmio *m = &exit->mmio;

	if (!is_stage2_fault(fsc)) {
		exit_abort(v, exit, 0, "data access at address 0x%llx: %s (DFSC 0x%02x)",
			   (unsigned long long)ctx->far_el2, arm64_fault_status_name(fsc), fsc);
		return;
	}
	if (iss & ISS_S1PTW) {
		decode_table_walk(v, exit, ipa, false);
		return;
	}
	if (iss & ISS_CM) {
		/* Cache maintenance by VA on something that is not RAM:
		 * there is nothing to clean. */
		exit_handled_skip(v, exit);
		return;
	}
	if (!(iss & ISS_ISV)) {
		/* Load/store pair, writeback, SIMD: the MMIO table says
		 * whether anything is there; the guest's policy applies. */
		exit_mmio(exit, VM_MMIO_UNDECODED, ipa, (iss & ISS_WNR) != 0);
		return;
	}

	exit_mmio(exit, VM_MMIO_ACCESS, ipa, (iss & ISS_WNR) != 0);
	m->size = 1U << ((iss >> ISS_SAS_SHIFT) & 3);
	m->sign_extend = (iss & ISS_SSE) != 0;
	m->reg64 = (iss & ISS_SF) != 0;
	m->reg = (iss >> ISS_SRT_SHIFT) & 0x1f;
	if (m->write) {
		m->data = arm64_vcpu_get_reg(v, m->reg);
		if (m->size < 8)
			m->data &= (1ULL << (m->size * 8)) - 1;
	}
}

static void decode_instruction_abort(struct vcpu *v, struct vm_exit *exit, uint32_t iss)
{
	const struct arm64_cpu_context *ctx = &v->arch.ctx;
	unsigned int fsc = iss & ISS_FSC_MASK;
	gpa_t ipa = fault_ipa(ctx, iss);

	if (!is_stage2_fault(fsc))
		exit_abort(v, exit, 0, "instruction fetch at address 0x%llx: %s (IFSC 0x%02x)",
			   (unsigned long long)ctx->far_el2, arm64_fault_status_name(fsc), fsc);
	else if (iss & ISS_S1PTW)
		decode_table_walk(v, exit, ipa, true);
	else
		/* A fetch from outside RAM: the guest's unhandled-mmio
		 * policy, a prefetch abort by default. */
		exit_mmio(exit, VM_MMIO_FETCH, ipa, false);
}

static void decode_hypercall(struct vcpu *v, struct vm_exit *exit, bool smc)
{
	exit->reason = VM_EXIT_HYPERCALL;
	exit->hypercall.smc = smc;
	for (unsigned int i = 0; i < 8; i++)
		exit->hypercall.args[i] = v->arch.ctx.x[i];
}

/* DC ISW / CSW / CISW (trapped by HCR_EL2.TSW). */
static bool is_set_way_op(uint32_t encoding)
{
	return encoding == ARM64_SYSREG_ISS(1, 0, 7, 6, 2) ||
	       encoding == ARM64_SYSREG_ISS(1, 0, 7, 10, 2) ||
	       encoding == ARM64_SYSREG_ISS(1, 0, 7, 14, 2);
}

static void decode_sysreg(struct vcpu *v, struct vm_exit *exit, uint32_t iss)
{
	struct vm_exit_sysreg *s = &exit->sysreg;
	uint64_t value = 0;

	s->encoding = iss & ARM64_SYSREG_ISS_MASK;
	s->write = !(iss & ISS_SYS_READ);
	s->reg = (iss >> ISS_SYS_RT_SHIFT) & 0x1f;
	s->data = s->write ? arm64_vcpu_get_reg(v, s->reg) : 0;

	/* Set/way operations only make sense on a physical CPU's own
	 * caches; guest RAM is coherent write-back memory, so they are
	 * no-ops for a vCPU. */
	if (is_set_way_op(s->encoding)) {
		exit_handled_skip(v, exit);
		return;
	}
	switch (arm64_cpu_sysreg(v, s, &value)) {
	case ARM64_SYSREG_UNDEFINED:
		arch_vcpu_inject_undef(v);
		exit->reason = VM_EXIT_HANDLED;
		return;
	case ARM64_SYSREG_DONE:
		break;
	case ARM64_SYSREG_UNKNOWN:
		if (arm64_vtimer_sysreg(v, s, &value) || arm64_id_register_read(s, &value))
			break;
		exit->reason = VM_EXIT_SYSREG;
		return;
	}
	if (!s->write)
		arm64_vcpu_set_reg(v, s->reg, value);
	exit_handled_skip(v, exit);
}

static void decode_sync(struct vcpu *v, struct vm_exit *exit)
{
	uint64_t esr = v->arch.ctx.esr_el2;
	unsigned int ec = (unsigned int)ESR_EC(esr);
	uint32_t iss = (uint32_t)ESR_ISS(esr);

	switch (ec) {
	case ARM64_EC_DABT_LOW:
		decode_data_abort(v, exit, iss);
		break;
	case ARM64_EC_IABT_LOW:
		decode_instruction_abort(v, exit, iss);
		break;
	case ARM64_EC_HVC64:
		decode_hypercall(v, exit, false);
		break;
	case ARM64_EC_SMC64:
		decode_hypercall(v, exit, true);
		break;
	case ARM64_EC_WFX:
		/* Only an AArch64 WFI waits here. WFE, and WFIT / WFET whose
		 * timeout Keel does not track, complete at once, as they may
		 * architecturally; so does a WFI from AArch32 EL0, whose
		 * condition code Keel does not evaluate. */
		if ((iss & ISS_WFX_TI_MASK) == ISS_WFX_TI_WFI &&
		    v->arch.ctx.exit_vector == VECTOR_LOW64_SYNC)
			exit->reason = VM_EXIT_WFI;
		else
			exit_handled_skip(v, exit);
		break;
	case ARM64_EC_SYS64:
		decode_sysreg(v, exit, iss);
		break;
	default:
		/* Anything else EL2 traps is an instruction or register Keel
		 * does not give guests (SVE and SME under CPTR_EL2, AArch32
		 * coprocessor registers, 128-bit system registers...): the
		 * guest sees it as undefined, as on a CPU without it. */
		arch_vcpu_inject_undef(v);
		exit->reason = VM_EXIT_HANDLED;
		break;
	}
}

void arm64_trap_decode(struct vcpu *v, struct vm_exit *exit)
{
	const struct arm64_cpu_context *ctx = &v->arch.ctx;

	switch (ctx->exit_vector) {
	case VECTOR_LOW64_IRQ:
	case VECTOR_LOW64_FIQ:
	case VECTOR_LOW32_IRQ:
	case VECTOR_LOW32_FIQ:
		/* The interrupt stays pending; Keel takes it once generic
		 * code unmasks interrupts. */
		exit->reason = VM_EXIT_IRQ;
		break;
	case VECTOR_LOW64_SYNC:
	case VECTOR_LOW32_SYNC:
		/* From AArch32 EL0 the aborts, WFx and HVC/SMC syndromes have
		 * the same layout (HVC and SMC cannot come from EL0), and
		 * coprocessor traps become undefined instructions. */
		decode_sync(v, exit);
		break;
	case VECTOR_LOW64_SERROR:
	case VECTOR_LOW32_SERROR:
		exit_abort(v, exit, 0, "SError from the guest (ESR_EL2 0x%llx)",
			   (unsigned long long)ctx->esr_el2);
		break;
	default:
		exit_abort(v, exit, 0, "exit through unexpected EL2 vector %u",
			   ctx->exit_vector);
		break;
	}
}
