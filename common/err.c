/*
 * err.c - filling and describing struct err (see err.h).
 */
#include "err.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void err_clear(struct err *e)
{
	if (e) {
		e->code = 0;
		e->msg[0] = '\0';
	}
}

static void vset(struct err *e, int code, const char *fmt, va_list ap)
{
	e->code = code;
	vsnprintf(e->msg, sizeof e->msg, fmt, ap);
}

int err_set(struct err *e, int code, const char *fmt, ...)
{
	if (e && e->code == 0) {
		va_list ap;
		va_start(ap, fmt);
		vset(e, code, fmt, ap);
		va_end(ap);
	}
	return code;
}

int err_errno(struct err *e, int errnum, const char *fmt, ...)
{
	if (e && e->code == 0) {
		va_list ap;
		va_start(ap, fmt);
		vset(e, errnum, fmt, ap);
		va_end(ap);
		size_t n = strlen(e->msg);
		snprintf(e->msg + n, sizeof e->msg - n, ": %s", strerror(errnum));
	}
	return errnum;
}

const char *err_str(int code)
{
	switch (code) {
	case 0: return "success";
	case ERR_NOMEM: return "out of memory";
	case ERR_CORRUPT: return "index is corrupt";
	case ERR_FORMAT_VERSION: return "unsupported index format version";
	case ERR_PARSE: return "parse error";
	case ERR_USAGE: return "usage error";
	case ERR_IO: return "i/o error";
	case ERR_LIMIT: return "input exceeds a limit";
	case ERR_LOCKED: return "index is locked by another writer";
	case ERR_NOTFOUND: return "not found";
	default: return code > 0 ? strerror(code) : "unknown error";
	}
}

int err_stdout_ok(const char *prog)
{
	if (fflush(stdout) == 0 && !ferror(stdout))
		return 1;
	fprintf(stderr, "%s: cannot write standard output: %s\n", prog,
		strerror(errno ? errno : EIO));
	return 0;
}
