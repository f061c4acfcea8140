/*
 * log.h: the daemon's log, to stderr in the foreground and to syslog
 * (hence the journal) otherwise.  Three tiers, as in OpenSMTPD:
 * fatal()/fatalx() at start-up only, log_warn()/log_warnx() at run time as
 * "<module>: <object>: <what failed>", log_info()/log_debug() for the rest.
 * The "x" variants do not append strerror(errno).
 */
#ifndef RECOURSD_LOG_H
#define RECOURSD_LOG_H

#include <stdarg.h>

#define LOG_PRINTF(a, b)	__attribute__((format(printf, a, b)))

/* Start logging as ident; to stderr when foreground, else to syslog. */
void	log_init(const char *ident, int foreground, int verbose);
void	log_set_verbose(int verbose);
void	log_warn(const char *, ...) LOG_PRINTF(1, 2);
void	log_warnx(const char *, ...) LOG_PRINTF(1, 2);
void	log_info(const char *, ...) LOG_PRINTF(1, 2);
void	log_debug(const char *, ...) LOG_PRINTF(1, 2);
_Noreturn void fatal(const char *, ...) LOG_PRINTF(1, 2);
_Noreturn void fatalx(const char *, ...) LOG_PRINTF(1, 2);

#endif
