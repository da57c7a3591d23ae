/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Guest life cycle. Transitions that must wait for vCPUs to leave their
 * host CPUs (pause, stop, reset, destroy) run on the management CPU, CPU 0:
 * from the shell, at boot, or from CPU 0's idle path for resets a guest
 * asked for. Exit handlers on any CPU only use the *_async calls, which
 * never wait. The guest list is changed and walked only on CPU 0.
 */
#include <keel/devtree.h>
#include <keel/errno.h>
#include <keel/guest.h>
#include <keel/guest_internal.h>
#include <keel/log.h>
#include <keel/mm.h>
#include <keel/platform.h>
#include <keel/sched.h>
#include <keel/time.h>
#include <lib/format.h>
#include <arch/cpu.h>
#include <libfdt.h>
#include <string.h>

/* More guest nodes than this in one tree is surely a mistake. */
#define GUEST_LOAD_MAX 16
/* How long a pause, stop, reset or destroy waits for the guest's vCPUs to
 * leave their host CPUs before it reports them and finishes later. */
#define GUEST_LEAVE_TIMEOUT_NS (2 * NSEC_PER_SEC)

static LIST_HEAD(guest_list);
static unsigned int guest_next_id;
/* vCPUs of created guests pinned to each host CPU, for placement. */
static unsigned int pcpu_vcpus[KEEL_MAX_CPUS];

static const char *const guest_state_names[] = {
	[GUEST_LOADED] = "loaded", [GUEST_CREATED] = "created",
	[GUEST_RUNNING] = "running", [GUEST_PAUSED] = "paused",
	[GUEST_STOPPED] = "stopped",
};

const char *guest_state_name(enum guest_state state)
{
	return state < ARRAY_SIZE(guest_state_names) ? guest_state_names[state] : "?";
}

void guest_error(char *err, size_t err_len, const struct guest *g,
		 const char *fmt, ...)
{
	va_list ap;
	int n;

	if (!err || !err_len)
		return;
	n = fmt_snprintf(err, err_len, "guest %pE: ", g->name);
	if (n < 0 || (size_t)n >= err_len)
		return;
	va_start(ap, fmt);
	fmt_vsnprintf(err + n, err_len - (size_t)n, fmt, ap);
	va_end(ap);
}

static void set_state(struct guest *g, enum guest_state state)
{
	__atomic_store_n(&g->state, state, __ATOMIC_SEQ_CST);
}

static enum guest_state get_state(const struct guest *g)
{
	return __atomic_load_n(&g->state, __ATOMIC_SEQ_CST);
}

bool guest_is_live(const struct guest *g)
{
	enum guest_state s = get_state(g);

	return s == GUEST_RUNNING || s == GUEST_PAUSED || s == GUEST_CREATED ||
	       READ_ONCE(g->reset_pending);
}

struct guest *guest_find(const char *name)
{
	struct guest *g;

	list_for_each_entry(g, &guest_list, node)
		if (strcmp(g->name, name) == 0)
			return g;
	return NULL;
}

void guest_for_each(void (*fn)(struct guest *g, void *ctx), void *ctx)
{
	struct guest *g, *next;

	list_for_each_entry_safe(g, next, &guest_list, node)
		fn(g, ctx);
}

/* ---- loading ---- */

int guest_load_tree(const void *fdt, size_t size, char *err, size_t err_len)
{
	struct guest *batch[GUEST_LOAD_MAX];
	unsigned int count = 0;
	int guests, node, ret;

	ret = devtree_check_full(fdt, size);
	if (ret) {
		fmt_snprintf(err, err_len, "not a valid device tree: %s", fdt_strerror(ret));
		return -KEEL_EINVAL;
	}
	guests = fdt_path_offset(fdt, "/guests");
	if (guests < 0) {
		fmt_snprintf(err, err_len, "no /guests node in the device tree");
		return -KEEL_ENOENT;
	}
	fdt_for_each_subnode(node, fdt, guests) {
		struct guest *g;

		if (count == GUEST_LOAD_MAX) {
			fmt_snprintf(err, err_len, "more than %d guest nodes under /guests",
				     GUEST_LOAD_MAX);
			ret = -KEEL_E2BIG;
			goto err_free;
		}
		g = kzalloc(sizeof(*g));
		if (!g) {
			fmt_snprintf(err, err_len, "out of memory loading guest nodes");
			ret = -KEEL_ENOMEM;
			goto err_free;
		}
		batch[count++] = g;
		g->name = g->config.name;
		ret = guest_config_parse(fdt, node, &g->config, err, err_len);
		if (ret)
			goto err_free;
		if (guest_find(g->name)) {
			fmt_snprintf(err, err_len,
				     "guest %s: a guest of that name is already loaded (`guest unload %s` first)",
				     g->name, g->name);
			ret = -KEEL_EEXIST;
			goto err_free;
		}
		for (unsigned int i = 0; i + 1 < count; i++) {
			if (strcmp(batch[i]->name, g->name) == 0) {
				fmt_snprintf(err, err_len, "guest %s: two guest nodes of that name",
					     g->name);
				ret = -KEEL_EEXIST;
				goto err_free;
			}
		}
	}
	if (!count) {
		fmt_snprintf(err, err_len, "no guest nodes under /guests");
		return -KEEL_ENOENT;
	}
	for (unsigned int i = 0; i < count; i++) {
		batch[i]->id = guest_next_id++;
		batch[i]->lock = (spinlock_t)SPINLOCK_INIT;
		batch[i]->state = GUEST_LOADED;
		list_add_tail(&batch[i]->node, &guest_list);
	}
	return (int)count;

err_free:
	for (unsigned int i = 0; i < count; i++)
		kfree(batch[i]);
	return ret;
}

int guest_unload(struct guest *g)
{
	if (get_state(g) != GUEST_LOADED)
		return -KEEL_EBUSY;
	list_del(&g->node);
	kfree(g);
	return 0;
}

/* ---- creating and tearing down ---- */

static void vcpu_wake_event(struct timer_event *event, void *arg)
{
	vcpu_kick(arg);
}

/*
 * A host CPU for a vCPU without cpu-affinity: the online CPU with the
 * fewest vCPUs of created guests, CPU 0 last on a tie since it also runs
 * the shell. So the vCPUs of one guest spread out, and guests destroyed
 * leave no holes behind.
 */
static unsigned int pick_pcpu(void)
{
	unsigned int best = 0;
	bool found = false;

	for (unsigned int i = 1; i <= cpu_count && i <= KEEL_MAX_CPUS; i++) {
		unsigned int cpu = i % cpu_count;

		if (cpu_info[cpu].state != CPU_ONLINE)
			continue;
		if (!found || pcpu_vcpus[cpu] < pcpu_vcpus[best])
			best = cpu;
		found = true;
	}
	return best;
}

static int check_affinity(struct guest *g, char *err, size_t err_len)
{
	if (!g->config.has_affinity)
		return 0;
	for (unsigned int i = 0; i < g->config.vcpus; i++) {
		uint32_t cpu = g->config.affinity[i];

		if (cpu >= cpu_count || cpu_info[cpu].state != CPU_ONLINE) {
			guest_error(err, err_len, g,
				    "node /guests/%s: \"cpu-affinity\" puts vCPU %u on host CPU %u, which is not online (see `cpus`)",
				    g->name, i, cpu);
			return -KEEL_EINVAL;
		}
	}
	return 0;
}

/* Frees whatever guest_create() got to; safe on a partly created guest. */
static void guest_teardown(struct guest *g)
{
	for (unsigned int i = g->device_count; i-- > 0;)
		if (g->devices[i].emulator->destroy)
			g->devices[i].emulator->destroy(g->devices[i].state);
	g->device_count = 0;
	if (g->arch_platform_ready)
		arch_guest_platform_destroy(g);
	g->arch_platform_ready = false;
	for (unsigned int i = 0; i < g->vcpu_count; i++) {
		pcpu_vcpus[g->vcpus[i]->pcpu]--;
		arch_vcpu_destroy(g->vcpus[i]);
		kfree(g->vcpus[i]);
		g->vcpus[i] = NULL;
	}
	g->vcpu_count = 0;
	guest_mem_free(g);
	if (g->arch_ready)
		arch_guest_destroy(g);
	g->arch_ready = false;
	mmio_table_init(&g->mmio);
}

static int create_vcpus(struct guest *g, char *err, size_t err_len)
{
	for (unsigned int i = 0; i < g->config.vcpus; i++) {
		struct vcpu *v = kzalloc(sizeof(*v));
		int ret;

		if (!v) {
			guest_error(err, err_len, g, "out of memory for vCPU %u", i);
			return -KEEL_ENOMEM;
		}
		v->guest = g;
		v->id = i;
		v->pcpu = g->config.has_affinity ? g->config.affinity[i] : pick_pcpu();
		pcpu_vcpus[v->pcpu]++;
		v->power = VCPU_POWER_OFF;
		list_init(&v->run_node);
		v->wake_event.fn = vcpu_wake_event;
		v->wake_event.arg = v;
		g->vcpus[g->vcpu_count++] = v;
		ret = arch_vcpu_init(v);
		if (ret) {
			guest_error(err, err_len, g, "cannot set up vCPU %u: %s", i,
				    keel_strerror(ret));
			return ret;
		}
	}
	return 0;
}

static int create_devices(struct guest *g, char *err, size_t err_len)
{
	for (unsigned int i = 0; i < g->config.device_count; i++) {
		const struct guest_device_config *dev = &g->config.devices[i];
		const struct emulator *emu = emulator_find(dev->compatible);
		struct guest_device *gd = &g->devices[g->device_count];
		int ret;

		if (!emu)
			return -KEEL_ENOENT; /* validation already refused this */
		ret = emu->create(g, dev, &gd->state);
		if (ret) {
			guest_error(err, err_len, g, "node /guests/%s/devices/%s: %s: %s",
				    g->name, dev->name, emu->name, keel_strerror(ret));
			return ret;
		}
		gd->emulator = emu;
		gd->config = dev;
		g->device_count++;
	}
	return 0;
}

int guest_create(struct guest *g, char *err, size_t err_len)
{
	int ret;

	if (get_state(g) != GUEST_LOADED) {
		guest_error(err, err_len, g, "already created (state %s)",
			    guest_state_name(get_state(g)));
		return -KEEL_EBUSY;
	}
	ret = check_affinity(g, err, err_len);
	if (ret)
		return ret;
	mmio_table_init(&g->mmio);
	guest_console_init(g);
	g->unhandled_mmio = 0;
	g->stop_reason[0] = '\0';
	guest_throttle_init(&g->throttle);
	g->reset_not_before_ns = 0;

	ret = arch_guest_init(g);
	if (ret) {
		guest_error(err, err_len, g, "cannot set up stage-2 translation: %s",
			    keel_strerror(ret));
		return ret;
	}
	g->arch_ready = true;
	ret = guest_mem_alloc(g, err, err_len);
	if (!ret)
		ret = create_vcpus(g, err, err_len);
	if (!ret) {
		ret = arch_guest_platform_create(g);
		if (ret)
			guest_error(err, err_len, g, "cannot create its interrupt controller: %s",
				    keel_strerror(ret));
		else
			g->arch_platform_ready = true;
	}
	if (!ret)
		ret = create_devices(g, err, err_len);
	if (!ret)
		ret = guest_boot_load(g, err, err_len);
	if (ret) {
		guest_teardown(g);
		return ret;
	}
	g->created_ns = time_now_ns();
	set_state(g, GUEST_CREATED);
	return 0;
}

/* ---- running, pausing, stopping ---- */

/* A vCPU still finishing an exit may block in WFI and arm its wake event:
 * cancel those once no vCPU is on a CPU any more. */
static void guest_cancel_wake_events(struct guest *g)
{
	for (unsigned int i = 0; i < g->vcpu_count; i++)
		timer_event_cancel(&g->vcpus[i]->wake_event);
}

/*
 * Takes every vCPU off its run queue (the guest state already keeps them
 * from entering it again) and waits, with a bound, until none is on a CPU.
 * A vCPU can stay in one exit for long (a device serving a hostile guest);
 * that must neither hang the shell nor stop Keel. So after
 * GUEST_LEAVE_TIMEOUT_NS each such vCPU is reported, the guest is marked
 * leave_pending and false returned: whatever needs the vCPUs gone (a
 * reload, freeing memory) is then done by CPU 0's service work when they
 * have left (sched_vcpu_left() asks for it).
 */
static bool guest_quiesce(struct guest *g, const char *action)
{
	uint64_t deadline = time_now_ns() + GUEST_LEAVE_TIMEOUT_NS;
	bool all_left = true;

	for (unsigned int i = 0; i < g->vcpu_count; i++)
		sched_dequeue(g->vcpus[i]);
	for (unsigned int i = 0; i < g->vcpu_count; i++) {
		struct vcpu *v = g->vcpus[i];

		if (sched_wait_off_cpu(v, deadline) == 0)
			continue;
		log_error("guest %s: %s: vCPU %u is still on host CPU %u after %llu ms (one long exit)",
			  g->name, action, v->id, v->pcpu,
			  (unsigned long long)(GUEST_LEAVE_TIMEOUT_NS / NSEC_PER_MSEC));
		all_left = false;
	}
	if (!all_left) {
		g->leave_pending = true;
		return false;
	}
	g->leave_pending = false;
	guest_cancel_wake_events(g);
	return true;
}

/*
 * Before what needs every vCPU off its CPU (a reload, running again):
 * 0 when no earlier wait is left over, else -KEEL_EBUSY with a message.
 * The guest is not running.
 */
static int guest_check_left(struct guest *g, const char *action)
{
	if (g->destroy_pending) {
		log_error("guest %s: %s: the guest is being destroyed (waiting for its vCPUs to leave)",
			  g->name, action);
		return -KEEL_EBUSY;
	}
	if (!g->leave_pending)
		return 0;
	for (unsigned int i = 0; i < g->vcpu_count; i++) {
		struct vcpu *v = g->vcpus[i];

		if (!sched_vcpu_left(v)) {
			log_error("guest %s: %s: vCPU %u is still on host CPU %u (one long exit); try again when it has left",
				  g->name, action, v->id, v->pcpu);
			return -KEEL_EBUSY;
		}
	}
	g->leave_pending = false;
	guest_cancel_wake_events(g);
	return 0;
}

static void guest_boot_vcpus(struct guest *g)
{
	for (unsigned int i = 0; i < g->vcpu_count; i++) {
		struct vcpu *v = g->vcpus[i];

		v->power = i == 0 ? VCPU_POWER_ON : VCPU_POWER_OFF;
		v->blocked = false;
		if (i == 0)
			arch_vcpu_reset(v, g->entry, g->dtb_gpa);
	}
}

/* Back to the power-on state: RAM cleared, devices reset, payload loaded
 * again. vCPUs are off their CPUs. */
static int guest_reload(struct guest *g)
{
	char err[GUEST_ERROR_MAX];
	int ret;

	guest_mem_clear(g);
	arch_guest_platform_reset(g);
	for (unsigned int i = 0; i < g->device_count; i++)
		if (g->devices[i].emulator->reset)
			g->devices[i].emulator->reset(g->devices[i].state);
	ret = guest_boot_load(g, err, sizeof(err));
	if (ret)
		log_error("%s", err);
	return ret;
}

int guest_start(struct guest *g)
{
	enum guest_state state = get_state(g);

	if (state == GUEST_STOPPED) {
		int ret = guest_check_left(g, "start");

		if (!ret)
			ret = guest_reload(g);

		if (ret)
			return ret;
	} else if (state != GUEST_CREATED) {
		return state == GUEST_LOADED ? -KEEL_ENOENT : -KEEL_EBUSY;
	}
	g->stop_reason[0] = '\0';
	g->reset_pending = false;
	g->restart_pending = false;
	guest_boot_vcpus(g);
	g->first_output_ns = 0;
	g->started_ns = time_now_ns();
	g->irq_window_start_ns = g->started_ns;
	g->irq_window_count = 0;
	set_state(g, GUEST_RUNNING);
	arch_guest_time_start(g);
	sched_enqueue(g->vcpus[0]);
	return 0;
}

/* Why a transition is refused: not created at all, or in the wrong state. */
static int guest_refusal(const struct guest *g)
{
	return get_state(g) == GUEST_LOADED ? -KEEL_ENOENT : -KEEL_EBUSY;
}

int guest_pause(struct guest *g)
{
	if (get_state(g) != GUEST_RUNNING)
		return guest_refusal(g);
	set_state(g, GUEST_PAUSED);
	if (!guest_quiesce(g, "pause"))
		log_warn("guest %s: paused; that vCPU finishes its exit and does not enter the guest again",
			 g->name);
	arch_guest_time_stop(g);
	return 0;
}

int guest_resume(struct guest *g)
{
	int ret;

	if (get_state(g) != GUEST_PAUSED)
		return guest_refusal(g);
	ret = guest_check_left(g, "resume");
	if (ret)
		return ret;
	arch_guest_time_start(g);
	set_state(g, GUEST_RUNNING);
	/* A vCPU that was in WFI lost its wake event to the pause: let it
	 * look again (a WFI may always end early). */
	for (unsigned int i = 0; i < g->vcpu_count; i++) {
		g->vcpus[i]->blocked = false;
		sched_enqueue(g->vcpus[i]);
	}
	return 0;
}

static void guest_set_reason(struct guest *g, const char *fmt, va_list ap)
{
	fmt_vsnprintf(g->stop_reason, sizeof(g->stop_reason), fmt, ap);
}

int guest_stop(struct guest *g, const char *reason)
{
	enum guest_state state = get_state(g);

	/* Between a reset request and its restart: cancel it. */
	if (state == GUEST_STOPPED && (g->reset_pending || g->restart_pending)) {
		g->reset_pending = false;
		g->restart_pending = false;
		fmt_snprintf(g->stop_reason, sizeof(g->stop_reason), "%s", reason);
		return 0;
	}
	if (state != GUEST_RUNNING && state != GUEST_PAUSED && state != GUEST_CREATED)
		return guest_refusal(g);
	set_state(g, GUEST_STOPPED);
	if (!guest_quiesce(g, "stop"))
		log_warn("guest %s: stopped; that vCPU finishes its exit and does not enter the guest again",
			 g->name);
	g->reset_pending = false;
	fmt_snprintf(g->stop_reason, sizeof(g->stop_reason), "%s", reason);
	return 0;
}

int guest_reset(struct guest *g)
{
	enum guest_state state = get_state(g);

	if (state == GUEST_LOADED)
		return -KEEL_ENOENT;
	if (g->destroy_pending)
		return guest_check_left(g, "reset");
	set_state(g, GUEST_STOPPED);
	if (state == GUEST_PAUSED)
		arch_guest_time_start(g);
	if (!guest_quiesce(g, "reset")) {
		g->restart_pending = true;
		fmt_snprintf(g->stop_reason, sizeof(g->stop_reason),
			     "restarting when its vCPUs have left their host CPUs");
		log_warn("guest %s: reset: the guest restarts when that vCPU has left", g->name);
		return 0;
	}
	return guest_start(g);
}

/* Frees what the guest holds; every vCPU is off its CPU. */
static void guest_finish_destroy(struct guest *g)
{
	guest_console_detach(g);
	g->reset_pending = false;
	g->restart_pending = false;
	g->destroy_pending = false;
	guest_teardown(g);
	set_state(g, GUEST_LOADED);
}

int guest_destroy(struct guest *g)
{
	if (get_state(g) == GUEST_LOADED)
		return -KEEL_ENOENT;
	if (g->destroy_pending) {
		log_info("guest %s: destroy: already waiting for its vCPUs to leave their host CPUs",
			 g->name);
		return 0;
	}
	set_state(g, GUEST_STOPPED);
	if (!guest_quiesce(g, "destroy")) {
		/* Never free memory or devices a vCPU still works on. */
		g->destroy_pending = true;
		g->reset_pending = false;
		g->restart_pending = false;
		fmt_snprintf(g->stop_reason, sizeof(g->stop_reason),
			     "being destroyed when its vCPUs have left their host CPUs");
		log_warn("guest %s: destroy: its memory and devices are freed when that vCPU has left",
			 g->name);
		return 0;
	}
	guest_finish_destroy(g);
	return 0;
}

/* ---- from exit handlers ---- */

/* Takes g's vCPUs off the run queues and out of guest mode, without
 * waiting; the guest state is already not "running". */
static void guest_evict_async(struct guest *g)
{
	for (unsigned int i = 0; i < g->vcpu_count; i++) {
		sched_dequeue(g->vcpus[i]);
		vcpu_kick(g->vcpus[i]);
	}
	/* CPU 0 may be waiting on this guest's console. */
	sched_request_service();
}

void guest_stop_async(struct guest *g, const char *fmt, ...)
{
	unsigned long flags = spin_lock_irqsave(&g->lock);
	enum guest_state state = get_state(g);
	va_list ap;

	if (state != GUEST_RUNNING && state != GUEST_PAUSED) {
		spin_unlock_irqrestore(&g->lock, flags);
		return;
	}
	/* The reason first: a console on another CPU reads it as soon as it
	 * sees the state (guest_is_live()). */
	va_start(ap, fmt);
	guest_set_reason(g, fmt, ap);
	va_end(ap);
	set_state(g, GUEST_STOPPED);
	spin_unlock_irqrestore(&g->lock, flags);
	log_warn("guest %s stopped: %s", g->name, g->stop_reason);
	guest_evict_async(g);
}

void guest_reset_async(struct guest *g)
{
	unsigned long flags = spin_lock_irqsave(&g->lock);

	if (get_state(g) != GUEST_RUNNING) {
		spin_unlock_irqrestore(&g->lock, flags);
		return;
	}
	/* Before the state, as in guest_stop_async(): a console watching
	 * sees a guest restarting, not one that stopped for no reason. */
	fmt_snprintf(g->stop_reason, sizeof(g->stop_reason), "restarting (guest reset)");
	WRITE_ONCE(g->reset_pending, true);
	set_state(g, GUEST_STOPPED);
	spin_unlock_irqrestore(&g->lock, flags);
	guest_evict_async(g);
}

/* What a pause, stop, reset or destroy left for when the vCPUs it waited
 * for have left their host CPUs: false while one is still on its CPU. */
static bool guest_service_left(struct guest *g)
{
	if (!g->leave_pending)
		return true;
	for (unsigned int i = 0; i < g->vcpu_count; i++)
		if (!sched_vcpu_left(g->vcpus[i]))
			return false;
	g->leave_pending = false;
	/* A resumed guest's vCPUs wait on their wake events again. */
	if (get_state(g) != GUEST_RUNNING)
		guest_cancel_wake_events(g);
	if (g->destroy_pending) {
		guest_finish_destroy(g);
		log_info("guest %s: destroyed (its vCPUs have left their host CPUs)", g->name);
		return false;
	}
	if (g->restart_pending) {
		g->restart_pending = false;
		log_info("guest %s: restarting (its vCPUs have left their host CPUs)", g->name);
		if (guest_start(g))
			log_error("guest %s: restart failed; the guest stays stopped", g->name);
	}
	return true;
}

/* Brings the service work back to CPU 0 when a delayed restart is due. */
static void guest_reset_retry_expired(struct timer_event *event, void *arg)
{
	sched_request_service();
}

static struct timer_event guest_reset_retry = { .fn = guest_reset_retry_expired };

/* On CPU 0 (service work): the earliest delayed restart wins. */
static void guest_reset_retry_at(uint64_t when_ns)
{
	if (!guest_reset_retry.queued || guest_reset_retry.deadline_ns > when_ns)
		timer_event_add(&guest_reset_retry, when_ns);
}

static void guest_service_one(struct guest *g, void *ctx)
{
	uint64_t now = time_now_ns();

	if (!guest_service_left(g) || !g->reset_pending)
		return;
	/* A guest resetting in a loop gets a budget of restarts (each one
	 * reloads it on this CPU); beyond it, the restart waits. */
	if (!g->reset_not_before_ns)
		g->reset_not_before_ns =
			guest_throttle_charge_at(g, GUEST_THROTTLE_RESET, now);
	if (g->reset_not_before_ns) {
		if (now < g->reset_not_before_ns) {
			guest_reset_retry_at(g->reset_not_before_ns);
			return;
		}
		g->reset_not_before_ns = 0;
	}
	g->reset_pending = false;
	g->resets++;
	/* A guest in a reset loop must not flood the console: one line a
	 * second at most, with the count. */
	if (time_now_ns() - g->last_reset_log_ns >= NSEC_PER_SEC || !g->last_reset_log_ns) {
		log_info("guest %s: restarting (reset by the guest; %llu resets so far)",
			 g->name, (unsigned long long)g->resets);
		g->last_reset_log_ns = time_now_ns();
	}
	if (guest_reset(g))
		log_error("guest %s: restart failed; the guest stays stopped", g->name);
}

void guest_service_requests(void)
{
	guest_for_each(guest_service_one, NULL);
}

void guest_count_self_irq(struct guest *g)
{
	uint64_t now = time_now_ns();
	unsigned long flags = spin_lock_irqsave(&g->lock);
	uint32_t limit = g->config.max_irq_rate;
	bool storm;

	if (now - g->irq_window_start_ns >= NSEC_PER_SEC) {
		g->irq_window_start_ns = now;
		g->irq_window_count = 0;
	}
	g->irq_window_count++;
	storm = limit && g->irq_window_count > limit;
	spin_unlock_irqrestore(&g->lock, flags);
	if (storm)
		guest_stop_async(g, "interrupt storm: more than %u interrupts raised by the guest for itself within one second (node property \"max-irq-rate\")",
				 limit);
}
