/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The host end of a guest's consoles (keel/guest_console.h). Output is
 * always kept in the endpoint's ring; while the shell is attached the host
 * console pulls it from there as the terminal takes it (the endpoint is
 * the console's source), and on attach whatever the user has not seen is
 * replayed the same way.
 *
 * Locks: the guest's side (output, read, getc) takes ep->lock alone, for a
 * copy, and kicks the host console after dropping it. The host console's
 * side (pull, pending, drop) runs under console_out_lock and takes no lock
 * of the guest's: the output ring is written with ringbuf_push_published()
 * and read with ringbuf_read_published(), so a CPU draining the console
 * never holds up a guest's exit, nor the other way round. seen, dropped
 * and dropped_unreported belong to that side while attached, to the
 * shell's attach and detach (under ep->lock) otherwise.
 */
#include <keel/console.h>
#include <keel/errno.h>
#include <keel/guest.h>
#include <keel/guest_internal.h>
#include <keel/log.h>
#include <keel/time.h>
#include <lib/format.h>
#include <string.h>

/* ---- one endpoint ---- */

void console_endpoint_init(struct console_endpoint *ep, struct guest *g,
			   const char *name)
{
	size_t len = strnlen(name, sizeof(ep->name) - 1);

	memcpy(ep->name, name, len);
	ep->name[len] = '\0';
	ep->guest = g;
	ep->lock = (spinlock_t)SPINLOCK_INIT;
	ringbuf_init(&ep->out, ep->out_storage, sizeof(ep->out_storage));
	ringbuf_init(&ep->in, ep->in_storage, sizeof(ep->in_storage));
	ep->seen = 0;
	ep->dropped = 0;
	ep->dropped_unreported = 0;
	ep->attached = false;
	ep->input_ready = NULL;
	ep->input_state = NULL;
	memset(&ep->source, 0, sizeof(ep->source));
}

void console_endpoint_set_reader(struct console_endpoint *ep,
				 void (*fn)(void *state), void *state)
{
	unsigned long flags = spin_lock_irqsave(&ep->lock);

	ep->input_ready = fn;
	ep->input_state = fn ? state : NULL;
	spin_unlock_irqrestore(&ep->lock, flags);
}

void console_endpoint_output(struct console_endpoint *ep, const char *text,
			     size_t len)
{
	unsigned long flags = spin_lock_irqsave(&ep->lock);
	bool attached = READ_ONCE(ep->attached);

	if (!ep->guest->first_output_ns)
		ep->guest->first_output_ns = time_now_ns();
	ringbuf_push_published(&ep->out, text, len);
	spin_unlock_irqrestore(&ep->lock, flags);
	/* The terminal gets it later, from the transmit interrupt. */
	if (attached)
		console_source_kick();
}

/* ---- the host console's side (console_out_lock held, no ep->lock) ---- */

/* The terminal skips from seen to pos: those bytes are lost. */
static void console_endpoint_skip_to(struct console_endpoint *ep, uint64_t pos)
{
	if (pos > ep->seen) {
		WRITE_ONCE(ep->dropped, ep->dropped + (pos - ep->seen));
		ep->dropped_unreported += pos - ep->seen;
		WRITE_ONCE(ep->seen, pos);
	}
}

static size_t console_endpoint_pull(void *ctx, char *buf, size_t len,
				    uint64_t *dropped)
{
	struct console_endpoint *ep = ctx;
	uint64_t pos = ep->seen;
	size_t n = ringbuf_read_published(&ep->out, &pos, buf, len);

	console_endpoint_skip_to(ep, pos);
	WRITE_ONCE(ep->seen, pos + n);
	*dropped = ep->dropped_unreported;
	ep->dropped_unreported = 0;
	return n;
}

static bool console_endpoint_pending(void *ctx)
{
	struct console_endpoint *ep = ctx;

	return ringbuf_head_published(&ep->out) > ep->seen;
}

static void console_endpoint_drop_oldest(void *ctx, size_t keep)
{
	struct console_endpoint *ep = ctx;
	uint64_t head = ringbuf_head_published(&ep->out);

	if (head - ep->seen > keep)
		console_endpoint_skip_to(ep, head - keep);
}

uint64_t console_endpoint_dropped(struct console_endpoint *ep)
{
	uint64_t dropped = READ_ONCE(ep->dropped);
	uint64_t seen = READ_ONCE(ep->seen);
	uint64_t tail = __atomic_load_n(&ep->out.tail, __ATOMIC_ACQUIRE);

	/* Overwritten before the terminal could take it counts too, though
	 * no pull has noticed yet. */
	if (READ_ONCE(ep->attached) && tail > seen)
		dropped += tail - seen;
	return dropped;
}

size_t console_endpoint_input(struct console_endpoint *ep, const char *text,
			      size_t len)
{
	unsigned long flags = spin_lock_irqsave(&ep->lock);
	size_t accepted = MIN(len, ringbuf_space(&ep->in));
	void (*ready)(void *state) = ep->input_ready;
	void *state = ep->input_state;

	ringbuf_push(&ep->in, text, accepted);
	spin_unlock_irqrestore(&ep->lock, flags);
	/* Outside the lock: the reader takes the input at once. */
	if (accepted && ready)
		ready(state);
	return accepted;
}

size_t console_endpoint_read(struct console_endpoint *ep, void *buf, size_t len)
{
	unsigned long flags = spin_lock_irqsave(&ep->lock);
	size_t n = ringbuf_pop(&ep->in, buf, len);

	spin_unlock_irqrestore(&ep->lock, flags);
	return n;
}

int console_endpoint_getc(struct console_endpoint *ep)
{
	unsigned long flags = spin_lock_irqsave(&ep->lock);
	int c = ringbuf_pop_byte(&ep->in);

	spin_unlock_irqrestore(&ep->lock, flags);
	return c;
}

bool console_endpoint_input_pending(struct console_endpoint *ep)
{
	/* Under the lock: the input ring is pushed to and popped from with
	 * plain accesses under it, by the shell's CPU and the guest's. */
	unsigned long flags = spin_lock_irqsave(&ep->lock);
	bool pending = !ringbuf_is_empty(&ep->in);

	spin_unlock_irqrestore(&ep->lock, flags);
	return pending;
}

/* "linux0" for endpoint 0, "linux0 hvc0" for the others. */
static void console_endpoint_label(const struct console_endpoint *ep, char *buf,
				   size_t len)
{
	const struct guest *g = ep->guest;

	if (ep == &g->console)
		fmt_snprintf(buf, len, "%s", g->name);
	else
		fmt_snprintf(buf, len, "%s %s", g->name, ep->name);
}

void console_endpoint_attach(struct console_endpoint *ep, bool replay)
{
	unsigned long flags = spin_lock_irqsave(&ep->lock);
	unsigned long long lost = 0;

	if (ep->seen < ep->out.tail)
		lost = ep->out.tail - ep->seen;
	spin_unlock_irqrestore(&ep->lock, flags);
	console_endpoint_label(ep, ep->source.label, sizeof(ep->source.label));
	if (lost)
		kprintf("[console %s: %llu older bytes of output were dropped]\n",
			ep->source.label, lost);
	ep->source.pull = console_endpoint_pull;
	ep->source.pending = console_endpoint_pending;
	ep->source.drop_oldest = console_endpoint_drop_oldest;
	ep->source.ctx = ep;

	flags = spin_lock_irqsave(&ep->lock);
	/* What the user has not seen is replayed: the console pulls it
	 * from here like new output, so nothing slips in between. */
	ep->seen = replay ? MAX(ep->seen, ep->out.tail) : ep->out.head;
	ep->dropped_unreported = 0;
	ep->attached = true;
	spin_unlock_irqrestore(&ep->lock, flags);
	console_set_source(&ep->source);
}

void console_endpoint_detach(struct console_endpoint *ep)
{
	unsigned long flags;

	/* First the terminal takes what it has not shown yet (up to now);
	 * output after that is kept for the next attach. */
	console_unset_source(&ep->source);
	flags = spin_lock_irqsave(&ep->lock);
	ep->attached = false;
	spin_unlock_irqrestore(&ep->lock, flags);
}

/* ---- a guest's endpoints ---- */

void guest_console_init(struct guest *g)
{
	/* Named as the guest's kernel names its first UART ("ttyAMA0"). */
	console_endpoint_init(&g->console, g, arch_guest_platform()->console_name);
	memset(g->consoles, 0, sizeof(g->consoles));
	g->consoles[0] = &g->console;
	g->console_count = 1;
}

int guest_console_add(struct guest *g, struct console_endpoint *ep)
{
	for (unsigned int i = 0; i < g->console_count; i++) {
		if (!strcmp(g->consoles[i]->name, ep->name))
			return -KEEL_EEXIST;
	}
	if (g->console_count == GUEST_MAX_CONSOLES)
		return -KEEL_ENOSPC;
	g->consoles[g->console_count++] = ep;
	return 0;
}

void guest_console_remove(struct guest *g, struct console_endpoint *ep)
{
	console_endpoint_detach(ep);
	for (unsigned int i = 1; i < g->console_count; i++) {
		if (g->consoles[i] != ep)
			continue;
		memmove(&g->consoles[i], &g->consoles[i + 1],
			(g->console_count - i - 1) * sizeof(g->consoles[0]));
		g->consoles[--g->console_count] = NULL;
		return;
	}
}

struct console_endpoint *guest_console_find(struct guest *g, const char *name)
{
	if (!g->console_count)
		return NULL;
	for (unsigned int i = 0; name && i < g->console_count; i++) {
		if (!strcmp(g->consoles[i]->name, name))
			return g->consoles[i];
	}
	if (name)
		return NULL;
	if (READ_ONCE(g->consoles[0]->input_ready) || g->console_count == 1)
		return g->consoles[0];
	for (unsigned int i = 1; i < g->console_count; i++) {
		if (READ_ONCE(g->consoles[i]->input_ready))
			return g->consoles[i];
	}
	return g->consoles[0];
}

struct console_endpoint *guest_console_at(struct guest *g, unsigned int index)
{
	return index < g->console_count ? g->consoles[index] : NULL;
}

/* ---- endpoint 0, the UART's ---- */

void guest_console_output(struct guest *g, const char *text, size_t len)
{
	console_endpoint_output(&g->console, text, len);
}

size_t guest_console_input(struct guest *g, const char *text, size_t len)
{
	return console_endpoint_input(&g->console, text, len);
}

int guest_console_getc(struct guest *g)
{
	return console_endpoint_getc(&g->console);
}

bool guest_console_input_pending(struct guest *g)
{
	return console_endpoint_input_pending(&g->console);
}

void guest_console_attach(struct guest *g, bool replay)
{
	console_endpoint_attach(&g->console, replay);
}

void guest_console_detach(struct guest *g)
{
	for (unsigned int i = 0; i < g->console_count; i++)
		console_endpoint_detach(g->consoles[i]);
}
