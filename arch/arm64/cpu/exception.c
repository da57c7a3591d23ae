/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * EL2 exception handling: interrupts go to the IRQ layer; anything else
 * taken from Keel itself is a Keel bug, reported with a register dump, the
 * decoded syndrome and a backtrace before the CPU is parked.
 */
#include <keel/backtrace.h>
#include <keel/console.h>
#include <keel/irq.h>
#include <keel/log.h>
#include <keel/platform.h>
#include <arch/boot.h>
#include <arch/cpu.h>
#include <arch/esr.h>
#include <arch/regs.h>

extern char __image_start[], __text_start[], __text_end[];
extern uint8_t cpu_stacks[];

static const char *const vector_names[] = {
	"sync (EL2, SP0)", "IRQ (EL2, SP0)", "FIQ (EL2, SP0)", "SError (EL2, SP0)",
	"sync (EL2)", "IRQ (EL2)", "FIQ (EL2)", "SError (EL2)",
	"sync (lower EL, AArch64)", "IRQ (lower EL, AArch64)",
	"FIQ (lower EL, AArch64)", "SError (lower EL, AArch64)",
	"sync (lower EL, AArch32)", "IRQ (lower EL, AArch32)",
	"FIQ (lower EL, AArch32)", "SError (lower EL, AArch32)",
};


static struct backtrace_frame_abi frame_abi(void)
{
	/* AArch64 frames: x29 points at the record {caller's x29, x30}. */
	return (struct backtrace_frame_abi){
		.image_start = (uint64_t)(uintptr_t)__image_start,
		.text_start = (uint64_t)(uintptr_t)__text_start,
		.text_end = (uint64_t)(uintptr_t)__text_end,
		.stack_lo = (uint64_t)(uintptr_t)cpu_stacks,
		.stack_hi = (uint64_t)(uintptr_t)cpu_stacks +
			    (uint64_t)KEEL_MAX_CPUS * CONFIG_CPU_STACK_SIZE,
		.record_offset = 0,
		.record_align = 16,
	};
}

/* Offset inside keel.elf (linked at 0), for `addr2line -e keel.elf`. */
static uint64_t image_offset(uint64_t addr)
{
	return addr - (uint64_t)(uintptr_t)__image_start;
}

static void print_syndrome(const struct arm64_regs *regs)
{
	unsigned int ec = (unsigned int)ESR_EC(regs->esr);
	uint32_t iss = (uint32_t)ESR_ISS(regs->esr);

	kprintf("ESR_EL2 0x%08llx: class 0x%02x (%s), IL=%u, ISS 0x%07x\n",
		(unsigned long long)regs->esr, ec, arm64_esr_class_name(ec),
		(regs->esr & ESR_IL) ? 1 : 0, iss);
	if (ec == 0x20 || ec == 0x21 || ec == 0x24 || ec == 0x25) {
		bool data = ec == 0x24 || ec == 0x25;

		kprintf("  %s %s at address 0x%llx (FAR_EL2)%s\n",
			data ? ((iss & (1u << 6)) ? "write:" : "read:") : "fetch:",
			arm64_fault_status_name(iss & 0x3f),
			(unsigned long long)regs->far,
			(iss & (1u << 10)) ? " (FAR not valid)" : "");
	}
}

static void print_registers(const struct arm64_regs *regs)
{
	for (int i = 0; i < 30; i += 2)
		kprintf("  x%-2d 0x%016llx  x%-2d 0x%016llx\n", i,
			(unsigned long long)regs->x[i], i + 1,
			(unsigned long long)regs->x[i + 1]);
	kprintf("  x30 0x%016llx  sp  0x%016llx\n",
		(unsigned long long)regs->x[30], (unsigned long long)regs->sp);
	kprintf("  elr 0x%016llx  spsr 0x%08llx  (pc = keel.elf+0x%llx)\n",
		(unsigned long long)regs->elr, (unsigned long long)regs->spsr,
		(unsigned long long)image_offset(regs->elr));
}

static __noreturn void report_fatal(const struct arm64_regs *regs,
				    unsigned long vector)
{
	const struct backtrace_frame_abi abi = frame_abi();

	/* Polled from here on: this CPU parks with interrupts masked, and
	 * it may be the one that takes the console's transmit interrupt. */
	console_panic_flush("", 0);
	kprintf("\n*** Keel: unexpected exception on CPU %u: %s ***\n",
		arch_cpu_id(), vector < 16 ? vector_names[vector] : "?");
	print_syndrome(regs);
	print_registers(regs);
	backtrace_print(&abi, regs->elr, "lr", regs->x[30], regs->x[29]);
	backtrace_park_failed_cpu(&abi);
}

void arm64_exception(struct arm64_regs *regs, unsigned long vector)
{
	if (vector == VECTOR_CUR_SPX_IRQ) {
		irq_handle();
		return;
	}
	report_fatal(regs, vector);
}
