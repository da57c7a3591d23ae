/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What the riscv64 world switch (cpu/vcpu_entry.S) loads and saves: a
 * vCPU's general registers and the HS-mode CSRs of its trap, and the host
 * registers it must give back. Offsets are shared with the assembly.
 */
#ifndef ARCH_RISCV64_VCPU_CONTEXT_H
#define ARCH_RISCV64_VCPU_CONTEXT_H

#define CTX_X(n) (8 * (n))
#define CTX_SEPC 256
#define CTX_SSTATUS 264
#define CTX_HSTATUS 272
#define CTX_SCAUSE 280
#define CTX_STVAL 288
#define CTX_HTVAL 296
#define CTX_HTINST 304
#define CTX_HOST_RA 312
#define CTX_HOST_SP 320
#define CTX_HOST_GP 328
#define CTX_HOST_TP 336
#define CTX_HOST_S(n) (344 + 8 * (n))   /* s0..s11 */
#define CTX_HOST_STVEC 440
#define CTX_HOST_SSCRATCH 448
#define CTX_HOST_SSTATUS 456
#define CTX_HOST_HSTATUS 464
#define CTX_SIZE 472

#define FP_F(n) (8 * (n))
#define FP_FCSR 256

#ifndef __ASSEMBLY__
#include <stddef.h>
#include <stdint.h>

struct riscv_vcpu_context {
	uint64_t x[32];            /* guest x0..x31 (x0 unused) */
	uint64_t sepc;             /* guest pc */
	uint64_t sstatus;          /* HS sstatus for sret (SPP: guest mode; FS) */
	uint64_t hstatus;          /* SPV, SPVP, VTW ... */
	/* The trap that ended the last run. */
	uint64_t scause;
	uint64_t stval;
	uint64_t htval;
	uint64_t htinst;
	/* Keel's registers while the guest runs. */
	uint64_t host_ra, host_sp, host_gp, host_tp;
	uint64_t host_s[12];
	uint64_t host_stvec, host_sscratch, host_sstatus, host_hstatus;
};

struct riscv_fp_state {
	uint64_t f[32];
	uint64_t fcsr;
};

_Static_assert(offsetof(struct riscv_vcpu_context, sepc) == CTX_SEPC, "ctx sepc");
_Static_assert(offsetof(struct riscv_vcpu_context, htinst) == CTX_HTINST, "ctx htinst");
_Static_assert(offsetof(struct riscv_vcpu_context, host_ra) == CTX_HOST_RA, "ctx host ra");
_Static_assert(offsetof(struct riscv_vcpu_context, host_s) == CTX_HOST_S(0), "ctx host s");
_Static_assert(offsetof(struct riscv_vcpu_context, host_stvec) == CTX_HOST_STVEC, "ctx stvec");
_Static_assert(offsetof(struct riscv_vcpu_context, host_hstatus) == CTX_HOST_HSTATUS, "ctx hstatus");
_Static_assert(sizeof(struct riscv_vcpu_context) == CTX_SIZE, "ctx size");
_Static_assert(offsetof(struct riscv_fp_state, fcsr) == FP_FCSR, "fp fcsr");

/* Runs the guest of ctx until it traps to HS-mode (cpu/vcpu_entry.S);
 * interrupts masked before and after. */
void riscv_guest_enter(struct riscv_vcpu_context *ctx);
/* Loads / saves the FP registers (sstatus.FS is turned on around it). */
void riscv_fp_restore(const struct riscv_fp_state *fp);
void riscv_fp_save(struct riscv_fp_state *fp);
/* Reads the halfword at guest-virtual va as the guest's instruction fetch
 * would (HLVX.HU, with the privilege in hstatus.SPVP and the guest's
 * vsatp and hgatp loaded): 0, or -KEEL_EFAULT when that read faults. */
int riscv_guest_fetch16(uint64_t va, uint16_t *out);
#endif

#endif
