/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Why a vCPU stopped running guest code, decoded by the arch. Generic code
 * decides what happens; arch code only decodes and performs it.
 */
#ifndef KEEL_VM_EXIT_H
#define KEEL_VM_EXIT_H

#include <keel/types.h>

enum vm_exit_reason {
	VM_EXIT_IRQ,        /* a host interrupt arrived (handled after exit) */
	VM_EXIT_MMIO,       /* access to guest-physical space that is not RAM */
	VM_EXIT_HYPERCALL,  /* HVC / SMC (arm64), ECALL (riscv), VMMCALL (x86) */
	VM_EXIT_WFI,        /* the guest waits for an interrupt */
	VM_EXIT_SYSREG,     /* a system register access the arch did not serve */
	VM_EXIT_ABORT,      /* a fault Keel cannot serve: the guest is stopped */
	VM_EXIT_HANDLED,    /* the arch served the exit itself (timer sysreg) */
	VM_EXIT_RETRY,      /* the instruction behind the exit could not be
			     * read (its page went away since the trap) or
			     * is no longer the access that trapped: the
			     * guest resumes on it unchanged */
	VM_EXIT_REASON_COUNT
};

/* What touched guest-physical space that is not RAM. */
enum vm_exit_mmio_kind {
	VM_MMIO_ACCESS,           /* a load or store the arch decoded */
	VM_MMIO_FETCH,            /* an instruction fetch (no size, no register) */
	VM_MMIO_UNDECODED,        /* a load or store the arch cannot decode
				   * (arm64: no instruction syndrome) */
	VM_MMIO_TABLE_WALK,       /* the guest's own page-table walk (for a
				   * load, store or fetch) read there */
};

struct vm_exit_mmio {
	enum vm_exit_mmio_kind kind;
	bool walk_for_fetch;      /* TABLE_WALK: the walk was for a fetch */
	gpa_t addr;
	unsigned int size;        /* 1, 2, 4, 8 (VM_MMIO_ACCESS only) */
	bool write;               /* VM_MMIO_ACCESS and, if known, UNDECODED */
	bool sign_extend;         /* reads: sign-extend into the register */
	bool reg64;               /* reads: the target register is 64-bit */
	unsigned int reg;         /* guest register number */
	uint64_t data;            /* writes: the value written */
};

struct vm_exit_hypercall {
	bool smc;                 /* arm64: SMC rather than HVC */
	uint64_t args[8];         /* x0..x7 / a0..a7 */
};

struct vm_exit_sysreg {
	uint32_t encoding;        /* arch-specific encoding (arm64: ISS) */
	bool write;
	unsigned int reg;
	uint64_t data;            /* writes: the value */
};

struct vm_exit_abort {
	const char *what;         /* "instruction fetch outside guest memory" */
	uint64_t syndrome;        /* arch-specific (ESR_EL2) */
	gpa_t addr;               /* faulting guest-physical address, if any */
	uint64_t pc;              /* guest PC */
};

struct vm_exit {
	enum vm_exit_reason reason;
	union {
		struct vm_exit_mmio mmio;
		struct vm_exit_hypercall hypercall;
		struct vm_exit_sysreg sysreg;
		struct vm_exit_abort abort;
	};
};

/* "mmio", "hypercall", ... for `stats` and `vcpu list`. */
const char *vm_exit_reason_name(enum vm_exit_reason reason);

#endif
