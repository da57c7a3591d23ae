/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Backends: where a device's data comes from, named by one scheme-style
 * URL for every device (after Redox's schemes), so that one parser and one
 * namespace serve them all:
 *
 *   file:/images/disk.img        a file in the image file system
 *   ram:64M                      zeroed RAM; size with a K, M or G suffix
 *   hostdisk:vda[@offset+length] (part of) a disk of the host
 *   switch:br0                   a port on an in-Keel L2 switch
 *   console:hvc0                 a console endpoint the shell attaches to
 *   entropy:                     host entropy
 *
 * Parsing only checks the form; what a device accepts and whether the
 * thing named exists is the device's business.
 */
#ifndef KEEL_BACKEND_H
#define KEEL_BACKEND_H

#include <keel/guest_config.h>
#include <keel/types.h>

enum backend_type {
	BACKEND_FILE,
	BACKEND_RAM,
	BACKEND_HOSTDISK,
	BACKEND_SWITCH,
	BACKEND_CONSOLE,
	BACKEND_ENTROPY,
	BACKEND_TYPE_COUNT,
};

/* For allowed-type masks: BACKEND_BIT(BACKEND_FILE) | ... */
#define BACKEND_BIT(type) (1u << (type))

/* Longest name in hostdisk:, switch: and console: (a device-name rule:
 * a lower-case letter, then [a-z0-9_-]). */
#define BACKEND_NAME_MAX GUEST_NAME_MAX

struct backend {
	enum backend_type type;
	/* file: the absolute path; hostdisk:, switch:, console: the name;
	 * ram:, entropy: "". */
	char name[GUEST_DEVICE_PROP_MAX];
	/* ram: the size in bytes. hostdisk: the length of the window (0 when
	 * the whole disk). */
	uint64_t size;
	/* hostdisk: where the window starts on the disk. */
	uint64_t offset;
	bool has_window;        /* hostdisk: "@offset+length" was given */
};

/*
 * Parses url into *out. On failure returns -KEEL_EINVAL and writes one
 * message that quotes the URL into err ("\"ram:12Q\": size must be a
 * number with an optional K, M or G suffix").
 */
int backend_parse(const char *url, struct backend *out, char *err,
		  size_t err_len);
/*
 * As backend_parse(), and refuses a type outside allowed (a mask of
 * BACKEND_BIT()s), naming the schemes the device takes.
 */
int backend_parse_allowed(const char *url, unsigned int allowed,
			  struct backend *out, char *err, size_t err_len);
/* "file", "ram", ...: the scheme without its colon. */
const char *backend_type_name(enum backend_type type);
/*
 * Parses a size: decimal digits (or 0x and hex digits) and an optional
 * K, M or G suffix (either case, powers of 1024). Returns 0, or
 * -KEEL_EINVAL (not that form) or -KEEL_ERANGE (does not fit 64 bits).
 */
int backend_parse_size(const char *text, size_t len, uint64_t *value);

#endif
