/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A vCPU's register state while it is not on a host CPU, and the host
 * state the world switch keeps while a guest runs. cpu/vcpu_entry.S moves
 * the general-purpose, FP/SIMD and exit registers (the ARM64_CTX_* offsets
 * below); cpu/vcpu.c moves the EL1 system registers.
 */
#ifndef ARCH_ARM64_CPU_CONTEXT_H
#define ARCH_ARM64_CPU_CONTEXT_H

/* Offsets into struct arm64_cpu_context, for vcpu_entry.S. */
#define ARM64_CTX_X 0
#define ARM64_CTX_PC 248
#define ARM64_CTX_PSTATE 256
#define ARM64_CTX_ESR 264
#define ARM64_CTX_FAR 272
#define ARM64_CTX_HPFAR 280
#define ARM64_CTX_FPSR 288
#define ARM64_CTX_FPCR 296
#define ARM64_CTX_VREGS 304 /* q0..q31, 16-byte aligned */

/* Offsets into struct arm64_host_context. */
#define ARM64_HOST_GUEST 0
#define ARM64_HOST_X19 8
#define ARM64_HOST_SP 104
#define ARM64_HOST_SIZE 112

#ifndef __ASSEMBLY__
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* EL1 (and EL0) system registers a guest OS owns; none of them is used
 * by Keel itself, so they are only switched, never interpreted, except
 * when an exception is injected. */
struct arm64_el1_sysregs {
	uint64_t sp_el0;
	uint64_t sp_el1;
	uint64_t elr_el1;
	uint64_t spsr_el1;
	uint64_t sctlr_el1;
	uint64_t cpacr_el1;
	uint64_t ttbr0_el1;
	uint64_t ttbr1_el1;
	uint64_t tcr_el1;
	uint64_t mair_el1;
	uint64_t amair_el1;
	uint64_t vbar_el1;
	uint64_t contextidr_el1;
	uint64_t tpidr_el0;
	uint64_t tpidrro_el0;
	uint64_t tpidr_el1;
	uint64_t esr_el1;
	uint64_t far_el1;
	uint64_t afsr0_el1;
	uint64_t afsr1_el1;
	uint64_t par_el1;
	uint64_t csselr_el1;
	uint64_t cntkctl_el1;
	uint64_t mdscr_el1;
	/* Pointer-authentication keys (IA, IB, DA, DB, GA; low and high
	 * halves), switched only when the CPU has them. */
	uint64_t apkeys[10];
};

/* Debug registers a guest reads and writes (MDCR_EL2.TDA/TDOSA/TDRA trap
 * them all, cpu/sysregs.c serves them): its own breakpoints, watchpoints,
 * OS lock and claim tags. The CPU's breakpoint and watchpoint registers are
 * loaded from these only while this vCPU runs with one of them enabled. */
#define ARM64_DEBUG_MAX_POINTS 16
struct arm64_debug_regs {
	uint64_t bvr[ARM64_DEBUG_MAX_POINTS];
	uint64_t bcr[ARM64_DEBUG_MAX_POINTS];
	uint64_t wvr[ARM64_DEBUG_MAX_POINTS];
	uint64_t wcr[ARM64_DEBUG_MAX_POINTS];
	uint64_t mdscr;                 /* as the guest wrote it */
	uint64_t mdccint;
	uint64_t oseccr;
	uint64_t osdtrrx;
	uint64_t osdtrtx;
	uint64_t dbgprcr;
	uint8_t claim;                  /* DBGCLAIMSET/CLR tags */
	bool os_lock;                   /* OSLSR_EL1.OSLK (set at reset) */
	bool os_double_lock;            /* OSDLR_EL1.DLK */
};

#define ARM64_EXIT_TEXT_MAX 160

struct arm64_cpu_context {
	/* vcpu_entry.S: loaded on entry, stored on exit. */
	uint64_t x[31];
	uint64_t pc;                    /* ELR_EL2 */
	uint64_t pstate;                /* SPSR_EL2 */
	/* The last exit's syndrome, stored by vcpu_entry.S. */
	uint64_t esr_el2;
	uint64_t far_el2;
	uint64_t hpfar_el2;
	/* FP/SIMD (vcpu_entry.S: arm64_fpsimd_save/restore). */
	uint64_t fpsr;
	uint64_t fpcr;
	uint64_t vregs[32][2];          /* q0..q31, low half first */

	struct arm64_el1_sysregs el1;
	struct arm64_debug_regs debug;

	/* The last exit: which EL2 vector took it (enum arm64_vector), and
	 * the text an abort exit's `what` points to. */
	unsigned int exit_vector;
	/* A stage-1 walk that read outside RAM: the level of that lookup. */
	unsigned int walk_level;
	char exit_text[ARM64_EXIT_TEXT_MAX];
};

/* Host state kept by arm64_guest_enter() while the guest runs; one per
 * host CPU (arm64_host_contexts[TPIDR_EL2]). */
struct arm64_host_context {
	struct arm64_cpu_context *guest; /* what the exit path stores into */
	uint64_t x19_x30[12];            /* callee-saved, frame pointer, lr */
	uint64_t sp;
};

_Static_assert(offsetof(struct arm64_cpu_context, pc) == ARM64_CTX_PC, "ctx pc");
_Static_assert(offsetof(struct arm64_cpu_context, pstate) == ARM64_CTX_PSTATE, "ctx pstate");
_Static_assert(offsetof(struct arm64_cpu_context, esr_el2) == ARM64_CTX_ESR, "ctx esr");
_Static_assert(offsetof(struct arm64_cpu_context, far_el2) == ARM64_CTX_FAR, "ctx far");
_Static_assert(offsetof(struct arm64_cpu_context, hpfar_el2) == ARM64_CTX_HPFAR, "ctx hpfar");
_Static_assert(offsetof(struct arm64_cpu_context, fpsr) == ARM64_CTX_FPSR, "ctx fpsr");
_Static_assert(offsetof(struct arm64_cpu_context, fpcr) == ARM64_CTX_FPCR, "ctx fpcr");
_Static_assert(offsetof(struct arm64_cpu_context, vregs) == ARM64_CTX_VREGS, "ctx vregs");
_Static_assert(ARM64_CTX_VREGS % 16 == 0, "q registers 16-byte aligned");
_Static_assert(offsetof(struct arm64_host_context, x19_x30) == ARM64_HOST_X19, "host x19");
_Static_assert(offsetof(struct arm64_host_context, sp) == ARM64_HOST_SP, "host sp");
_Static_assert(sizeof(struct arm64_host_context) == ARM64_HOST_SIZE, "host size");

/* ---- between cpu/vcpu.c, cpu/trap.c and cpu/vcpu_entry.S ---- */

/* ESR_ELx exception classes the vCPU code decodes or injects. */
#define ARM64_EC_UNKNOWN 0x00
#define ARM64_EC_WFX 0x01
#define ARM64_EC_HVC64 0x16
#define ARM64_EC_SMC64 0x17
#define ARM64_EC_SYS64 0x18
#define ARM64_EC_IABT_LOW 0x20
#define ARM64_EC_IABT_CUR 0x21
#define ARM64_EC_DABT_LOW 0x24
#define ARM64_EC_DABT_CUR 0x25

struct vcpu;
struct vm_exit;

extern struct arm64_host_context arm64_host_contexts[];

/* Enters the guest whose registers are in guest (interrupts masked, the
 * EL2 guest controls set); returns, on the host stack it was called on,
 * the EL2 vector number (enum arm64_vector) that ended the run. */
uint64_t arm64_guest_enter(struct arm64_cpu_context *guest,
			   struct arm64_host_context *host);
/* Move q0-q31, FPSR and FPCR between the CPU and ctx. */
void arm64_fpsimd_save(struct arm64_cpu_context *ctx);
void arm64_fpsimd_restore(const struct arm64_cpu_context *ctx);

/* Decodes the exit recorded in v's context into exit, serving in place
 * what needs no generic code (WFE, debug/RAS/timer/ID registers,
 * undefined instructions). */
void arm64_trap_decode(struct vcpu *v, struct vm_exit *exit);
#endif

#endif
