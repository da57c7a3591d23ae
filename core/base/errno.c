/* SPDX-License-Identifier: GPL-2.0-only */
/* keel_strerror: short names for the KEEL_E* error codes. */
#include <keel/errno.h>
#include <keel/types.h>

static const struct {
	int code;
	const char *text;
} errno_names[] = {
	{ KEEL_EPERM, "operation not permitted" },
	{ KEEL_ENOENT, "no such file or entry" },
	{ KEEL_EIO, "input/output error" },
	{ KEEL_E2BIG, "argument list too long" },
	{ KEEL_ENOMEM, "no memory" },
	{ KEEL_EFAULT, "bad address" },
	{ KEEL_EBUSY, "busy" },
	{ KEEL_EEXIST, "already exists" },
	{ KEEL_ENOTDIR, "not a directory" },
	{ KEEL_EISDIR, "is a directory" },
	{ KEEL_EINVAL, "invalid argument" },
	{ KEEL_ENOSPC, "no space left" },
	{ KEEL_ERANGE, "out of range" },
	{ KEEL_ENAMETOOLONG, "name too long" },
	{ KEEL_ENOSYS, "not available on this machine" },
	{ KEEL_ENOTSUP, "not supported" },
	{ KEEL_ETIMEDOUT, "timed out" },
};

const char *keel_strerror(int err)
{
	/* Accept both -KEEL_EINVAL and KEEL_EINVAL: callers pass either. */
	unsigned int code = err < 0 ? 0U - (unsigned int)err : (unsigned int)err;

	if (err == 0)
		return "success";
	for (size_t i = 0; i < ARRAY_SIZE(errno_names); i++) {
		if ((unsigned int)errno_names[i].code == code)
			return errno_names[i].text;
	}
	return "unknown error";
}
