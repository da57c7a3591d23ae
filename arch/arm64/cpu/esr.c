/* SPDX-License-Identifier: GPL-2.0-only */
/* Names for exception syndromes, shared by Keel's own fault reports and
 * the reports of guests stopped on a fault. */
#include <arch/esr.h>

const char *arm64_esr_class_name(unsigned int ec)
{
	switch (ec) {
	case 0x00: return "unknown reason";
	case 0x01: return "WFI/WFE";
	case 0x07: return "FP/SIMD access";
	case 0x09: return "pointer authentication (not virtualized)";
	case 0x0e: return "illegal execution state";
	case 0x15: return "SVC";
	case 0x16: return "HVC";
	case 0x17: return "SMC";
	case 0x18: return "system register access";
	case 0x19: return "SVE access (not virtualized)";
	case 0x1d: return "SME access (not virtualized)";
	case 0x20: return "instruction abort from a lower EL";
	case 0x21: return "instruction abort";
	case 0x22: return "PC alignment fault";
	case 0x24: return "data abort from a lower EL";
	case 0x25: return "data abort";
	case 0x26: return "SP alignment fault";
	case 0x2f: return "SError";
	case 0x30: return "breakpoint";
	case 0x32: return "software step";
	case 0x34: return "watchpoint";
	case 0x3c: return "BRK instruction";
	default: return "other";
	}
}

const char *arm64_fault_status_name(unsigned int fsc)
{
	switch (fsc & 0x3c) {
	case 0x00: return "address size fault";
	case 0x04: return "translation fault";
	case 0x08: return "access flag fault";
	case 0x0c: return "permission fault";
	case 0x10: return fsc == 0x10 ? "synchronous external abort" :
			  "synchronous external abort on a table walk";
	case 0x20: return fsc == 0x21 ? "alignment fault" : "fault";
	case 0x30: return fsc == 0x30 ? "TLB conflict abort" : "fault";
	default: return "fault";
	}
}
