/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The host end of a guest's console (its emulated UART). Output is always
 * kept in a ring; while the shell is attached it also goes straight to the
 * host console, and on attach whatever the user has not seen is replayed.
 */
#include <keel/console.h>
#include <keel/guest.h>
#include <keel/guest_internal.h>
#include <keel/log.h>
#include <keel/time.h>

void guest_console_init(struct guest *g)
{
	g->console_lock = (spinlock_t)SPINLOCK_INIT;
	ringbuf_init(&g->console_out, g->console_storage, sizeof(g->console_storage));
	ringbuf_init(&g->console_in, g->console_in_storage, sizeof(g->console_in_storage));
	g->console_seen = 0;
	g->console_attached = false;
}

void guest_console_output(struct guest *g, const char *text, size_t len)
{
	unsigned long flags = spin_lock_irqsave(&g->console_lock);

	if (!g->first_output_ns)
		g->first_output_ns = time_now_ns();
	ringbuf_push_overwrite(&g->console_out, text, len);
	if (g->console_attached) {
		console_write(text, len);
		g->console_seen = g->console_out.head;
	}
	spin_unlock_irqrestore(&g->console_lock, flags);
}

size_t guest_console_input(struct guest *g, const char *text, size_t len)
{
	unsigned long flags = spin_lock_irqsave(&g->console_lock);
	size_t accepted = MIN(len, ringbuf_space(&g->console_in));

	ringbuf_push(&g->console_in, text, accepted);
	spin_unlock_irqrestore(&g->console_lock, flags);
	if (accepted && g->console_input_ready)
		g->console_input_ready(g->console_input_state);
	return accepted;
}

int guest_console_getc(struct guest *g)
{
	unsigned long flags = spin_lock_irqsave(&g->console_lock);
	int c = ringbuf_pop_byte(&g->console_in);

	spin_unlock_irqrestore(&g->console_lock, flags);
	return c;
}

bool guest_console_input_pending(struct guest *g)
{
	return READ_ONCE(g->console_in.head) != READ_ONCE(g->console_in.tail);
}

void guest_console_attach(struct guest *g, bool replay)
{
	char chunk[256];
	unsigned long flags = spin_lock_irqsave(&g->console_lock);
	uint64_t pos = MAX(g->console_seen, g->console_out.tail);

	if (g->console_seen < g->console_out.tail) {
		unsigned long long lost = g->console_out.tail - g->console_seen;

		spin_unlock_irqrestore(&g->console_lock, flags);
		kprintf("[console %s: %llu older bytes of output were dropped]\n", g->name, lost);
		flags = spin_lock_irqsave(&g->console_lock);
		pos = MAX(pos, g->console_out.tail);
	}
	/* Replayed under the lock, so new output cannot slip in between. */
	while (replay && pos < g->console_out.head) {
		size_t n = ringbuf_read_at(&g->console_out, pos, chunk, sizeof(chunk));

		if (!n)
			break;
		console_write(chunk, n);
		pos += n;
	}
	g->console_seen = g->console_out.head;
	g->console_attached = true;
	spin_unlock_irqrestore(&g->console_lock, flags);
}

void guest_console_detach(struct guest *g)
{
	unsigned long flags = spin_lock_irqsave(&g->console_lock);

	g->console_attached = false;
	spin_unlock_irqrestore(&g->console_lock, flags);
}
