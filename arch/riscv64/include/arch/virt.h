/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Hooks between the parts of riscv64 CPU virtualization: the vCPU run
 * loop (cpu/vcpu.c), exit decoding (cpu/guest_exit.c), G-stage
 * (mmu/gstage.c), virtual interrupts and timer (virt/vinterrupt.c).
 */
#ifndef ARCH_RISCV64_VIRT_H
#define ARCH_RISCV64_VIRT_H

#include <keel/types.h>

struct guest;
struct vcpu;
struct vm_exit;

/* hstatus bits. */
#define HSTATUS_GVA (1UL << 6)
#define HSTATUS_SPV (1UL << 7)
#define HSTATUS_SPVP (1UL << 8)
#define HSTATUS_VTVM (1UL << 20)
#define HSTATUS_VTW (1UL << 21)
#define HSTATUS_VTSR (1UL << 22)

/* hvip / hip / hideleg: the VS-level interrupts. */
#define IRQ_VS_SOFT 2
#define IRQ_VS_TIMER 6
#define IRQ_VS_EXT 10
#define HVIP_VSSIP (1UL << IRQ_VS_SOFT)
#define HVIP_VSTIP (1UL << IRQ_VS_TIMER)
#define HVIP_VSEIP (1UL << IRQ_VS_EXT)
#define HVIP_VS_ALL (HVIP_VSSIP | HVIP_VSTIP | HVIP_VSEIP)

/* Sstc's vstimecmp, by number (its name needs the extension in -march). */
#define CSR_VSTIMECMP 0x24d

/* henvcfg */
#define HENVCFG_FIOM (1UL << 0)
#define HENVCFG_STCE (1UL << 63)

/* Exception causes (scause). */
#define CAUSE_MISALIGNED_FETCH 0
#define CAUSE_FETCH_ACCESS 1
#define CAUSE_ILLEGAL_INSTRUCTION 2
#define CAUSE_BREAKPOINT 3
#define CAUSE_MISALIGNED_LOAD 4
#define CAUSE_LOAD_ACCESS 5
#define CAUSE_MISALIGNED_STORE 6
#define CAUSE_STORE_ACCESS 7
#define CAUSE_USER_ECALL 8
#define CAUSE_SUPERVISOR_ECALL 9
#define CAUSE_VS_ECALL 10
#define CAUSE_FETCH_PAGE_FAULT 12
#define CAUSE_LOAD_PAGE_FAULT 13
#define CAUSE_STORE_PAGE_FAULT 15
#define CAUSE_FETCH_GUEST_PAGE_FAULT 20
#define CAUSE_LOAD_GUEST_PAGE_FAULT 21
#define CAUSE_VIRTUAL_INSTRUCTION 22
#define CAUSE_STORE_GUEST_PAGE_FAULT 23

/* ---- cpu/vcpu.c ---- */
/* Guest register xn (x0 reads 0). */
uint64_t riscv_vcpu_reg(const struct vcpu *v, unsigned int n);

/* ---- cpu/guest_exit.c ---- */
/* Decodes the trap that ended v's run into exit (HS CSRs as it left
 * them: hstatus.SPVP, vsatp and hgatp still the guest's). */
void riscv_exit_decode(struct vcpu *v, struct vm_exit *exit);
/* Takes exception cause with tval into the guest's VS-mode, as the
 * hardware would have had it been delegated. */
void riscv_vcpu_inject_exception(struct vcpu *v, uint64_t cause, uint64_t tval);

/* ---- mmu/gstage.c ---- */
/* Probes the VMID width (boot CPU, before any guest). */
void riscv_gstage_cpu_init(void);
/* Loads g's hgatp on this CPU and fences what this CPU may still hold of
 * an older mapping or an earlier owner of the VMID. */
void riscv_gstage_enter(struct guest *g);

/* ---- virt/vinterrupt.c ---- */
extern bool riscv_virt_sstc;             /* vstimecmp usable */
void riscv_vinterrupt_cpu_init(void);
/* The guest time base: host counter + htimedelta. */
uint64_t riscv_guest_time(const struct guest *g);
/* Loads v's timer and pending interrupts into the CSRs before entry. */
void riscv_vinterrupt_enter(struct vcpu *v);
/* Saves what the guest changed of them after exit. */
void riscv_vinterrupt_exit(struct vcpu *v);
/* Power-on state of v's interrupts and timer. */
void riscv_vinterrupt_reset(struct vcpu *v);
void riscv_vinterrupt_destroy(struct vcpu *v);
/* The interrupt controller's output for v's supervisor external
 * interrupt (the PLIC's hart context): level high or low. Only records
 * it: the caller kicks v when it rises. */
void riscv_vcpu_set_external_irq(struct vcpu *v, bool level);

#endif
