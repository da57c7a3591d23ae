/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The host end of a guest's consoles (keel/guest_console.h). Output is
 * always kept in the endpoint's ring; while the shell is attached it also
 * goes straight to the host console, and on attach whatever the user has
 * not seen is replayed.
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
	ep->attached = false;
	ep->input_ready = NULL;
	ep->input_state = NULL;
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

	if (!ep->guest->first_output_ns)
		ep->guest->first_output_ns = time_now_ns();
	ringbuf_push_overwrite(&ep->out, text, len);
	if (ep->attached) {
		console_write_raw(text, len);
		ep->seen = ep->out.head;
	}
	spin_unlock_irqrestore(&ep->lock, flags);
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
	return READ_ONCE(ep->in.head) != READ_ONCE(ep->in.tail);
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
	char chunk[256];
	unsigned long flags = spin_lock_irqsave(&ep->lock);
	uint64_t pos = MAX(ep->seen, ep->out.tail);

	if (ep->seen < ep->out.tail) {
		unsigned long long lost = ep->out.tail - ep->seen;

		spin_unlock_irqrestore(&ep->lock, flags);
		console_endpoint_label(ep, chunk, sizeof(chunk));
		kprintf("[console %s: %llu older bytes of output were dropped]\n", chunk, lost);
		flags = spin_lock_irqsave(&ep->lock);
		pos = MAX(pos, ep->out.tail);
	}
	/* Replayed under the lock, so new output cannot slip in between. */
	while (replay && pos < ep->out.head) {
		size_t n = ringbuf_read_at(&ep->out, pos, chunk, sizeof(chunk));

		if (!n)
			break;
		console_write_raw(chunk, n);
		pos += n;
	}
	ep->seen = ep->out.head;
	ep->attached = true;
	spin_unlock_irqrestore(&ep->lock, flags);
}

void console_endpoint_detach(struct console_endpoint *ep)
{
	unsigned long flags = spin_lock_irqsave(&ep->lock);

	ep->attached = false;
	spin_unlock_irqrestore(&ep->lock, flags);
}

/* ---- a guest's endpoints ---- */

void guest_console_init(struct guest *g)
{
	console_endpoint_init(&g->console, g, GUEST_CONSOLE_UART_NAME);
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
