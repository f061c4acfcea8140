/*
 * clock.h: the time policy code reads.
 *
 * The real clock, unless RECOURSD_CLOCK_FILE names a file holding a Unix
 * time: then that time, read afresh at each call, so that a scenario test
 * runs a case through six months in seconds (it writes the file, then
 * sends SIGUSR1 so that the daemon looks at its timers again).  The same
 * code runs either way; nothing is compiled out.  Waits on the network
 * and the backoff sleeps use the monotonic clock, not this one.
 */
#ifndef RECOURSD_CLOCK_H
#define RECOURSD_CLOCK_H

#include <glib.h>

/* Seconds since the epoch. */
gint64		 clock_now(void);
/* TRUE when the clock is simulated (for the log). */
gboolean	 clock_simulated(void);

#endif
