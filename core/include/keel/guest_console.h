/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Console endpoints: the host end of a guest's consoles, what the shell's
 * `console <guest> [endpoint]` attaches to. An endpoint keeps the guest's
 * output in a ring (replayed on attach) and queues the user's input for
 * the device behind it, which registers a reader to hear that input came.
 *
 * Every guest has endpoint 0, g->console, named as the platform says
 * (struct guest_platform: "ttyAMA0" on arm64, "ttyS0" on riscv64): its
 * first UART (PL011, ns16550a) serves it. Devices such as virtio-console add their own
 * endpoint ("hvc0") while they exist. Endpoints are added and removed only
 * while the guest is created or destroyed, from the shell's CPU.
 *
 * The output ring is the guest's console buffer (GUEST_CONSOLE_BUFFER, a
 * limit in docs/console.md). A guest's write only copies into it under the
 * endpoint's own lock; while the shell is attached the host console pulls
 * from it when the terminal has room (keel/console.h), so the guest never
 * waits for the terminal. When the guest writes faster than the terminal
 * shows, its oldest unshown bytes are overwritten: counted in `dropped`
 * and announced on the terminal as "[console linux0: N bytes dropped]".
 *
 * Locks: ep->lock serialises the writers of the output ring (the guest's
 * vCPUs) and the input queue; it is held for a copy only, never while
 * calling into the console or the device's reader, and the host console
 * never takes it (it reads the ring lock-free under console_out_lock).
 */
#ifndef KEEL_GUEST_CONSOLE_H
#define KEEL_GUEST_CONSOLE_H

#include <keel/console.h>
#include <keel/guest_config.h>
#include <keel/spinlock.h>
#include <keel/types.h>
#include <lib/ringbuf.h>

struct guest;

#define GUEST_CONSOLE_BUFFER KiB(16)     /* output kept per endpoint */
#define GUEST_CONSOLE_INPUT 256          /* input queued per endpoint */
#define GUEST_MAX_CONSOLES 4

struct console_endpoint {
	char name[GUEST_NAME_MAX];           /* "ttyAMA0", "hvc0" */
	struct guest *guest;
	spinlock_t lock;
	struct ringbuf out;                  /* guest output */
	uint8_t out_storage[GUEST_CONSOLE_BUFFER];
	bool attached;
	/* Output position the terminal has (been given to the host console). */
	uint64_t seen;
	uint64_t dropped;                    /* bytes lost while attached */
	uint64_t dropped_unreported;         /* of those, not yet announced */
	struct console_source source;        /* what the host console pulls */
	struct ringbuf in;                   /* user input, not yet taken */
	uint8_t in_storage[GUEST_CONSOLE_INPUT];
	/* The device behind the endpoint: told when input arrived. */
	void (*input_ready)(void *state);
	void *input_state;
};

/* Sets ep up for g, empty and detached, without a reader. */
void console_endpoint_init(struct console_endpoint *ep, struct guest *g,
			   const char *name);
/* Makes (fn, state) the device that reads ep's input; fn NULL removes it. */
void console_endpoint_set_reader(struct console_endpoint *ep,
				 void (*fn)(void *state), void *state);

/* ---- the device's end ---- */
/* Guest output: kept in the ring, and (while attached) left for the host
 * console to pull. Copies and returns: never waits for the terminal. */
void console_endpoint_output(struct console_endpoint *ep, const char *text,
			     size_t len);
/* Takes up to len bytes of queued input; returns how many. */
size_t console_endpoint_read(struct console_endpoint *ep, void *buf, size_t len);
/* The next input byte, or -1 when none. */
int console_endpoint_getc(struct console_endpoint *ep);
bool console_endpoint_input_pending(struct console_endpoint *ep);

/* ---- the shell's end ---- */
/* Queues host input for the device (then tells its reader); returns the
 * bytes accepted, fewer when the queue is full. */
size_t console_endpoint_input(struct console_endpoint *ep, const char *text,
			      size_t len);
/* Output unseen so far is replayed (when replay), then output goes to the
 * host console as it comes until detach. */
void console_endpoint_attach(struct console_endpoint *ep, bool replay);
void console_endpoint_detach(struct console_endpoint *ep);
/* Bytes of ep's output that an attached terminal never showed because it
 * could not keep up. */
uint64_t console_endpoint_dropped(struct console_endpoint *ep);

/* ---- a guest's endpoints ---- */
/* Adds ep to g's endpoints: -KEEL_EEXIST when g has one of that name,
 * -KEEL_ENOSPC when g has GUEST_MAX_CONSOLES. */
int guest_console_add(struct guest *g, struct console_endpoint *ep);
/* Removes ep (detached first); endpoint 0 stays. */
void guest_console_remove(struct guest *g, struct console_endpoint *ep);
/* g's endpoint called name, or NULL. With name NULL, the default one:
 * endpoint 0 when a device serves it or it is the only one, else the first
 * endpoint a device serves. */
struct console_endpoint *guest_console_find(struct guest *g, const char *name);
/* Endpoint index (0 .. count-1) of g, for listings; NULL past the end. */
struct console_endpoint *guest_console_at(struct guest *g, unsigned int index);

#endif
