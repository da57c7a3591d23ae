/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Hooks between the parts of arm64 CPU virtualization. arch_vcpu_run()
 * (cpu/vcpu.c) calls the interrupt and timer parts around every guest
 * entry; the trap decoder asks the timer part about system registers.
 */
#ifndef ARCH_ARM64_VIRT_H
#define ARCH_ARM64_VIRT_H

#include <keel/types.h>
#include <keel/vm_exit.h>

struct guest_platform;
struct vcpu;

/* The guest platform, like QEMU's virt machine (virt/platform.c). */
extern const struct guest_platform arm64_virt_platform;

/* Guest general-purpose register n (31 reads as zero / writes ignored). */
uint64_t arm64_vcpu_get_reg(const struct vcpu *v, unsigned int n);
void arm64_vcpu_set_reg(struct vcpu *v, unsigned int n, uint64_t value);

/* One-time EL2 set-up on each host CPU (host IRQs for the vGIC maintenance
 * interrupt and the virtual timer, ICH_* defaults). Boot CPU first. */
void arm64_virt_cpu_init(void);

/* Around each guest entry, interrupts masked (virt/vgic.c): restore the
 * virtual CPU interface and fill list registers from the pending state;
 * after exit, save it and account for what the guest acknowledged. */
void arm64_vgic_enter(struct vcpu *v);
void arm64_vgic_exit(struct vcpu *v);

/* Around each guest entry (virt/vtimer.c): restore/save the virtual
 * timer (CNTV_*, CNTVOFF_EL2) and the trap controls (CNTHCTL_EL2). */
void arm64_vtimer_enter(struct vcpu *v);
void arm64_vtimer_exit(struct vcpu *v);
/* This CPU's virtual timer off and its register shadow known: at CPU
 * start-up, and when its interrupt reaches Keel itself. */
void arm64_vtimer_cpu_init(void);
void arm64_vtimer_cpu_quiet(void);
/*
 * A trapped system-register access (ESR_EL2 EC 0x18) that may be a timer
 * or counter register (EL1 physical timer: CNTP_CTL/CVAL/TVAL_EL0,
 * CNTPCT_EL0). Returns true when it was one: for reads *value is what the
 * guest register receives. The caller completes the instruction.
 */
bool arm64_vtimer_sysreg(struct vcpu *v, const struct vm_exit_sysreg *access,
			 uint64_t *value);

/*
 * A trapped read of a CPU feature ID register (HCR_EL2.TID3): true when
 * the access is one, with *value the guest's view (idregs.c says what is
 * hidden). arm64_guest_id_register() is that view of a host value.
 */
bool arm64_id_register_read(const struct vm_exit_sysreg *access, uint64_t *value);
uint64_t arm64_guest_id_register(uint32_t encoding, uint64_t host_value);

/*
 * System registers cpu/sysregs.c serves for a trapped access (debug, RAS
 * error records, LORegions, ACTLR_EL1): DONE with *value for reads, or
 * UNDEFINED when the guest gets an undefined-instruction exception, or
 * UNKNOWN when the register is not one of them. The caller completes it.
 */
enum arm64_sysreg_result {
	ARM64_SYSREG_UNKNOWN,
	ARM64_SYSREG_DONE,
	ARM64_SYSREG_UNDEFINED,
};
enum arm64_sysreg_result arm64_cpu_sysreg(struct vcpu *v, const struct vm_exit_sysreg *access,
					  uint64_t *value);
/* This CPU's debug, PMU, RAS, trace and profiling traps (MDCR_EL2, and
 * CPTR_EL2 as cptr plus what it adds); returns the HCR_EL2 trap bits a
 * guest needs besides the fixed ones. */
uint64_t arm64_sysregs_cpu_init(uint64_t cptr);
/* Before entering v: the CPU's breakpoints and watchpoints are v's (when
 * it has any enabled) or all disabled. */
void arm64_debug_enter(struct vcpu *v);
/* v's debug registers as after a reset (OS lock set); forget makes every
 * CPU reload them. */
void arm64_debug_reset(struct vcpu *v);
void arm64_debug_forget(struct vcpu *v);

/* The level (0-3) of v's stage-1 lookup of va whose descriptor lies in the
 * page of descriptor_ipa (cpu/s1walk.c). */
unsigned int arm64_stage1_walk_level(struct vcpu *v, uint64_t va, gpa_t descriptor_ipa);

/* Encoding of a system register in ESR_EL2.ISS of EC 0x18: Op0, Op2, Op1,
 * CRn, CRm fields in place, Rt and direction masked out. */
#define ARM64_SYSREG_ISS(op0, op1, crn, crm, op2)                       \
	(((uint32_t)(op0) << 20) | ((uint32_t)(op2) << 17) |             \
	 ((uint32_t)(op1) << 14) | ((uint32_t)(crn) << 10) |             \
	 ((uint32_t)(crm) << 1))
#define ARM64_SYSREG_ISS_MASK 0x3ffc1eU

#endif
