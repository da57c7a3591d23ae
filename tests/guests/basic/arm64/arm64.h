/* SPDX-License-Identifier: GPL-2.0-only */
/* What the arm64 files of the basic guest share; not seen by generic code. */
#ifndef BASIC_ARM64_H
#define BASIC_ARM64_H

#include "../basic.h"

/* The platform (QEMU virt, and what Keel shows its guests). */
#define PL011_BASE 0x09000000UL
#define GICD_BASE 0x08000000UL
#define GICR_BASE 0x080a0000UL
#define GICR_STRIDE 0x20000UL

#define STACK_SIZE 0x4000
/* struct exception_frame: x0..x30, ELR_EL1, SPSR_EL1, padding. */
#define FRAME_SIZE 272
#define FRAME_ELR 248
#define FRAME_SPSR 256
/* struct guard_context: x19..x30 and sp. */
#define GUARD_SP 96

/* MMU, caches and alignment checking off; SP alignment checking on. */
#define SCTLR_EL1_RES1 ((1 << 29) | (1 << 28) | (1 << 23) | (1 << 22) | \
			(1 << 20) | (1 << 11))
#define SCTLR_EL1_SA (1 << 3)
#define SCTLR_EL1_VALUE (SCTLR_EL1_RES1 | SCTLR_EL1_SA)

#ifndef __ASSEMBLER__

#define read_sysreg(reg) ({						\
	uint64_t value__;						\
	asm volatile("mrs %0, " #reg : "=r"(value__) :: "memory");	\
	value__; })
#define write_sysreg(reg, value)					\
	asm volatile("msr " #reg ", %0" :: "r"((uint64_t)(value)) : "memory")

static inline void isb(void)
{
	asm volatile("isb" ::: "memory");
}

static inline void dsb_sy(void)
{
	asm volatile("dsb sy" ::: "memory");
}

/*
 * Device registers are accessed with a plain load or store of one register
 * and no writeback, so that a hypervisor emulating them gets a valid
 * instruction syndrome (the compiler might pick another addressing mode).
 */
static inline uint8_t mmio_read8(uintptr_t addr)
{
	uint8_t value;

	asm volatile("ldrb %w0, [%1]" : "=r"(value) : "r"(addr) : "memory");
	return value;
}

static inline uint16_t mmio_read16(uintptr_t addr)
{
	uint16_t value;

	asm volatile("ldrh %w0, [%1]" : "=r"(value) : "r"(addr) : "memory");
	return value;
}

static inline uint32_t mmio_read32(uintptr_t addr)
{
	uint32_t value;

	asm volatile("ldr %w0, [%1]" : "=r"(value) : "r"(addr) : "memory");
	return value;
}

static inline uint64_t mmio_read64(uintptr_t addr)
{
	uint64_t value;

	asm volatile("ldr %0, [%1]" : "=r"(value) : "r"(addr) : "memory");
	return value;
}

static inline void mmio_write32(uintptr_t addr, uint32_t value)
{
	asm volatile("str %w0, [%1]" :: "rZ"(value), "r"(addr) : "memory");
}

/* MPIDR_EL1 with only its affinity fields (Aff3 in bits 39:32). */
static inline uint64_t cpu_mpidr(void)
{
	return read_sysreg(mpidr_el1) & 0xff00ffffffULL;
}

struct exception_frame {
	uint64_t x[31];
	uint64_t elr;
	uint64_t spsr;
	uint64_t pad;
};

struct guard_context {
	uint64_t regs[13];
	uint64_t pad;
};

/* State of one vCPU, written by its exception handlers. */
struct cpu_state {
	struct guard_context *guard;	/* inside arch_run_guarded */
	volatile bool expect_abort;	/* inside arch_probe_read */
	volatile bool abort_taken;
	volatile uint64_t abort_syndrome;
	volatile bool expect_trap;	/* between trap_expect and trap_taken */
	volatile bool trap_seen;
	volatile uint64_t trap_esr, trap_far, trap_elr;
	uintptr_t trap_branch_target;
	volatile bool hvc_refused;	/* the last HVC was undefined */
	volatile uint64_t hvc_syndrome;
	bool irq_ready;			/* arch_irq_init has succeeded */
	uintptr_t redistributor;
	volatile bool timer_fired;
	volatile uint64_t timer_fired_at;
	volatile bool watchdog_fired;
	volatile uint64_t sgi_count;	/* SGIs of the interrupt storm */
	char error[96];
};

struct cpu_state *this_cpu(void);
struct cpu_state *cpu_state_of(unsigned int cpu);

/* start.S */
extern const char exception_vectors[];
extern const char wfi_instruction[];
extern const char probe_read_instruction[];
extern const char smccc_hvc_instruction[];
void secondary_entry(void);
int guard_call(void (*fn)(void *), void *arg, struct guard_context *ctx);
void guard_abandon(void);
uint64_t probe_read64(uint64_t addr);
uint64_t smccc_hvc(uint64_t function, uint64_t a1, uint64_t a2, uint64_t a3);
void exception_handle(struct exception_frame *frame, unsigned int vector);

/*
 * exception.c: the next synchronous exception at EL1 is expected and
 * recorded rather than reported. Execution resumes past the instruction
 * (an undefined one), at the same instruction (a breakpoint: the handler
 * disables breakpoint 1), or, for an exception at branch_target (a call
 * to an address with nothing there), in the caller (x30).
 */
struct trap_record {
	uint64_t esr, far, elr;
};
void trap_expect(uintptr_t branch_target);
/* Ends the expectation: true with *t when the exception came. */
bool trap_taken(struct trap_record *t);

/* gic.c */
#define SGI_CHECK 1		/* sgi-cpu-on */
#define SGI_STORM 2		/* the storm mode */
#define PPI_VIRTUAL_TIMER 27
#define PPI_PHYSICAL_TIMER 30

typedef void irq_handler_fn(unsigned int intid);
/* Handler for SGI/PPI intid on every vCPU; set before enabling it. */
void gic_set_handler(unsigned int intid, irq_handler_fn *fn);
/* Enables SGI/PPI intid in this vCPU's redistributor. */
void gic_enable_private(unsigned int intid);
/* Sends SGI intid to the vCPU with affinity mpidr (ICC_SGI1R_EL1). */
void gic_send_sgi(unsigned int intid, uint64_t mpidr);
/* Acknowledges, handles and ends one interrupt. */
void gic_handle_irq(struct exception_frame *frame);

/* psci.c: SMCCC calls over HVC. */
#define SMCCC_VERSION 0x80000000U
#define PSCI_VERSION 0x84000000U
#define PSCI_CPU_OFF 0x84000002U
#define PSCI_CPU_ON 0xc4000003U
#define PSCI_AFFINITY_INFO 0xc4000004U
#define PSCI_SYSTEM_OFF 0x84000008U
#define PSCI_SYSTEM_RESET 0x84000009U
#define PSCI_AFFINITY_OFF 1

struct smccc_result {
	bool refused;		/* the HVC raised an undefined-instruction exception */
	uint64_t syndrome;	/* ESR_EL1 of that exception */
	uint64_t x0;
};

struct smccc_result smccc_call(uint32_t function, uint64_t a1, uint64_t a2,
			       uint64_t a3);
/* A PSCI call; an HVC the CPU refused reads as NOT_SUPPORTED (-1). */
int64_t psci_call(uint32_t function, uint64_t a1, uint64_t a2, uint64_t a3);

#endif /* __ASSEMBLER__ */
#endif
