/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The arch-neutral end of a fatal exception report (keel/backtrace.h):
 * the frame-record walk and parking the CPU. Offsets are printed relative
 * to the image start, since keel.elf is linked at 0.
 */
#include <keel/backtrace.h>
#include <keel/log.h>
#include <keel/platform.h>
#include <arch/boot.h>
#include <arch/cpu.h>

static uint64_t backtrace_image_offset(const struct backtrace_frame_abi *abi,
				       uint64_t addr)
{
	return addr - abi->image_start;
}

static bool backtrace_in_text(const struct backtrace_frame_abi *abi, uint64_t addr)
{
	return addr >= abi->text_start && addr < abi->text_end;
}

void backtrace_print(const struct backtrace_frame_abi *abi, uint64_t pc,
		     const char *link_name, uint64_t link, uint64_t fp)
{
	kprintf("backtrace (keel.elf offsets; addr2line -e build/keel.elf <offset>):\n");
	kprintf("  #0  0x%llx\n", (unsigned long long)backtrace_image_offset(abi, pc));
	if (backtrace_in_text(abi, link))
		kprintf("  %-2s  0x%llx\n", link_name,
			(unsigned long long)backtrace_image_offset(abi, link));
	for (int depth = 1; depth < 32; depth++) {
		uint64_t rec = fp + (uint64_t)abi->record_offset;
		const uint64_t *record;

		/* The record must lie whole inside the stacks; the test is
		 * written so that no sum wraps. */
		if (rec < abi->stack_lo || rec > abi->stack_hi ||
		    abi->stack_hi - rec < 16 || (rec & (abi->record_align - 1)))
			break;
		record = (const uint64_t *)(uintptr_t)rec;
		if (!backtrace_in_text(abi, record[1]))
			break;
		kprintf("  #%-2d 0x%llx\n", depth,
			(unsigned long long)backtrace_image_offset(abi, record[1] - 4));
		if (record[0] <= fp)
			break;
		fp = record[0];
	}
}

__noreturn void backtrace_park_failed_cpu(const struct backtrace_frame_abi *abi)
{
	unsigned int cpu = arch_cpu_id();

	kprintf("CPU %u parked; Keel image loaded at 0x%llx.\n", cpu,
		(unsigned long long)abi->image_start);
	if (cpu < KEEL_MAX_CPUS)
		cpu_info[cpu].state = CPU_FAILED;
	arch_cpu_park();
}
