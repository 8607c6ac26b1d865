/* Error codes of libforewarn: functions that can fail return 0 or a negative FW_E* code. */
#ifndef FW_ERR_H
#define FW_ERR_H

#define FW_WUR __attribute__((warn_unused_result))

enum {
	FW_OK = 0,
	FW_ENOMEM = -1,    /* out of memory */
	FW_EINVAL = -2,    /* invalid input: see the accompanying fw_error for the field */
	FW_ENOENT = -3,    /* no such object */
	FW_EEXIST = -4,    /* object already exists */
	FW_EIO = -5,       /* storage or system I/O failed */
	FW_ETOOBIG = -6,   /* input exceeds a documented limit */
	FW_ECONFLICT = -7, /* operation not allowed in the object's current state */
	FW_EPERM = -8,     /* permission denied */
	FW_EBUSY = -9,     /* resource busy, try again */
	FW_ECRYPTO = -10,  /* cryptographic failure */
};

/* fw_strerror: static text for an FW_E* code; never NULL. Thread-safe. */
const char *fw_strerror(int code);

/*
 * struct fw_error: a caller-owned detail for validation failures: which field, what is wrong.
 * Functions that take one write it only when they return FW_EINVAL (or FW_ETOOBIG/FW_ECONFLICT).
 */
struct fw_error {
	char field[64];
	char message[192];
};

/* fw_error_set: fill err (may be NULL) with field and a printf-style message; returns code. */
int fw_error_set(struct fw_error *err, int code, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

#endif
