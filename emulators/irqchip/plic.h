/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The emulated RISC-V PLIC a guest sees, laid out as QEMU's "virt" machine
 * lays out its own (the RISC-V PLIC specification 1.0.0):
 *
 *   0x000000 + 4 * id          priority of source id (1..ndev; 0 reserved)
 *   0x001000 + 4 * word        pending bits, read-only
 *   0x002000 + 0x80 * ctx      enable bits of context ctx
 *   0x200000 + 0x1000 * ctx    threshold (+0), claim/complete (+4)
 *
 * Contexts: two per vCPU as on QEMU virt, M-level then S-level, so
 * context 2n is vCPU n's M context and 2n + 1 its S context. A guest runs
 * in VS-mode and its S context is what drives vCPU n's (virtual
 * supervisor) external interrupt; the M contexts keep their registers
 * but drive nothing, since no guest code runs in M-mode. The guest device
 * tree lists both per hart in "interrupts-extended" (<&intc_n 11>,
 * <&intc_n 9>), as QEMU does: Linux serves the contexts whose entry is 9
 * and skips the others, and software that hard-codes QEMU's context
 * numbers finds the same ones here.
 *
 * Sources are level-sensitive unless plic_set_edge() says otherwise. A
 * level source's pending bit follows its line until it is claimed (as on
 * QEMU's PLIC: a device that withdraws its request is not delivered); a
 * claimed source raises no new request until the context that claimed it
 * completes it; then a level source whose line is still high, or an edge
 * source that saw an edge in between, is pending again.
 *
 * Registers are 32 bits wide: any other width or a misaligned access is
 * refused (-KEEL_EINVAL, the guest's MMIO policy applies); aligned 32-bit
 * accesses to offsets that hold no register read as zero and ignore
 * writes.
 */
#ifndef EMULATORS_IRQCHIP_PLIC_H
#define EMULATORS_IRQCHIP_PLIC_H

#include <keel/types.h>

struct guest;

#define PLIC_PRIORITY_BASE 0x0ULL
#define PLIC_PENDING_BASE 0x1000ULL
#define PLIC_ENABLE_BASE 0x2000ULL
#define PLIC_ENABLE_STRIDE 0x80ULL
#define PLIC_CONTEXT_BASE 0x200000ULL
#define PLIC_CONTEXT_STRIDE 0x1000ULL
#define PLIC_CONTEXT_THRESHOLD 0x0ULL
#define PLIC_CONTEXT_CLAIM 0x4ULL

#define PLIC_MAX_SOURCES 1023          /* ids 1..1023 */
#define PLIC_PRIORITY_MAX 7            /* 3 priority bits, as QEMU virt */
#define PLIC_CONTEXTS_PER_VCPU 2       /* M, then S */
/* The S-level context of vCPU n: the one that drives its interrupt. */
#define PLIC_S_CONTEXT(n) ((n) * PLIC_CONTEXTS_PER_VCPU + 1)
/* The register space for vcpus vCPUs' contexts. */
#define PLIC_SIZE(vcpus) \
	(PLIC_CONTEXT_BASE + PLIC_CONTEXT_STRIDE * PLIC_CONTEXTS_PER_VCPU * (vcpus))

/*
 * How the PLIC tells the arch that vCPU vcpu_id's external interrupt
 * became pending or not pending (riscv64: hvip.VSEIP). Called with the
 * PLIC's lock held, in the order the changes happen, so the last call is
 * the truth: it must only record the level (a store, an atomic bit) and
 * take no lock and wait for nothing. The PLIC kicks the vCPU itself, after
 * releasing its lock, when its interrupt becomes pending.
 */
struct plic_notify {
	void (*set_external)(void *arg, unsigned int vcpu_id, bool pending);
	void *arg;
};

struct plic;

/*
 * Creates the PLIC of guest g at guest-physical base for vcpu_count vCPUs
 * (1..GUEST_MAX_VCPUS) and sources 1..source_count (at most
 * PLIC_MAX_SOURCES) in its power-on state, and adds its region
 * (PLIC_SIZE(vcpu_count) bytes) to g->mmio. notify may be NULL (nothing
 * to tell; plic_vcpu_pending() still answers). NULL on failure (logged),
 * with nothing left in g->mmio.
 */
struct plic *plic_create(struct guest *g, gpa_t base, unsigned int vcpu_count,
			 unsigned int source_count, const struct plic_notify *notify);
/* Removes the region from g->mmio (if still there) and frees plic. */
void plic_destroy(struct plic *plic);
/* Power-on state: priorities, enables and thresholds 0, nothing claimed;
 * a level source whose line is high is pending. Triggers and lines stay
 * (they belong to the platform and the devices). */
void plic_reset(struct plic *plic);

/* Makes source edge-triggered (a rising edge of its line is one request)
 * or level-sensitive (the default). Out-of-range sources are ignored. */
void plic_set_edge(struct plic *plic, unsigned int source, bool edge);
/* Drives the line of source (1..source_count; others are ignored), from
 * any CPU. */
void plic_set_level(struct plic *plic, unsigned int source, bool level);

/* True when vCPU vcpu_id's S context has a deliverable interrupt (pending,
 * enabled, priority above its threshold): a WFI ends. */
bool plic_vcpu_pending(struct plic *plic, unsigned int vcpu_id);

#endif
