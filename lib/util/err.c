/* Error texts and the validation-detail helper shared by every module. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "forewarn/err.h"

const char *fw_strerror(int code)
{
	switch (code) {
	case FW_OK:
		return "success";
	case FW_ENOMEM:
		return "out of memory";
	case FW_EINVAL:
		return "invalid input";
	case FW_ENOENT:
		return "not found";
	case FW_EEXIST:
		return "already exists";
	case FW_EIO:
		return "storage or I/O error";
	case FW_ETOOBIG:
		return "input too large";
	case FW_ECONFLICT:
		return "not allowed in the current state";
	case FW_EPERM:
		return "permission denied";
	case FW_EBUSY:
		return "busy";
	case FW_ECRYPTO:
		return "cryptographic failure";
	default:
		return "unknown error";
	}
}

int fw_error_set(struct fw_error *err, int code, const char *field, const char *fmt, ...)
{
	va_list ap;

	if (!err)
		return code;
	snprintf(err->field, sizeof(err->field), "%s", field ? field : "");
	va_start(ap, fmt);
	vsnprintf(err->message, sizeof(err->message), fmt, ap);
	va_end(ap);
	return code;
}
