/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The backend URL parser (keel/backend.h). A URL comes from a guest node,
 * so it is hostile input: every message quotes it in printable form, and
 * nothing is read past its terminator.
 */
#include <keel/backend.h>
#include <keel/devtree_props.h>
#include <keel/errno.h>
#include <lib/format.h>
#include <stdarg.h>
#include <string.h>

static const char *const backend_schemes[BACKEND_TYPE_COUNT] = {
	[BACKEND_FILE] = "file",
	[BACKEND_RAM] = "ram",
	[BACKEND_HOSTDISK] = "hostdisk",
	[BACKEND_SWITCH] = "switch",
	[BACKEND_CONSOLE] = "console",
	[BACKEND_ENTROPY] = "entropy",
};

/* What each scheme's value looks like, for messages. */
static const char *const backend_examples[BACKEND_TYPE_COUNT] = {
	[BACKEND_FILE] = "file:/images/disk.img",
	[BACKEND_RAM] = "ram:64M",
	[BACKEND_HOSTDISK] = "hostdisk:vda or hostdisk:vda@1M+64M",
	[BACKEND_SWITCH] = "switch:br0",
	[BACKEND_CONSOLE] = "console:hvc0",
	[BACKEND_ENTROPY] = "entropy:",
};

const char *backend_type_name(enum backend_type type)
{
	return (unsigned int)type < BACKEND_TYPE_COUNT ? backend_schemes[type] : "?";
}

/* Writes "\"<url>\": <message>" into err; returns -KEEL_EINVAL. */
static int __printf(4, 5) backend_error(char *err, size_t err_len, const char *url,
					const char *fmt, ...)
{
	char shown[GUEST_DEVICE_PROP_MAX];
	int len;

	if (!err || !err_len)
		return -KEEL_EINVAL;
	devtree_copy_printable(shown, sizeof(shown), url,
			       url ? (int)strnlen(url, sizeof(shown) - 1) : 0);
	len = fmt_snprintf(err, err_len, "\"%s\": ", shown);
	if (len >= 0 && (size_t)len < err_len) {
		va_list ap;

		va_start(ap, fmt);
		fmt_vsnprintf(err + len, err_len - (size_t)len, fmt, ap);
		va_end(ap);
	}
	return -KEEL_EINVAL;
}

static int backend_digit(char c, unsigned int base)
{
	int value;

	if (c >= '0' && c <= '9')
		value = c - '0';
	else if (c >= 'a' && c <= 'f')
		value = c - 'a' + 10;
	else if (c >= 'A' && c <= 'F')
		value = c - 'A' + 10;
	else
		return -1;
	return (unsigned int)value < base ? value : -1;
}

int backend_parse_size(const char *text, size_t len, uint64_t *value)
{
	unsigned int base = 10, shift = 0;
	uint64_t result = 0;
	size_t i = 0, digits_end = len;

	if (!text || !len)
		return -KEEL_EINVAL;
	switch (text[len - 1]) {
	case 'k': case 'K': shift = 10; digits_end--; break;
	case 'm': case 'M': shift = 20; digits_end--; break;
	case 'g': case 'G': shift = 30; digits_end--; break;
	default: break;
	}
	if (digits_end > 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X')) {
		base = 16;
		i = 2;
	}
	if (i == digits_end)
		return -KEEL_EINVAL;
	for (; i < digits_end; i++) {
		int digit = backend_digit(text[i], base);

		if (digit < 0)
			return -KEEL_EINVAL;
		if (result > (UINT64_MAX - (uint64_t)digit) / base)
			return -KEEL_ERANGE;
		result = result * base + (uint64_t)digit;
	}
	if (shift && result > (UINT64_MAX >> shift))
		return -KEEL_ERANGE;
	*value = result << shift;
	return 0;
}

/* The device-name rule: a lower-case letter, then [a-z0-9_-]. */
static bool backend_name_valid(const char *name, size_t len)
{
	size_t i;

	if (len < 1 || len >= BACKEND_NAME_MAX || !(name[0] >= 'a' && name[0] <= 'z'))
		return false;
	for (i = 1; i < len; i++) {
		char c = name[i];

		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-'))
			return false;
	}
	return true;
}

static int backend_parse_name(const char *url, const char *value, size_t len,
			      const char *what, struct backend *out, char *err,
			      size_t err_len)
{
	if (!len)
		return backend_error(err, err_len, url, "give a %s name: %s", what,
				     backend_examples[out->type]);
	if (!backend_name_valid(value, len))
		return backend_error(err, err_len, url,
				     "%s name must be 1..%d characters of [a-z0-9_-] starting with a letter",
				     what, BACKEND_NAME_MAX - 1);
	memcpy(out->name, value, len);
	out->name[len] = '\0';
	return 0;
}

static int backend_parse_file(const char *url, const char *path, size_t len,
			      struct backend *out, char *err, size_t err_len)
{
	size_t i;

	if (!len)
		return backend_error(err, err_len, url, "give a path: %s",
				     backend_examples[BACKEND_FILE]);
	if (path[0] != '/')
		return backend_error(err, err_len, url,
				     "the path must be absolute (start with \"/\")");
	for (i = 0; i < len; i++) {
		if (path[i] <= ' ' || path[i] > '~')
			return backend_error(err, err_len, url,
					     "the path must be printable characters without spaces");
	}
	memcpy(out->name, path, len);
	out->name[len] = '\0';
	return 0;
}

static int backend_parse_ram(const char *url, const char *text, size_t len,
			     struct backend *out, char *err, size_t err_len)
{
	int ret;

	if (!len)
		return backend_error(err, err_len, url, "give a size: %s",
				     backend_examples[BACKEND_RAM]);
	ret = backend_parse_size(text, len, &out->size);
	if (ret == -KEEL_ERANGE)
		return backend_error(err, err_len, url, "size does not fit in 64 bits");
	if (ret)
		return backend_error(err, err_len, url,
				     "size must be a number with an optional K, M or G suffix");
	if (!out->size)
		return backend_error(err, err_len, url, "size must not be 0");
	return 0;
}

/* hostdisk:<name>[@<offset>+<length>] */
static int backend_parse_hostdisk(const char *url, const char *value, size_t len,
				  struct backend *out, char *err, size_t err_len)
{
	const char *at = memchr(value, '@', len);
	const char *plus;
	size_t name_len = at ? (size_t)(at - value) : len;
	int ret;

	ret = backend_parse_name(url, value, name_len, "disk", out, err, err_len);
	if (ret || !at)
		return ret;
	at++;
	len -= name_len + 1;
	plus = memchr(at, '+', len);
	if (!plus)
		return backend_error(err, err_len, url,
				     "a window on the disk is @<offset>+<length>, e.g. %s",
				     backend_examples[BACKEND_HOSTDISK]);
	ret = backend_parse_size(at, (size_t)(plus - at), &out->offset);
	if (ret)
		return backend_error(err, err_len, url,
				     ret == -KEEL_ERANGE ? "offset does not fit in 64 bits" :
				     "offset must be a number with an optional K, M or G suffix");
	ret = backend_parse_size(plus + 1, len - (size_t)(plus - at) - 1, &out->size);
	if (ret)
		return backend_error(err, err_len, url,
				     ret == -KEEL_ERANGE ? "length does not fit in 64 bits" :
				     "length must be a number with an optional K, M or G suffix");
	if (!out->size)
		return backend_error(err, err_len, url, "length must not be 0");
	if (out->offset > UINT64_MAX - out->size)
		return backend_error(err, err_len, url, "offset + length wraps past 2^64");
	out->has_window = true;
	return 0;
}

int backend_parse(const char *url, struct backend *out, char *err, size_t err_len)
{
	const char *colon, *value;
	size_t url_len, scheme_len, value_len;
	unsigned int type;

	if (err && err_len)
		err[0] = '\0';
	if (!out)
		return -KEEL_EINVAL;
	memset(out, 0, sizeof(*out));
	url_len = url ? strnlen(url, GUEST_DEVICE_PROP_MAX) : 0;
	if (url_len >= GUEST_DEVICE_PROP_MAX)
		return backend_error(err, err_len, url, "longer than %d characters",
				     GUEST_DEVICE_PROP_MAX - 1);
	colon = url ? memchr(url, ':', url_len) : NULL;
	if (!colon)
		return backend_error(err, err_len, url,
				     "a backend is <scheme>:<value>, with scheme file, ram, hostdisk, switch, console or entropy");
	scheme_len = (size_t)(colon - url);
	for (type = 0; type < BACKEND_TYPE_COUNT; type++) {
		if (strlen(backend_schemes[type]) == scheme_len &&
		    !memcmp(url, backend_schemes[type], scheme_len))
			break;
	}
	if (type == BACKEND_TYPE_COUNT) {
		char scheme[24];

		devtree_copy_printable(scheme, sizeof(scheme), url,
				       (int)MIN(scheme_len, sizeof(scheme) - 1));
		return backend_error(err, err_len, url,
				     "unknown scheme \"%s\"; known: file, ram, hostdisk, switch, console, entropy",
				     scheme);
	}
	out->type = (enum backend_type)type;
	value = colon + 1;
	value_len = url_len - scheme_len - 1;
	switch (out->type) {
	case BACKEND_FILE:
		return backend_parse_file(url, value, value_len, out, err, err_len);
	case BACKEND_RAM:
		return backend_parse_ram(url, value, value_len, out, err, err_len);
	case BACKEND_HOSTDISK:
		return backend_parse_hostdisk(url, value, value_len, out, err, err_len);
	case BACKEND_SWITCH:
		return backend_parse_name(url, value, value_len, "switch", out, err, err_len);
	case BACKEND_CONSOLE:
		return backend_parse_name(url, value, value_len, "console", out, err, err_len);
	case BACKEND_ENTROPY:
		if (value_len)
			return backend_error(err, err_len, url,
					     "entropy takes no value: write \"entropy:\"");
		return 0;
	default:
		return -KEEL_EINVAL;
	}
}

int backend_parse_allowed(const char *url, unsigned int allowed,
			  struct backend *out, char *err, size_t err_len)
{
	char list[96];
	size_t used = 0;
	unsigned int type, count = 0, total = 0;
	int ret;

	ret = backend_parse(url, out, err, err_len);
	if (ret || (allowed & BACKEND_BIT(out->type)))
		return ret;
	for (type = 0; type < BACKEND_TYPE_COUNT; type++)
		total += (allowed & BACKEND_BIT(type)) != 0;
	list[0] = '\0';
	for (type = 0; type < BACKEND_TYPE_COUNT && used < sizeof(list); type++) {
		int n;

		if (!(allowed & BACKEND_BIT(type)))
			continue;
		count++;
		n = fmt_snprintf(list + used, sizeof(list) - used, "%s%s:",
				 count == 1 ? "" : count == total ? " or " : ", ",
				 backend_schemes[type]);
		if (n < 0)
			break;
		used += (size_t)n;
	}
	return backend_error(err, err_len, url,
			     "this device's backend must be %s; found %s:", list,
			     backend_schemes[out->type]);
}
