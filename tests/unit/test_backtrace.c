/* SPDX-License-Identifier: GPL-2.0-only */
/* The frame-record walk of a fatal exception report. */
#include <keel/backtrace.h>
#include <string.h>
#include "unit.h"

static _Alignas(16) uint64_t stack[64];
static uint8_t image[0x1000];

static struct backtrace_frame_abi test_abi(int64_t record_offset, uint64_t align)
{
	return (struct backtrace_frame_abi){
		.image_start = (uint64_t)(uintptr_t)image,
		.text_start = (uint64_t)(uintptr_t)image + 0x100,
		.text_end = (uint64_t)(uintptr_t)image + 0x800,
		.stack_lo = (uint64_t)(uintptr_t)stack,
		.stack_hi = (uint64_t)(uintptr_t)(stack + 64),
		.record_offset = record_offset,
		.record_align = align,
	};
}

static uint64_t text(uint64_t off)
{
	return (uint64_t)(uintptr_t)image + off;
}

static uint64_t slot(unsigned int i)
{
	return (uint64_t)(uintptr_t)&stack[i];
}

TEST(backtrace_walks_records_at_the_frame_pointer)
{
	const struct backtrace_frame_abi abi = test_abi(0, 16);

	memset(stack, 0, sizeof(stack));
	/* Two records; the second's return address leaves the text. */
	stack[4] = slot(10);
	stack[5] = text(0x204);
	stack[10] = slot(20);
	stack[11] = text(0x304);
	stack[20] = slot(30);
	stack[21] = text(0x900);
	unit_console_clear();
	backtrace_print(&abi, text(0x120), "lr", text(0x1f0), slot(4));
	CHECK_STR_EQ(unit_console_text(),
		     "backtrace (keel.elf offsets; addr2line -e build/keel.elf <offset>):\n"
		     "  #0  0x120\n"
		     "  lr  0x1f0\n"
		     "  #1  0x200\n"
		     "  #2  0x300\n");
}

TEST(backtrace_walks_records_below_the_frame_pointer)
{
	const struct backtrace_frame_abi abi = test_abi(-16, 8);

	memset(stack, 0, sizeof(stack));
	/* s0 points just above its record; the link is outside text. */
	stack[4] = slot(9);
	stack[5] = text(0x404);
	stack[7] = slot(7);	/* a caller frame not above: the walk ends */
	stack[8] = text(0x504);
	unit_console_clear();
	backtrace_print(&abi, text(0x120), "ra", 0, slot(6));
	CHECK_STR_EQ(unit_console_text(),
		     "backtrace (keel.elf offsets; addr2line -e build/keel.elf <offset>):\n"
		     "  #0  0x120\n"
		     "  #1  0x400\n"
		     "  #2  0x500\n");
}

TEST(backtrace_never_reads_outside_the_stacks)
{
	const struct backtrace_frame_abi abi = test_abi(0, 8);

	memset(stack, 0, sizeof(stack));
	/* The last record would end 8 bytes past the stacks' top. */
	stack[60] = slot(63);
	stack[61] = text(0x204);
	unit_console_clear();
	backtrace_print(&abi, text(0x120), "lr", 0, slot(60));
	CHECK_STR_EQ(unit_console_text(),
		     "backtrace (keel.elf offsets; addr2line -e build/keel.elf <offset>):\n"
		     "  #0  0x120\n"
		     "  #1  0x200\n");
	/* A misaligned or low frame pointer stops at once. */
	unit_console_clear();
	backtrace_print(&abi, text(0x120), "lr", 0, slot(60) + 4);
	CHECK(strstr(unit_console_text(), "#1") == NULL);
	unit_console_clear();
	backtrace_print(&abi, text(0x120), "lr", 0, slot(0) - 16);
	CHECK(strstr(unit_console_text(), "#1") == NULL);
}
