/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Guests on the host fake arch: loading nodes, creating (RAM, payload,
 * device tree), the life cycle, memory returned on destroy, the PL011
 * console through MMIO exits, the unhandled-MMIO policies, storms.
 */
#include <keel/errno.h>
#include <keel/guest.h>
#include <keel/sched.h>
#include <keel/time.h>
#include <keel/vcpu_exit.h>
#include <arch/cpu.h>
#include <libfdt.h>
#include <stdlib.h>
#include <string.h>
#include "guest_fixture.h"
#include "unit.h"

#define KERNEL_SIZE 20000
#define INITRD_SIZE 70000

static struct fixture_archive archive;
static uint8_t kernel[KERNEL_SIZE], initrd[INITRD_SIZE];
static char *guests_dtb;
static size_t guests_dtb_len;

/* Mounts an image fs with a kernel, an initrd and the guest nodes, and
 * loads them once. */
static bool setup(void)
{
	/* Hostile payloads: bigger than a guest's RAM, and an arm64 Image
	 * header whose text_offset points past all of it. */
	static uint8_t huge[3 << 20], bad_header[4096];
	static bool done;

	if (done)
		return true;
	if (!fixture_read_file(UNIT_DATA_DIR "/guests.dtb", &guests_dtb, &guests_dtb_len))
		return false;
	for (size_t i = 0; i < KERNEL_SIZE; i++)
		kernel[i] = (uint8_t)(i * 7);
	for (size_t i = 0; i < INITRD_SIZE; i++)
		initrd[i] = (uint8_t)(i * 13);
	memcpy(bad_header + 56, "ARM\x64", 4);
	bad_header[8 + 3] = 0x40;          /* text_offset 1 GiB */
	bad_header[16] = 0x10;             /* image_size 16 bytes */
	fixture_archive_add(&archive, "guests", 0040755, NULL, 0);
	fixture_archive_add(&archive, "guests/kernel.bin", 0100644, kernel, KERNEL_SIZE);
	fixture_archive_add(&archive, "guests/initrd.bin", 0100644, initrd, INITRD_SIZE);
	fixture_archive_add(&archive, "guests/unit.dtb", 0100644, guests_dtb, guests_dtb_len);
	fixture_archive_add(&archive, "guests/huge.bin", 0100644, huge, sizeof(huge));
	fixture_archive_add(&archive, "guests/bad-header.bin", 0100644, bad_header,
			    sizeof(bad_header));
	if (!fixture_archive_mount(&archive))
		return false;
	done = fixture_load_guests(guests_dtb, guests_dtb_len, 3);
	return done;
}

TEST(guest_load_refuses_a_second_copy_and_bad_trees)
{
	char err[GUEST_ERROR_MAX];
	static const char junk[64] = "not a device tree";

	REQUIRE(setup());
	CHECK_EQ(guest_load_tree(guests_dtb, guests_dtb_len, err, sizeof(err)), -KEEL_EEXIST);
	CHECK(strstr(err, "guest unit0: a guest of that name is already loaded") != NULL);
	CHECK_EQ(guest_load_tree(junk, sizeof(junk), err, sizeof(err)), -KEEL_EINVAL);
	CHECK(strstr(err, "not a valid device tree") != NULL);
	CHECK(guest_find("unit0") && guest_find("unit1") && guest_find("unit2"));
	CHECK(guest_find("unit3") == NULL);
}

TEST(guest_create_loads_payload_and_device_tree_and_destroy_frees_all)
{
	struct guest *g;
	char err[GUEST_ERROR_MAX];
	uint64_t pages0, allocs0;
	uint8_t buf[KERNEL_SIZE];
	const void *fdt;
	const fdt64_t *start, *end;

	REQUIRE(setup());
	g = guest_find("unit0");
	pages0 = fixture_free_pages();
	allocs0 = fixture_live_allocations();
	for (int round = 0; round < 3; round++) {
		REQUIRE(guest_create(g, err, sizeof(err)) == 0);
		CHECK_EQ(g->state, GUEST_CREATED);
		CHECK_EQ(g->vcpu_count, 2);
		CHECK_EQ(g->mem_count, 2);
		CHECK_EQ(g->arch.mapped_bytes, 0x600000 + 0x10000);
		/* Raw kernel at the start of RAM, the generated DTB at the top
		 * of the first region, the initrd right below it. */
		CHECK_EQ(g->entry, 0x40000000);
		REQUIRE(guest_copy_from(g, buf, g->entry, KERNEL_SIZE) == 0);
		CHECK(memcmp(buf, kernel, KERNEL_SIZE) == 0);
		CHECK_EQ(g->dtb_gpa, 0x40600000 - 0x10000);
		fdt = guest_gpa_to_hva(g, g->dtb_gpa, 0x10000);
		REQUIRE(fdt && fdt_check_header(fdt) == 0);
		start = fdt_getprop(fdt, fdt_path_offset(fdt, "/chosen"), "linux,initrd-start", NULL);
		end = fdt_getprop(fdt, fdt_path_offset(fdt, "/chosen"), "linux,initrd-end", NULL);
		REQUIRE(start && end);
		CHECK_EQ(fdt64_ld(end) - fdt64_ld(start), INITRD_SIZE);
		CHECK(fdt64_ld(end) <= g->dtb_gpa);
		CHECK(guest_copy_from(g, buf, fdt64_ld(start), 1000) == 0 &&
		      memcmp(buf, initrd, 1000) == 0);
		/* Copies are bounded by RAM, across chunks and regions. */
		CHECK(guest_range_is_ram(g, 0x40000000, 0x600000));
		CHECK(!guest_range_is_ram(g, 0x40000000, 0x600001));
		CHECK(guest_copy_to(g, 0x405ffff0, buf, 32) == -KEEL_EFAULT);
		CHECK(guest_copy_to(g, 0x403ffff0, buf, 32) == 0);   /* across a chunk */
		CHECK(guest_gpa_to_hva(g, 0x403ffff0, 32) == NULL);   /* not one piece */
		CHECK(guest_gpa_to_hva(g, 0x100000000ULL, 0x10000) != NULL);
		CHECK(guest_gpa_to_hva(g, 0x100000000ULL, 0x10001) == NULL);
		CHECK(guest_gpa_to_hva(g, ~0ULL, 1) == NULL);

		CHECK_EQ(guest_start(g), 0);
		CHECK_EQ(g->vcpus[0]->power, VCPU_POWER_ON);
		CHECK_EQ(g->vcpus[1]->power, VCPU_POWER_OFF);
		CHECK_EQ(g->vcpus[0]->arch.regs[0], g->dtb_gpa);
		CHECK_EQ(guest_pause(g), 0);
		CHECK(g->arch.time_stopped);
		CHECK_EQ(guest_pause(g), -KEEL_EBUSY);
		CHECK_EQ(guest_resume(g), 0);
		CHECK(!g->arch.time_stopped);
		CHECK_EQ(guest_stop(g, "test"), 0);
		CHECK_STR_EQ(g->stop_reason, "test");
		CHECK_EQ(guest_destroy(g), 0);
		CHECK_EQ(g->state, GUEST_LOADED);
		CHECK_EQ(fixture_free_pages(), pages0);
		CHECK_EQ(fixture_live_allocations(), allocs0);
	}
	CHECK_EQ(guest_start(g), -KEEL_ENOENT);
}

TEST(guest_kernel_addr_and_missing_files)
{
	struct guest *g;
	char err[GUEST_ERROR_MAX];

	REQUIRE(setup());
	g = guest_find("unit1");
	REQUIRE(guest_create(g, err, sizeof(err)) == 0);
	CHECK_EQ(g->entry, 0x40100000);
	CHECK_EQ(guest_destroy(g), 0);
	/* A kernel that is not there: refused, nothing left allocated. */
	strcpy(g->config.boot.kernel, "/guests/missing.bin");
	CHECK(guest_create(g, err, sizeof(err)) != 0);
	CHECK(strstr(err, "guest unit1: node /guests/unit1/boot: kernel \"/guests/missing.bin\" does not exist") != NULL);
	CHECK_EQ(g->state, GUEST_LOADED);
	CHECK_EQ(g->mem_count, 0);
	/* A kernel bigger than the guest's RAM, and a lying Image header:
	 * refused with the reason, nothing left allocated. */
	strcpy(g->config.boot.kernel, "/guests/huge.bin");
	CHECK(guest_create(g, err, sizeof(err)) != 0);
	CHECK(strstr(err, "guest unit1: kernel /guests/huge.bin (3145728 bytes to reserve) does not fit in guest RAM at 0x40100000") != NULL);
	CHECK_EQ(g->mem_count, 0);
	strcpy(g->config.boot.kernel, "/guests/bad-header.bin");
	g->config.boot.has_kernel_addr = false;
	CHECK(guest_create(g, err, sizeof(err)) != 0);
	CHECK(strstr(err, "guest unit1: kernel /guests/bad-header.bin has a malformed image header") != NULL);
	CHECK_EQ(g->state, GUEST_LOADED);
	g->config.boot.has_kernel_addr = true;
	strcpy(g->config.boot.kernel, "/guests/kernel.bin");
}

static struct vm_exit mmio(gpa_t addr, unsigned int size, bool write, uint64_t data)
{
	return (struct vm_exit){ .reason = VM_EXIT_MMIO,
		.mmio = { .addr = addr, .size = size, .write = write, .data = data, .reg = 3 } };
}

TEST(guest_pl011_console_through_mmio_exits)
{
	struct guest *g;
	struct vcpu *v;
	char err[GUEST_ERROR_MAX], out[16];
	struct vm_exit e;

	REQUIRE(setup());
	g = guest_find("unit0");
	REQUIRE(guest_create(g, err, sizeof(err)) == 0);
	REQUIRE(guest_start(g) == 0);
	v = g->vcpus[0];
	/* Identification, then "hi" written, then read back from the buffer. */
	e = mmio(0x09000fe0, 4, false, 0);
	vcpu_handle_exit(v, &e);
	CHECK_EQ(v->arch.regs[3], 0x11);
	e = mmio(0x09000000, 4, true, 'h');
	vcpu_handle_exit(v, &e);
	e = mmio(0x09000000, 1, true, 'i');
	vcpu_handle_exit(v, &e);
	CHECK_EQ(ringbuf_peek(&g->console.out, out, sizeof(out)), 2);
	CHECK(memcmp(out, "hi", 2) == 0);
	CHECK_EQ(v->exits[VM_EXIT_MMIO], 3);
	/* Input raises the RX interrupt once unmasked, and reading drains it. */
	e = mmio(0x09000038, 4, true, 1u << 4);        /* IMSC: RX */
	vcpu_handle_exit(v, &e);
	CHECK(!g->arch.irq_level[1]);
	CHECK_EQ(guest_console_input(g, "ok", 2), 2);
	CHECK(g->arch.irq_level[1]);
	e = mmio(0x09000018, 4, false, 0);             /* FR: RX not empty */
	vcpu_handle_exit(v, &e);
	CHECK_EQ(v->arch.regs[3] & (1u << 4), 0);
	e = mmio(0x09000000, 4, false, 0);
	vcpu_handle_exit(v, &e);
	CHECK_EQ(v->arch.regs[3], 'o');
	e = mmio(0x09000000, 4, false, 0);
	vcpu_handle_exit(v, &e);
	CHECK_EQ(v->arch.regs[3], 'k');
	CHECK(!g->arch.irq_level[1]);
	/* A width the UART refuses, and nothing at all: external aborts. */
	e = mmio(0x09000018, 8, false, 0);
	vcpu_handle_exit(v, &e);
	e = mmio(0x20000000, 4, false, 0);
	vcpu_handle_exit(v, &e);
	e = mmio(0x09000ffe, 4, false, 0);             /* crosses the end */
	vcpu_handle_exit(v, &e);
	CHECK_EQ(v->arch.aborts_injected, 3);
	CHECK_EQ(g->unhandled_mmio, 3);
	CHECK_EQ(g->state, GUEST_RUNNING);
	CHECK_EQ(guest_destroy(g), 0);
}

/* An exit whose instruction the arch could not read (its page went away)
 * is counted as "retry" in `stats` and leaves the vCPU as it was: no
 * register written, no abort, the guest running. */
TEST(guest_retry_exit_counted_and_changes_nothing)
{
	struct guest *g;
	struct vcpu *v;
	char err[GUEST_ERROR_MAX];
	struct vm_exit e = { .reason = VM_EXIT_RETRY };

	REQUIRE(setup());
	g = guest_find("unit0");
	REQUIRE(guest_create(g, err, sizeof(err)) == 0);
	REQUIRE(guest_start(g) == 0);
	v = g->vcpus[0];
	v->arch.regs[3] = 0x1234;
	vcpu_handle_exit(v, &e);
	vcpu_handle_exit(v, &e);
	CHECK_EQ(v->exits[VM_EXIT_RETRY], 2);
	CHECK_EQ(v->arch.regs[3], 0x1234);
	CHECK_EQ(v->arch.aborts_injected, 0);
	CHECK_EQ(g->unhandled_mmio, 0);
	CHECK_EQ(g->state, GUEST_RUNNING);
	CHECK(strcmp(vm_exit_reason_name(VM_EXIT_RETRY), "retry") == 0);
	CHECK_EQ(guest_destroy(g), 0);
}

TEST(guest_mmio_policies_ignore_and_stop)
{
	struct guest *g1, *g2;
	char err[GUEST_ERROR_MAX];
	struct vm_exit e = mmio(0x20000000, 4, false, 0);

	REQUIRE(setup());
	g1 = guest_find("unit1");
	g2 = guest_find("unit2");
	REQUIRE(guest_create(g1, err, sizeof(err)) == 0 && guest_start(g1) == 0);
	REQUIRE(guest_create(g2, err, sizeof(err)) == 0 && guest_start(g2) == 0);
	g1->vcpus[0]->arch.regs[3] = 0x1234;
	vcpu_handle_exit(g1->vcpus[0], &e);
	CHECK_EQ(g1->vcpus[0]->arch.regs[3], 0);       /* read as zero */
	CHECK_EQ(g1->vcpus[0]->arch.aborts_injected, 0);
	CHECK_EQ(g1->state, GUEST_RUNNING);
	vcpu_handle_exit(g2->vcpus[0], &e);
	CHECK_EQ(g2->state, GUEST_STOPPED);
	CHECK(strstr(g2->stop_reason, "4-byte read at 0x20000000: no device there") != NULL);
	CHECK_EQ(g1->state, GUEST_RUNNING);            /* the other guest runs on */
	CHECK_EQ(guest_destroy(g1), 0);
	CHECK_EQ(guest_destroy(g2), 0);
}

/* An instruction fetch outside RAM, and a load/store the arch could not
 * decode, as the arch reports them. */
static struct vm_exit unusual_mmio(enum vm_exit_mmio_kind kind, gpa_t addr)
{
	return (struct vm_exit){ .reason = VM_EXIT_MMIO,
		.mmio = { .kind = kind, .addr = addr } };
}

TEST(guest_fetches_and_undecoded_accesses_follow_the_mmio_policy)
{
	struct guest *g0, *g1, *g2;
	char err[GUEST_ERROR_MAX];
	struct vm_exit fetch = unusual_mmio(VM_MMIO_FETCH, 0x20000000);
	struct vm_exit fetch_device = unusual_mmio(VM_MMIO_FETCH, 0x09000010);
	struct vm_exit undecoded = unusual_mmio(VM_MMIO_UNDECODED, 0x09000000);
	struct vm_exit walk = unusual_mmio(VM_MMIO_TABLE_WALK, 0x20001000);
	struct vm_exit fetch_walk = unusual_mmio(VM_MMIO_TABLE_WALK, 0x20002000);
	struct vcpu *v0, *v1;

	REQUIRE(setup());
	g0 = guest_find("unit0");
	g1 = guest_find("unit1");
	g2 = guest_find("unit2");
	REQUIRE(guest_create(g0, err, sizeof(err)) == 0 && guest_start(g0) == 0);
	REQUIRE(guest_create(g1, err, sizeof(err)) == 0 && guest_start(g1) == 0);
	REQUIRE(guest_create(g2, err, sizeof(err)) == 0 && guest_start(g2) == 0);
	v0 = g0->vcpus[0];
	v1 = g1->vcpus[0];

	/* "abort" (the default): a prefetch abort for a fetch from nothing
	 * and from a device, a data abort for what cannot be decoded. */
	vcpu_handle_exit(v0, &fetch);
	CHECK_EQ(v0->arch.prefetch_aborts_injected, 1);
	CHECK_EQ(v0->arch.last_abort_addr, 0x20000000);
	vcpu_handle_exit(v0, &fetch_device);
	CHECK_EQ(v0->arch.prefetch_aborts_injected, 2);
	vcpu_handle_exit(v0, &undecoded);
	CHECK_EQ(v0->arch.aborts_injected, 3);
	CHECK_EQ(v0->arch.prefetch_aborts_injected, 2);
	/* The guest's page-table walk: an abort of the access it was for. */
	vcpu_handle_exit(v0, &walk);
	CHECK_EQ(v0->arch.aborts_injected, 4);
	CHECK_EQ(v0->arch.prefetch_aborts_injected, 2);
	CHECK_EQ(v0->arch.last_abort_addr, 0x20001000);
	fetch_walk.mmio.walk_for_fetch = true;
	vcpu_handle_exit(v0, &fetch_walk);
	CHECK_EQ(v0->arch.prefetch_aborts_injected, 3);
	CHECK_EQ(g0->state, GUEST_RUNNING);

	/* "ignore": a fetch reads an all-zero word; an access without a
	 * register to complete still gets the abort. */
	vcpu_handle_exit(v1, &fetch);
	CHECK_EQ(v1->arch.zero_fetches, 1);
	CHECK_EQ(v1->arch.aborts_injected, 0);
	vcpu_handle_exit(v1, &undecoded);
	CHECK_EQ(v1->arch.aborts_injected, 1);
	CHECK_EQ(v1->arch.zero_fetches, 1);
	vcpu_handle_exit(v1, &walk);                   /* reads a zero descriptor */
	CHECK_EQ(v1->arch.zero_fetches, 2);
	CHECK_EQ(v1->arch.aborts_injected, 1);
	CHECK_EQ(g1->state, GUEST_RUNNING);

	/* "stop": stopped, the reason naming the fetch. */
	vcpu_handle_exit(g2->vcpus[0], &fetch);
	CHECK_EQ(g2->state, GUEST_STOPPED);
	CHECK(strstr(g2->stop_reason, "instruction fetch at 0x20000000: no device there") != NULL);
	CHECK_EQ(guest_destroy(g0), 0);
	CHECK_EQ(guest_destroy(g1), 0);
	CHECK_EQ(guest_destroy(g2), 0);
}

bool host_memory_written(const void *hva, size_t len);
uint64_t host_memory_written_bytes(void);

/* Zeroed RAM and each loaded payload are reported to the arch, which
 * makes them visible to a guest that starts with its caches off. */
TEST(guest_ram_keel_writes_is_reported_to_the_arch)
{
	struct guest *g;
	char err[GUEST_ERROR_MAX];
	uint64_t before;
	const void *fdt;
	const fdt64_t *start;

	REQUIRE(setup());
	g = guest_find("unit0");
	before = host_memory_written_bytes();
	REQUIRE(guest_create(g, err, sizeof(err)) == 0);
	/* All of RAM zeroed (0x600000 + 0x10000), then three payloads. */
	CHECK(host_memory_written_bytes() - before >= 0x610000);
	CHECK(host_memory_written(guest_gpa_to_hva(g, g->entry, KERNEL_SIZE), KERNEL_SIZE));
	fdt = guest_gpa_to_hva(g, g->dtb_gpa, 0x10000);
	REQUIRE(fdt && fdt_check_header(fdt) == 0);
	CHECK(host_memory_written(fdt, fdt_totalsize(fdt)));
	start = fdt_getprop(fdt, fdt_path_offset(fdt, "/chosen"), "linux,initrd-start", NULL);
	REQUIRE(start);
	CHECK(host_memory_written(guest_gpa_to_hva(g, fdt64_ld(start), INITRD_SIZE),
				  INITRD_SIZE));
	/* A reset zeroes and reloads: reported again. */
	before = host_memory_written_bytes();
	CHECK_EQ(guest_start(g), 0);
	CHECK_EQ(guest_stop(g, "test"), 0);
	CHECK_EQ(guest_start(g), 0);
	CHECK(host_memory_written_bytes() - before >= 0x610000);
	CHECK_EQ(guest_destroy(g), 0);
}

TEST(guest_interrupt_storm_and_abort_stop_only_that_guest)
{
	struct guest *g1, *g2;
	char err[GUEST_ERROR_MAX];
	struct vm_exit e = { .reason = VM_EXIT_ABORT,
		.abort = { .what = "SError from the guest (ESR_EL2 0xbe000000)", .pc = 0x200 } };

	REQUIRE(setup());
	g1 = guest_find("unit1");
	g2 = guest_find("unit2");
	REQUIRE(guest_create(g1, err, sizeof(err)) == 0 && guest_start(g1) == 0);
	REQUIRE(guest_create(g2, err, sizeof(err)) == 0 && guest_start(g2) == 0);
	for (int i = 0; i < 10; i++)
		guest_count_self_irq(g2);                  /* max-irq-rate = 10 */
	CHECK_EQ(g2->state, GUEST_RUNNING);
	guest_count_self_irq(g2);
	CHECK_EQ(g2->state, GUEST_STOPPED);
	CHECK(strstr(g2->stop_reason, "interrupt storm") != NULL);
	vcpu_handle_exit(g1->vcpus[0], &e);
	CHECK_EQ(g1->state, GUEST_STOPPED);
	CHECK(strstr(g1->stop_reason, "SError from the guest (ESR_EL2 0xbe000000) at pc 0x200") != NULL);
	/* Started again, a stopped guest gets a fresh payload. */
	CHECK_EQ(guest_start(g1), 0);
	CHECK_EQ(g1->state, GUEST_RUNNING);
	CHECK_EQ(g1->stop_reason[0], '\0');
	CHECK_EQ(guest_destroy(g1), 0);
	CHECK_EQ(guest_destroy(g2), 0);
}

TEST(guest_reset_requested_by_the_guest_runs_on_the_service_path)
{
	struct guest *g;
	char err[GUEST_ERROR_MAX];

	REQUIRE(setup());
	g = guest_find("unit1");
	REQUIRE(guest_create(g, err, sizeof(err)) == 0 && guest_start(g) == 0);
	/* Guest RAM changed, then the guest asks for a reset. */
	REQUIRE(guest_copy_to(g, 0x40000000, "dirty", 5) == 0);
	guest_reset_async(g);
	CHECK(g->reset_pending);
	CHECK_EQ(g->state, GUEST_STOPPED);
	sched_service();
	CHECK(!g->reset_pending);
	CHECK_EQ(g->state, GUEST_RUNNING);
	CHECK(((uint8_t *)guest_gpa_to_hva(g, 0x40000000, 1))[0] == 0);
	CHECK_EQ(guest_destroy(g), 0);
}

/*
 * A guest that resets in a loop gets its budget of restarts at once; the
 * next restart waits (the guest stays stopped meanwhile, CPU 0 is free)
 * and happens once the budget has come back.
 */
TEST(guest_reset_storm_is_delayed_not_served_in_a_loop)
{
	const struct guest_throttle_limit *l = &guest_throttle_limits[GUEST_THROTTLE_RESET];
	struct guest *g;
	char err[GUEST_ERROR_MAX];
	uint64_t resets;

	REQUIRE(setup());
	g = guest_find("unit1");
	REQUIRE(guest_create(g, err, sizeof(err)) == 0 && guest_start(g) == 0);
	resets = g->resets;
	for (unsigned int i = 0; i < l->burst; i++) {
		guest_reset_async(g);
		sched_service();
		CHECK_EQ(g->state, GUEST_RUNNING);
	}
	CHECK_EQ(g->resets - resets, l->burst);
	guest_reset_async(g);
	sched_service();
	CHECK_EQ(g->state, GUEST_STOPPED);
	CHECK(g->reset_pending);
	CHECK_EQ(g->resets - resets, l->burst);
	CHECK_EQ(g->throttle.throttled[GUEST_THROTTLE_RESET], 1);
	CHECK(strstr(unit_console_text(), "throttled: reset storm") != NULL);
	/* Asking again changes nothing until the delay is over. */
	sched_service();
	CHECK_EQ(g->state, GUEST_STOPPED);
	host_counter_set(arch_counter_read() +
			 l->interval_ns * l->burst / NSEC_PER_SEC * arch_counter_freq());
	timer_event_expire();           /* the retry brings the service back */
	CHECK(sched_service_requested());
	sched_service();
	CHECK_EQ(g->state, GUEST_RUNNING);
	CHECK_EQ(g->resets - resets, l->burst + 1);
	/* An operator's stop still cancels a delayed restart. */
	for (unsigned int i = 0; i < l->burst; i++) {
		guest_reset_async(g);
		sched_service();
	}
	CHECK_EQ(guest_stop(g, "by the operator"), 0);
	CHECK(!g->reset_pending);
	CHECK_EQ(guest_destroy(g), 0);
}
