/* SPDX-License-Identifier: GPL-2.0-only */
/* What the riscv64 files of the basic guest share; not seen by generic code. */
#ifndef BASIC_RISCV64_H
#define BASIC_RISCV64_H

#include "../basic.h"

/* The platform (QEMU virt, and what Keel shows its guests). */
#define UART_BASE 0x10000000UL
#define PLIC_BASE 0x0c000000UL

#define STACK_SIZE 0x4000
/* struct trap_frame: x0..x31, sepc, sstatus, scause, stval. */
#define FRAME_SIZE 288
#define FRAME_SEPC 256
#define FRAME_SSTATUS 264
#define FRAME_SCAUSE 272
#define FRAME_STVAL 280
/* struct guard_context: ra, sp, s0..s11. */
#define GUARD_SIZE 112

#ifdef __ASSEMBLER__
#define SSTATUS_SIE 0x2
#else
#define SSTATUS_SIE 0x2UL
#define SSTATUS_SPIE 0x20UL
#define SSTATUS_SPP 0x100UL
#define SSTATUS_FS_INITIAL 0x2000UL
#define SIE_SSIE (1UL << 1)
#define SIE_STIE (1UL << 5)
#define SIP_SSIP (1UL << 1)
#endif

#ifndef __ASSEMBLER__

#define csr_read(csr) ({						\
	uint64_t value__;						\
	asm volatile("csrr %0, " #csr : "=r"(value__) :: "memory");	\
	value__; })
#define csr_write(csr, value)						\
	asm volatile("csrw " #csr ", %0" :: "r"((uint64_t)(value)) : "memory")
#define csr_set(csr, bits)						\
	asm volatile("csrs " #csr ", %0" :: "r"((uint64_t)(bits)) : "memory")
#define csr_clear(csr, bits)						\
	asm volatile("csrc " #csr ", %0" :: "r"((uint64_t)(bits)) : "memory")

#define SCAUSE_INTERRUPT (1UL << 63)
#define IRQ_S_SOFT 1
#define IRQ_S_TIMER 5
#define CAUSE_FETCH_ACCESS 1
#define CAUSE_LOAD_ACCESS 5
#define CAUSE_STORE_ACCESS 7
#define CAUSE_FETCH_PAGE_FAULT 12

static inline void fence_all(void)
{
	asm volatile("fence iorw, iorw" ::: "memory");
}

/* Device registers: one plain load or store of that width. */
static inline uint8_t mmio_read8(uintptr_t addr)
{
	uint8_t value;

	asm volatile("lbu %0, 0(%1)" : "=r"(value) : "r"(addr) : "memory");
	return value;
}

static inline uint16_t mmio_read16(uintptr_t addr)
{
	uint16_t value;

	asm volatile("lhu %0, 0(%1)" : "=r"(value) : "r"(addr) : "memory");
	return value;
}

static inline uint32_t mmio_read32(uintptr_t addr)
{
	uint32_t value;

	asm volatile("lw %0, 0(%1)" : "=r"(value) : "r"(addr) : "memory");
	return value;
}

static inline void mmio_write8(uintptr_t addr, uint8_t value)
{
	asm volatile("sb %0, 0(%1)" :: "r"(value), "r"(addr) : "memory");
}

static inline void mmio_write16(uintptr_t addr, uint16_t value)
{
	asm volatile("sh %0, 0(%1)" :: "r"(value), "r"(addr) : "memory");
}

static inline void mmio_write32(uintptr_t addr, uint32_t value)
{
	asm volatile("sw %0, 0(%1)" :: "r"(value), "r"(addr) : "memory");
}

struct trap_frame {
	uint64_t x[32];
	uint64_t sepc, sstatus, scause, stval;
};

struct guard_context {
	uint64_t regs[14];
};

/* State of one vCPU, written by its trap handler. */
struct cpu_state {
	struct guard_context *guard;	/* inside arch_run_guarded */
	volatile bool expect_abort;	/* inside arch_probe_read, probe_vsetvli */
	volatile bool abort_taken;
	volatile uint64_t abort_cause;
	volatile uint64_t timer_deadline;	/* 0: the check timer is off */
	volatile uint64_t watchdog_deadline;	/* 0: the watchdog is off */
	volatile bool timer_fired;
	volatile uint64_t timer_fired_at;
	volatile bool watchdog_fired;
	volatile uint64_t ipi_count;	/* software interrupts taken */
	/* fetch-unmapped: a fetch fault expected at this address (0: none);
	 * the handler returns to ra and records the exception. */
	volatile uintptr_t fetch_expect;
	volatile bool fetch_taken;
	volatile uint64_t fetch_cause, fetch_tval;
	/* decode-fetch-race: the race page's virtual address (0: none); an
	 * instruction page fault in it returns to ra (attack_probe.S). */
	volatile uintptr_t race_va;
	volatile uint64_t race_faults;
	volatile bool race_wrong;
};

struct cpu_state *this_cpu(void);
struct cpu_state *cpu_state_of(unsigned int cpu);

/* start.S */
extern const char probe_read_instruction[];
extern const char probe_vsetvli_instruction[];
/* attack_probe.S: the attack mode's probing accesses. */
extern const char probe_begin[], probe_end[];
void secondary_entry(void);
int guard_call(void (*fn)(void *), void *arg, struct guard_context *ctx);
void guard_abandon(void);
uint64_t probe_read64(uint64_t addr);
uint64_t probe_vsetvli(void);
void trap_handle(struct trap_frame *frame);

/* sbi.c: SBI 2.0 calls (ecall). */
#define SBI_EXT_BASE 0x10
#define SBI_EXT_TIME 0x54494d45
#define SBI_EXT_IPI 0x735049
#define SBI_EXT_RFENCE 0x52464e43
#define SBI_EXT_HSM 0x48534d
#define SBI_EXT_SRST 0x53525354
#define SBI_EXT_DBCN 0x4442434e
#define SBI_EXT_PMU 0x504d55
#define SBI_SUCCESS 0
#define SBI_ERR_NOT_SUPPORTED (-2)
#define SBI_ERR_INVALID_PARAM (-3)
#define SBI_ERR_INVALID_ADDRESS (-5)
#define SBI_ERR_ALREADY_AVAILABLE (-6)
#define SBI_HSM_STARTED 0
#define SBI_HSM_STOPPED 1

struct sbiret {
	long error;
	long value;
};

struct sbiret sbi_call(uint64_t eid, uint64_t fid, uint64_t a0, uint64_t a1,
		       uint64_t a2, uint64_t a3);
void sbi_set_timer(uint64_t deadline);
/* sstc.c: the timer through stimecmp where riscv,isa offers Sstc. */
extern bool timer_uses_sstc;
extern const char probe_stimecmp_instruction[];
void sstc_init(void);
void sstc_write(uint64_t deadline);
/* Programs the hart's one timer for the earlier of the check timer and
 * the watchdog (trap.c). */
void timer_program(struct cpu_state *cpu);

#endif /* __ASSEMBLER__ */
#endif
