/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Reporting a Keel bug taken as an exception: the frame-pointer
 * backtrace and parking the failed CPU. The arch prints its registers and
 * syndrome; what is shared is walking the frame records and the offsets
 * printed for `addr2line -e keel.elf`.
 */
#ifndef KEEL_BACKTRACE_H
#define KEEL_BACKTRACE_H

#include <keel/types.h>

/* Where Keel's image and stacks lie (addresses) and how a frame record
 * sits: a record is two words {caller's frame pointer, return address}
 * at frame pointer + record_offset, aligned to record_align. */
struct backtrace_frame_abi {
	uint64_t image_start, text_start, text_end;
	uint64_t stack_lo, stack_hi;
	int64_t record_offset;
	uint64_t record_align;
};

/*
 * Prints the backtrace of the faulting pc: the pc, the link register
 * (named link_name) when it holds a text address, then up to 31 callers
 * read from the frame records starting at fp. Stops at the first record
 * outside the stacks, misaligned, not returning into text, or whose
 * caller frame is not above it (never reads outside [stack_lo, stack_hi)).
 */
void backtrace_print(const struct backtrace_frame_abi *abi, uint64_t pc,
		     const char *link_name, uint64_t link, uint64_t fp);

/* Prints where Keel is loaded, marks this CPU failed and parks it. */
__noreturn void backtrace_park_failed_cpu(const struct backtrace_frame_abi *abi);

#endif
