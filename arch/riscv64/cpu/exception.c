/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * HS-mode trap handling: interrupts go to the IRQ layer; any exception
 * taken from Keel itself is a Keel bug, reported with a register dump,
 * the decoded scause/stval/htval and a backtrace before the CPU is parked.
 */
#include <keel/backtrace.h>
#include <keel/console.h>
#include <keel/irq.h>
#include <keel/log.h>
#include <keel/platform.h>
#include <arch/boot.h>
#include <arch/cpu.h>
#include <arch/csr.h>
#include <arch/regs.h>
#include <arch/trap.h>

extern char __image_start[], __text_start[], __text_end[];
extern uint8_t cpu_stacks[];

/* Exception causes of the privileged spec (with the H extension's). */
static const char *const exception_names[] = {
	[0] = "instruction address misaligned",
	[1] = "instruction access fault",
	[2] = "illegal instruction",
	[3] = "breakpoint",
	[4] = "load address misaligned",
	[5] = "load access fault",
	[6] = "store/AMO address misaligned",
	[7] = "store/AMO access fault",
	[8] = "environment call from U-mode or VU-mode",
	[9] = "environment call from HS-mode",
	[10] = "environment call from VS-mode",
	[11] = "environment call from M-mode",
	[12] = "instruction page fault",
	[13] = "load page fault",
	[15] = "store/AMO page fault",
	[20] = "instruction guest-page fault",
	[21] = "load guest-page fault",
	[22] = "virtual instruction",
	[23] = "store/AMO guest-page fault",
};

static const char *exception_name(uint64_t code)
{
	if (code < ARRAY_SIZE(exception_names) && exception_names[code])
		return exception_names[code];
	return "reserved or unknown";
}

/* What stval holds for each cause. */
static const char *stval_meaning(uint64_t code)
{
	switch (code) {
	case 0: case 1: case 4: case 5: case 6: case 7:
	case 12: case 13: case 15: case 20: case 21: case 23:
		return "faulting address";
	case 2: case 22:
		return "instruction bits (0 if not provided)";
	case 3:
		return "breakpoint address";
	default:
		return "no meaning for this cause";
	}
}

static struct backtrace_frame_abi frame_abi(void)
{
	/* GCC's RISC-V frames (-fno-omit-frame-pointer): s0 points just
	 * above the frame, the record {caller's s0, ra} is at s0 - 16. */
	return (struct backtrace_frame_abi){
		.image_start = (uint64_t)(uintptr_t)__image_start,
		.text_start = (uint64_t)(uintptr_t)__text_start,
		.text_end = (uint64_t)(uintptr_t)__text_end,
		.stack_lo = (uint64_t)(uintptr_t)cpu_stacks,
		.stack_hi = (uint64_t)(uintptr_t)cpu_stacks +
			    (uint64_t)KEEL_MAX_CPUS * CONFIG_CPU_STACK_SIZE,
		.record_offset = -16,
		.record_align = 8,
	};
}

/* Offset inside keel.elf (linked at 0), for `addr2line -e keel.elf`. */
static uint64_t image_offset(uint64_t addr)
{
	return addr - (uint64_t)(uintptr_t)__image_start;
}

static void print_cause(const struct riscv_regs *regs)
{
	uint64_t code = SCAUSE_CODE(regs->scause);

	kprintf("scause 0x%llx: %s (%llu)\n", (unsigned long long)regs->scause,
		exception_name(code), (unsigned long long)code);
	kprintf("  stval 0x%llx (%s)\n", (unsigned long long)regs->stval,
		stval_meaning(code));
	if (code == 20 || code == 21 || code == 23)
		kprintf("  htval 0x%llx: guest-physical address 0x%llx\n",
			(unsigned long long)regs->htval,
			(unsigned long long)((regs->htval << 2) | (regs->stval & 3)));
	else if (regs->htval)
		kprintf("  htval 0x%llx\n", (unsigned long long)regs->htval);
	if (regs->htinst)
		kprintf("  htinst 0x%llx\n", (unsigned long long)regs->htinst);
}

static const char *const reg_names[32] = {
	"zero", "ra", "sp", "gp", "tp", "t0", "t1", "t2",
	"s0", "s1", "a0", "a1", "a2", "a3", "a4", "a5",
	"a6", "a7", "s2", "s3", "s4", "s5", "s6", "s7",
	"s8", "s9", "s10", "s11", "t3", "t4", "t5", "t6",
};

static void print_registers(const struct riscv_regs *regs)
{
	for (int i = 1; i < 32; i += 2) {
		if (i + 1 < 32)
			kprintf("  %-4s 0x%016llx  %-4s 0x%016llx\n", reg_names[i],
				(unsigned long long)regs->x[i], reg_names[i + 1],
				(unsigned long long)regs->x[i + 1]);
		else
			kprintf("  %-4s 0x%016llx\n", reg_names[i],
				(unsigned long long)regs->x[i]);
	}
	kprintf("  sepc 0x%016llx  sstatus 0x%016llx  (pc = keel.elf+0x%llx)\n",
		(unsigned long long)regs->sepc, (unsigned long long)regs->sstatus,
		(unsigned long long)image_offset(regs->sepc));
}

static __noreturn void report_fatal(const struct riscv_regs *regs)
{
	const struct backtrace_frame_abi abi = frame_abi();

	/* Polled from here on: this CPU parks with interrupts masked, and
	 * it may be the one that takes the console's transmit interrupt. */
	console_panic_flush("", 0);
	kprintf("\n*** Keel: unexpected exception on CPU %u (hart %llu) in HS-mode ***\n",
		arch_cpu_id(), (unsigned long long)arch_cpu_hwid());
	print_cause(regs);
	print_registers(regs);
	backtrace_print(&abi, regs->sepc, "ra", regs->x[1], regs->x[8]);
	backtrace_park_failed_cpu(&abi);
}

/* Per CPU: an illegal instruction is expected (arch/trap.h), and whether
 * one was taken. Only the CPU itself touches its entries. */
static bool trap_expected[KEEL_MAX_CPUS];
static bool trap_taken[KEEL_MAX_CPUS];

void riscv_trap_expect_begin(void)
{
	unsigned int cpu = arch_cpu_id();

	trap_taken[cpu] = false;
	WRITE_ONCE(trap_expected[cpu], true);
	__asm__ volatile("" ::: "memory");
}

bool riscv_trap_expect_end(void)
{
	unsigned int cpu = arch_cpu_id();

	__asm__ volatile("" ::: "memory");
	WRITE_ONCE(trap_expected[cpu], false);
	return trap_taken[cpu];
}

#define CAUSE_ILLEGAL_INSTRUCTION 2

void riscv_trap(struct riscv_regs *regs)
{
	unsigned int cpu = arch_cpu_id();

	if (regs->scause & SCAUSE_INTERRUPT) {
		irq_handle();
		return;
	}
	if (regs->scause == CAUSE_ILLEGAL_INSTRUCTION && cpu < KEEL_MAX_CPUS &&
	    trap_expected[cpu]) {
		/* The probed instruction is a 32-bit CSR access. */
		trap_expected[cpu] = false;
		trap_taken[cpu] = true;
		regs->sepc += 4;
		return;
	}
	report_fatal(regs);
}
