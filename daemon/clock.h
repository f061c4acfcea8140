/*
 * clock.h: the time policy code reads.
 *
 * The real clock, unless RECOURSD_CLOCK_FILE names a file that sets a
 * simulated one, read afresh at each call:
 *
 *	SIM		the clock stands still at Unix time SIM;
 *	SIM REAL	the clock runs, a second a second, and showed SIM
 *			when the real clock showed REAL (clock_now() is
 *			SIM + real now - REAL).
 *
 * A scenario test thus starts at a fixed instant, whatever the date,
 * and runs a case through six months in seconds (it rewrites the file,
 * then sends SIGUSR1 so that the daemon looks at its timers again); the
 * running form lets retries and backoffs elapse.  A file that cannot be
 * read or parsed gives the real clock.  The same code runs either way;
 * nothing is compiled out.  Waits on the network and the backoff sleeps
 * use the monotonic clock, not this one.
 */
#ifndef RECOURSD_CLOCK_H
#define RECOURSD_CLOCK_H

#include <glib.h>

/* Seconds since the epoch. */
gint64		 clock_now(void);
/* TRUE when the clock is simulated (for the log). */
gboolean	 clock_simulated(void);

#endif
