/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Fuzzes the riscv64 MMIO instruction fetch and decode
 * (arch/riscv64/virt/insn_decode.c, built here as it is in Keel) with what
 * a guest controls: the instruction bytes at its pc and whether either
 * halfword read faults (its page went away between the trap and the
 * fetch).
 *
 * Input: byte 0 says which reads fault (bit 0: the first, bit 1: the
 * second); bytes 1..4 are the instruction as it lies in memory.
 *
 * What must hold: a fault is reported, never a decode of stale bytes; a
 * decoded access is 1, 2, 4 or 8 bytes with a register below 32 and a
 * length of 2 for compressed, 4 for full-size encodings; a refusal always
 * says why.
 */
#include <keel/errno.h>
#include <string.h>
#include "../../arch/riscv64/virt/insn_decode.c"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct fuzz_fetch {
	uint8_t bytes[4];
	uint8_t faults;
	unsigned int reads;
};

static int fuzz_read16(void *ctx, uint64_t va, uint16_t *out)
{
	struct fuzz_fetch *f = ctx;
	unsigned int n = f->reads++;

	if (n > 1 || va - 0x8000 != 2 * n)
		__builtin_trap();      /* more than two reads, or the wrong address */
	if (f->faults & (1u << n))
		return -KEEL_EFAULT;
	*out = (uint16_t)(f->bytes[2 * n] | f->bytes[2 * n + 1] << 8);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_fetch f = { .reads = 0 };
	struct riscv_mmio_insn d;
	const char *why = NULL;
	uint32_t insn = 0;
	int err;

	if (size < 5)
		return 0;
	f.faults = data[0];
	memcpy(f.bytes, data + 1, 4);
	err = riscv_insn_fetch(0x8000, fuzz_read16, &f, &insn);
	if (err) {
		if (err != -KEEL_EFAULT || !(f.faults & 3))
			__builtin_trap();
		return 0;
	}
	if (f.faults & 1)
		__builtin_trap();       /* the first read faulted, yet an instruction */
	if (riscv_insn_length((uint16_t)insn) == 2 ? f.reads != 1 || insn >> 16
						    : f.reads != 2)
		__builtin_trap();
	err = riscv_insn_decode_mmio(insn, &d, &why);
	if (err == 0) {
		if (d.len != riscv_insn_length((uint16_t)insn) || d.reg > 31 || d.base > 31 ||
		    d.offset < -2048 || d.offset > 2047 ||
		    (d.size != 1 && d.size != 2 && d.size != 4 && d.size != 8) ||
		    (d.write && d.sign_extend) || (d.size == 8 && d.sign_extend))
			__builtin_trap();
	} else if (!why || !*why || (err != -KEEL_EINVAL && err != -KEEL_ENOENT)) {
		__builtin_trap();
	}
	return 0;
}
