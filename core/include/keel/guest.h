/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Guests and their life cycle:
 *
 *   loaded -> created -> running <-> paused -> stopped -> destroyed
 *                 ^                               |
 *                 +------------- reset -----------+
 *
 * "loaded" is a validated guest node (struct guest_config); "created" has
 * RAM, stage-2 tables, vCPUs and devices; destroy frees all of it and
 * leaves the guest loaded, so it can be created again.
 */
#ifndef KEEL_GUEST_H
#define KEEL_GUEST_H

#include <keel/emu.h>
#include <keel/guest_config.h>
#include <keel/guest_console.h>
#include <keel/guest_throttle.h>
#include <keel/spinlock.h>
#include <keel/types.h>
#include <keel/vcpu.h>
#include <lib/list.h>
#include <lib/ringbuf.h>
#include <arch/vcpu.h>          /* struct arch_guest */

enum guest_state {
	GUEST_LOADED,
	GUEST_CREATED,
	GUEST_RUNNING,
	GUEST_PAUSED,
	GUEST_STOPPED,
};

/* Guest RAM is made of naturally aligned chunks from the page allocator. */
#define GUEST_MEM_CHUNK_ORDER 10        /* 4 MiB */
#define GUEST_MEM_CHUNK_SIZE (PAGE_SIZE << GUEST_MEM_CHUNK_ORDER)

struct guest_mem {
	gpa_t base;
	uint64_t size;
	unsigned int chunk_count;
	void **chunks;                   /* host memory of each chunk */
};

struct guest_device {
	const struct emulator *emulator;
	const struct guest_device_config *config;
	void *state;
};

struct guest {
	struct list_head node;           /* all guests, by load order */
	unsigned int id;
	const char *name;                /* config.name */
	struct guest_config config;
	enum guest_state state;
	char stop_reason[128];           /* why it stopped, for `guest list` */
	spinlock_t lock;
	bool reset_pending;              /* the guest asked for a reset */
	/* A pause, stop, reset or destroy gave up waiting for a vCPU to
	 * leave its host CPU; CPU 0's service work finishes it (destroy
	 * and reset then) once every vCPU has left. */
	bool leave_pending;
	bool destroy_pending;            /* destroy waits for leave_pending */
	bool restart_pending;            /* a reset waits for leave_pending */
	bool arch_ready;                 /* arch_guest_init() done */
	bool arch_platform_ready;        /* arch_guest_platform_create() done */

	struct guest_mem mem[GUEST_MAX_MEM];
	unsigned int mem_count;
	struct mmio_table mmio;
	struct guest_device devices[GUEST_MAX_DEVICES];
	unsigned int device_count;
	struct vcpu *vcpus[GUEST_MAX_VCPUS];
	unsigned int vcpu_count;
	gpa_t entry;                     /* where vCPU 0 starts */
	gpa_t dtb_gpa;                   /* what vCPU 0 gets as its argument */

	/* Console endpoints (keel/guest_console.h): console is endpoint 0,
	 * the UART's; devices such as virtio-console add theirs. */
	struct console_endpoint console;
	struct console_endpoint *consoles[GUEST_MAX_CONSOLES];
	unsigned int console_count;

	/* Statistics (exits by reason are summed over vCPUs). */
	uint64_t created_ns;
	uint64_t started_ns;
	uint64_t first_output_ns;        /* first console byte since start */
	uint64_t unhandled_mmio;
	uint64_t resets;                 /* resets the guest asked for */
	uint64_t last_reset_log_ns;
	uint64_t irq_window_start_ns;    /* interrupt-storm detection */
	uint64_t irq_window_count;
	uint64_t reset_not_before_ns;    /* a reset storm's restart waits */
	struct guest_throttle throttle;  /* budgets and what was throttled */

	struct arch_guest arch;
};

/* ---- lookups ---- */
struct guest *guest_find(const char *name);
/* Calls fn for every guest in load order. */
void guest_for_each(void (*fn)(struct guest *g, void *ctx), void *ctx);
const char *guest_state_name(enum guest_state state);
/* Whether g is still running for someone watching it from another CPU
 * (running, paused, created, or stopped only to restart). Once it says
 * false, g->stop_reason holds why: a guest stopping itself writes the
 * reason before the state. */
bool guest_is_live(const struct guest *g);

/* ---- life cycle (shell and boot; they wait for vCPUs to leave) ---- */
/* Loads every guest node under the /guests node of fdt (validated first,
 * all or nothing). Returns the number loaded or a negative error; err
 * gets the message. */
int guest_load_tree(const void *fdt, size_t size, char *err, size_t err_len);
int guest_create(struct guest *g, char *err, size_t err_len);
int guest_start(struct guest *g);
int guest_pause(struct guest *g);
int guest_resume(struct guest *g);
int guest_stop(struct guest *g, const char *reason);
int guest_reset(struct guest *g);
int guest_destroy(struct guest *g);
/* Forgets a loaded (not created) guest. */
int guest_unload(struct guest *g);

/* ---- from exit handlers (never wait) ---- */
/* Stops g from one of its own vCPUs or an emulator: no vCPU of g runs
 * again; reason is logged and shown by `guest list`. */
void guest_stop_async(struct guest *g, const char *fmt, ...) __printf(2, 3);
/* Resets g from one of its own vCPUs (PSCI SYSTEM_RESET). */
void guest_reset_async(struct guest *g);
/* Counts an interrupt the guest raised for itself; stops g as an
 * interrupt storm above config.max_irq_rate per second. */
void guest_count_self_irq(struct guest *g);

/* ---- guest memory ---- */
/* Host pointer for [gpa, gpa+len) when it lies inside one chunk of g's
 * RAM, else NULL. */
void *guest_gpa_to_hva(struct guest *g, gpa_t gpa, size_t len);
/* Copies to / from guest RAM across chunks; -KEEL_EFAULT when any byte
 * is outside g's RAM. */
int guest_copy_to(struct guest *g, gpa_t gpa, const void *src, size_t len);
/* guest_copy_to for what the guest finds at start (payload, device tree):
 * also made visible to a guest whose caches are still off. */
int guest_load_to(struct guest *g, gpa_t gpa, const void *src, size_t len);
int guest_copy_from(struct guest *g, void *dst, gpa_t gpa, size_t len);
/* True when [gpa, gpa+len) is wholly guest RAM. */
bool guest_range_is_ram(struct guest *g, gpa_t gpa, uint64_t len);

/* ---- console endpoint 0 (the emulated UART's other end) ---- */
/* Each as the console_endpoint_*() call on g->console. */
/* Guest output: kept in the buffer, and written to the host console
 * when attached. */
void guest_console_output(struct guest *g, const char *text, size_t len);
/* Host input for the guest's UART; returns bytes accepted. */
size_t guest_console_input(struct guest *g, const char *text, size_t len);
/* The UART takes the next input byte; -1 when none. */
int guest_console_getc(struct guest *g);
bool guest_console_input_pending(struct guest *g);
/* The shell's `console`: output unseen so far is replayed (when replay),
 * then output goes to the host console as it comes until detach. */
void guest_console_attach(struct guest *g, bool replay);
/* Detaches every endpoint of g. */
void guest_console_detach(struct guest *g);

/* ---- hooks each arch implements (arch/<arch>/virt) ---- */
/* Stage-2 tables and VMID (arch/<arch>/mmu/stage2.c). */
int arch_guest_init(struct guest *g);
void arch_guest_destroy(struct guest *g);
/* Maps [gpa, gpa+size) to host RAM at hpa, read/write/execute; both page
 * aligned. Uses block mappings where alignment allows. */
int arch_stage2_map(struct guest *g, gpa_t gpa, hpa_t hpa, uint64_t size);
/* Removes the mapping and invalidates the guest's TLB entries. */
void arch_stage2_unmap(struct guest *g, gpa_t gpa, uint64_t size);
/* Keel wrote [hva, hva+len) of guest RAM (zeroed it, loaded a payload):
 * afterwards a guest running with its caches off reads what Keel wrote,
 * not what the memory held before (arm64: cleaned to the point of
 * coherency). */
void arch_guest_memory_written(void *hva, size_t len);
/* Creates the platform devices every guest has (interrupt controller),
 * adding their regions to g->mmio; after the vCPUs exist. */
int arch_guest_platform_create(struct guest *g);
void arch_guest_platform_reset(struct guest *g);
void arch_guest_platform_destroy(struct guest *g);
/* Sets device interrupt line irq (see struct guest_platform) of g's
 * interrupt controller. */
void arch_guest_set_irq_level(struct guest *g, unsigned int irq, bool level);
/* Handles a hypercall exit (PSCI / SBI); completes it on v. */
void arch_guest_hypercall(struct vcpu *v, const struct vm_exit *exit);
/* Handles a system-register exit the arch could not serve inside
 * arch_vcpu_run (e.g. SGI generation); completes it on v. */
void arch_guest_sysreg(struct vcpu *v, const struct vm_exit *exit);
/* Stops / restarts the guest's virtual clock (pause/resume). */
void arch_guest_time_stop(struct guest *g);
void arch_guest_time_start(struct guest *g);

#endif
