/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The host fake's CPU virtualization: no guest code ever runs. Guest
 * memory is plain host memory, "running" a vCPU returns the exit a test
 * queued with host_vcpu_next_exit(), and everything injected is recorded
 * in struct arch_vcpu / struct arch_guest for tests to check.
 */
#include <keel/errno.h>
#include <keel/guest.h>
#include <keel/log.h>
#include <keel/vcpu.h>
#include <string.h>

/* Host fake only: the next exit arch_vcpu_run() returns (WFI by default). */
static struct vm_exit host_next_exit = { .reason = VM_EXIT_WFI };
static unsigned int host_kicks[8];
static void (*host_run_hook)(struct vcpu *v);

void host_vcpu_next_exit(const struct vm_exit *exit);
unsigned int host_kick_count(unsigned int cpu);
void host_vcpu_next_exit(const struct vm_exit *exit)
{
	host_next_exit = *exit;
}

unsigned int host_kick_count(unsigned int cpu)
{
	return cpu < 8 ? __atomic_load_n(&host_kicks[cpu], __ATOMIC_RELAXED) : 0;
}

void host_vcpu_set_run_hook(void (*hook)(struct vcpu *v))
{
	__atomic_store_n(&host_run_hook, hook, __ATOMIC_RELEASE);
}

void arch_virt_cpu_init(void)
{
}

int arch_vcpu_init(struct vcpu *v)
{
	memset(&v->arch, 0, sizeof(v->arch));
	return 0;
}

void arch_vcpu_reset(struct vcpu *v, gpa_t entry, uint64_t arg)
{
	memset(&v->arch, 0, sizeof(v->arch));
	v->arch.pc = entry;
	v->arch.entry = entry;
	v->arch.regs[0] = arg;
}

void arch_vcpu_destroy(struct vcpu *v)
{
}

void arch_vcpu_run(struct vcpu *v, struct vm_exit *exit)
{
	void (*hook)(struct vcpu *v) = __atomic_load_n(&host_run_hook, __ATOMIC_ACQUIRE);

	__atomic_fetch_add(&v->entries, 1, __ATOMIC_RELAXED);
	if (hook)
		hook(v);
	*exit = host_next_exit;
}

void arch_vcpu_complete_mmio(struct vcpu *v, const struct vm_exit *exit,
			     uint64_t value)
{
	if (exit->mmio.kind != VM_MMIO_ACCESS) {
		/* A fetch or walk read as zero, or (never asked) an undecoded
		 * access. */
		v->arch.zero_fetches++;
		return;
	}
	if (!exit->mmio.write && exit->mmio.reg < 31)
		v->arch.regs[exit->mmio.reg] = value;
	v->arch.pc += 4;
}

void arch_vcpu_complete_hypercall(struct vcpu *v, const uint64_t ret[4])
{
	memcpy(v->arch.regs, ret, 4 * sizeof(ret[0]));
}

void arch_vcpu_skip_instruction(struct vcpu *v)
{
	v->arch.pc += 4;
}

void arch_vcpu_inject_abort(struct vcpu *v, gpa_t addr, bool data)
{
	v->arch.aborts_injected++;
	if (!data)
		v->arch.prefetch_aborts_injected++;
	v->arch.last_abort_addr = addr;
}

void arch_vcpu_inject_undef(struct vcpu *v)
{
	v->arch.undefs_injected++;
}

bool arch_vcpu_irq_pending(struct vcpu *v)
{
	/* Tests set it from another thread, as an injection would. */
	return __atomic_load_n(&v->arch.irq_pending, __ATOMIC_SEQ_CST);
}

uint64_t arch_vcpu_timer_deadline_ns(struct vcpu *v)
{
	return v->arch.timer_deadline_ns;
}

void arch_vcpu_dump(struct vcpu *v)
{
	kprintf("  pc 0x%llx\n", (unsigned long long)v->arch.pc);
}

uint64_t arch_vcpu_hwid(const struct vcpu *v)
{
	return v->id;
}

void arch_kick_cpu(unsigned int cpu)
{
	if (cpu < 8)
		__atomic_fetch_add(&host_kicks[cpu], 1, __ATOMIC_RELAXED);
}

int arch_guest_init(struct guest *g)
{
	memset(&g->arch, 0, sizeof(g->arch));
	g->arch.stage2_ready = true;
	return 0;
}

void arch_guest_destroy(struct guest *g)
{
	g->arch.stage2_ready = false;
}

/* Host fake only: the ranges arch_guest_memory_written() was given, the
 * latest HOST_WRITTEN_LOG of them, and their total length. */
#define HOST_WRITTEN_LOG 64
static struct { const void *hva; size_t len; } host_written[HOST_WRITTEN_LOG];
static unsigned int host_written_count;
static uint64_t host_written_bytes;

bool host_memory_written(const void *hva, size_t len);
uint64_t host_memory_written_bytes(void);
void arch_guest_memory_written(void *hva, size_t len)
{
	unsigned int slot = host_written_count++ % HOST_WRITTEN_LOG;

	host_written[slot].hva = hva;
	host_written[slot].len = len;
	host_written_bytes += len;
}

/* Whether exactly [hva, hva+len) was reported lately. */
bool host_memory_written(const void *hva, size_t len)
{
	for (unsigned int i = 0; i < HOST_WRITTEN_LOG; i++)
		if (host_written[i].hva == hva && host_written[i].len == len)
			return true;
	return false;
}

uint64_t host_memory_written_bytes(void)
{
	return host_written_bytes;
}

int arch_stage2_map(struct guest *g, gpa_t gpa, hpa_t hpa, uint64_t size)
{
	g->arch.mapped_bytes += size;
	return 0;
}

void arch_stage2_unmap(struct guest *g, gpa_t gpa, uint64_t size)
{
	g->arch.mapped_bytes -= size;
}

int arch_guest_platform_create(struct guest *g)
{
	g->arch.platform_created = true;
	return 0;
}

void arch_guest_platform_reset(struct guest *g)
{
	memset(g->arch.irq_level, 0, sizeof(g->arch.irq_level));
}

void arch_guest_platform_destroy(struct guest *g)
{
	g->arch.platform_created = false;
}

void arch_guest_set_irq_level(struct guest *g, unsigned int irq, bool level)
{
	if (irq < ARRAY_SIZE(g->arch.irq_level))
		g->arch.irq_level[irq] = level;
	g->arch.irq_level_changes++;
}

void arch_guest_hypercall(struct vcpu *v, const struct vm_exit *exit)
{
	uint64_t ret[4] = { (uint64_t)-1, 0, 0, 0 };

	arch_vcpu_complete_hypercall(v, ret);
}

void arch_guest_sysreg(struct vcpu *v, const struct vm_exit *exit)
{
	arch_vcpu_inject_undef(v);
}

void arch_guest_time_stop(struct guest *g)
{
	g->arch.time_stopped = true;
}

void arch_guest_time_start(struct guest *g)
{
	g->arch.time_stopped = false;
}

/* No guest nodes are built into the unit-test binary. */
const uint8_t keel_builtin_guests[8];
const uint64_t keel_builtin_guests_size;
