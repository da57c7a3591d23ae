/* SPDX-License-Identifier: GPL-2.0-only */
/* Error codes: functions return 0 or a negative KEEL_E* value. */
#ifndef KEEL_ERRNO_H
#define KEEL_ERRNO_H

#define KEEL_EPERM 1
#define KEEL_ENOENT 2
#define KEEL_EIO 5
#define KEEL_E2BIG 7
#define KEEL_ENOMEM 12
#define KEEL_EFAULT 14
#define KEEL_EBUSY 16
#define KEEL_EEXIST 17
#define KEEL_ENOTDIR 20
#define KEEL_EISDIR 21
#define KEEL_EINVAL 22
#define KEEL_ENOSPC 28
#define KEEL_ERANGE 34
#define KEEL_ENAMETOOLONG 36
#define KEEL_ENOSYS 38
#define KEEL_ENOTSUP 95
#define KEEL_ETIMEDOUT 110

/* A short human-readable name for a negative error code ("no memory"). */
const char *keel_strerror(int err);

#endif
