/*
 * log.c: see log.h.  syslog() reaches journald on a systemd machine, so
 * the daemon needs no journal-specific code path.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>

#include "log.h"

static int	log_foreground = 1;
static int	log_verbose;
static const char *log_ident = "recoursd";

static void	vlog(int, const char *, const char *, va_list) LOG_PRINTF(3, 0);

void
log_init(const char *ident, int foreground, int verbose)
{
	log_ident = ident;
	log_foreground = foreground;
	log_verbose = verbose;
	if (!foreground)
		openlog(ident, LOG_PID | LOG_NDELAY, LOG_MAIL);
	tzset();
}

void
log_set_verbose(int verbose)
{
	log_verbose = verbose;
}

/* One line per message; suffix is strerror() text or NULL. */
static void
vlog(int pri, const char *suffix, const char *fmt, va_list ap)
{
	char	buf[4096];

	vsnprintf(buf, sizeof(buf), fmt, ap);
	if (log_foreground) {
		if (suffix != NULL)
			fprintf(stderr, "%s: %s: %s\n", log_ident, buf, suffix);
		else
			fprintf(stderr, "%s: %s\n", log_ident, buf);
		fflush(stderr);
		return;
	}
	if (suffix != NULL)
		syslog(pri, "%s: %s", buf, suffix);
	else
		syslog(pri, "%s", buf);
}

void
log_warn(const char *fmt, ...)
{
	va_list	ap;
	char	buf[256];
	const char *err = strerror_r(errno, buf, sizeof(buf));

	va_start(ap, fmt);
	vlog(LOG_WARNING, err, fmt, ap);
	va_end(ap);
}

void
log_warnx(const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	vlog(LOG_WARNING, NULL, fmt, ap);
	va_end(ap);
}

void
log_info(const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	vlog(LOG_INFO, NULL, fmt, ap);
	va_end(ap);
}

void
log_debug(const char *fmt, ...)
{
	va_list	ap;

	if (!log_verbose)
		return;
	va_start(ap, fmt);
	vlog(LOG_DEBUG, NULL, fmt, ap);
	va_end(ap);
}

void
fatal(const char *fmt, ...)
{
	va_list	ap;
	char	buf[256];
	const char *err = strerror_r(errno, buf, sizeof(buf));

	va_start(ap, fmt);
	vlog(LOG_CRIT, err, fmt, ap);
	va_end(ap);
	exit(1);
}

void
fatalx(const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	vlog(LOG_CRIT, NULL, fmt, ap);
	va_end(ap);
	exit(1);
}
