// SPDX-License-Identifier: GPL-2.0-only
/*
 * SBI DBCN (debug console) for guests: the guest's console, endpoint 0,
 * the one its UART serves (keel/guest_console.h). Its output is kept and
 * shown like the UART's, and its input is the UART's input queue: a
 * byte goes to whichever of the two reads it first.
 *
 * The buffers are guest-physical (base_addr_hi:base_addr_lo; on RV64 the
 * high half must be 0) and must be wholly guest RAM, else the call is
 * refused with SBI_ERR_INVALID_PARAM before anything is copied. A call
 * moves at most VSBI_DBCN_CHUNK bytes (the specification lets write and
 * read be partial and report the count), so one call's work is bounded.
 */
#include <keel/guest.h>
#include <keel/vcpu.h>
#include "../include/arch/vsbi.h"
#include "sbi_defs.h"

#define VSBI_DBCN_CHUNK 256

/* The buffer [lo, lo+len) of a DBCN call, or false when it is not RAM. */
static bool vsbi_dbcn_buffer(struct guest *g, uint64_t len, uint64_t lo, uint64_t hi)
{
	if (hi || lo + len < lo)
		return false;
	return !len || guest_range_is_ram(g, lo, len);
}

void vsbi_dbcn_call(struct vcpu *v, unsigned long fid, const uint64_t *a,
		    struct sbiret *ret)
{
	struct guest *g = v->guest;
	char buf[VSBI_DBCN_CHUNK];
	size_t n = a[0] < VSBI_DBCN_CHUNK ? (size_t)a[0] : VSBI_DBCN_CHUNK;
	char byte;

	switch (fid) {
	case SBI_DBCN_WRITE:
		if (!vsbi_dbcn_buffer(g, a[0], a[1], a[2]) ||
		    (n && guest_copy_from(g, buf, a[1], n))) {
			ret->error = SBI_ERR_INVALID_PARAM;
			return;
		}
		guest_console_output(g, buf, n);
		ret->value = (long)n;
		return;
	case SBI_DBCN_READ:
		if (!vsbi_dbcn_buffer(g, a[0], a[1], a[2])) {
			ret->error = SBI_ERR_INVALID_PARAM;
			return;
		}
		n = console_endpoint_read(&g->console, buf, n);
		if (n && guest_copy_to(g, a[1], buf, n)) {
			/* Checked above: RAM does not go away under a running
			 * guest. */
			ret->error = SBI_ERR_FAILED;
			return;
		}
		ret->value = (long)n;
		return;
	case SBI_DBCN_WRITE_BYTE:
		byte = (char)(uint8_t)a[0];
		guest_console_output(g, &byte, 1);
		return;
	default:
		ret->error = SBI_ERR_NOT_SUPPORTED;
		return;
	}
}
