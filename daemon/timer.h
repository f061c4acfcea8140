/*
 * timer.h: the deadlines of cases, from the rule files, as timers.
 *
 * When a case opens, each deadline of its type gets a 'due' timer and,
 * when it has remind_before, a 'remind' timer.  The daemon sleeps until
 * the earliest (timer_next()), then fires what is due: a reminder mails
 * the type's notify address if the deadline is not yet met; at its due
 * time a deadline is judged from the record (met: the acknowledgement was
 * sent, or the case reached the met_by state, before it fell due), an
 * event records the outcome, and a miss is mailed to escalate_to.  Each
 * timer fires once (a pending row changes state exactly once), also after
 * downtime, when the lateness is recorded.
 */
#ifndef RECOURSD_TIMER_H
#define RECOURSD_TIMER_H

#include <glib.h>

#include "rules.h"
#include "setup.h"
#include "store.h"

/*
 * The due instant of each deadline of t counted from the opening, for a
 * case opened at start; inside the caller's transaction.
 */
gboolean	 timer_schedule(struct store *, const struct setup *,
		    int64_t case_id, const struct rules_type *, int64_t start,
		    GError **);
/*
 * Staff gave command (its name, without #) and it moved the case to state
 * (NULL: none): the deadlines that start with it (starts_with, from now),
 * that apply once it is given (applies_with, from the opening), and those
 * it cancels (cancelled_by the command or the state).
 */
gboolean	 timer_command(struct store *, const struct setup *,
		    const struct store_case *, const struct rules_type *,
		    const char *command, const char *state, int64_t now,
		    GError **);

/*
 * The case is complete (the missing information came): it starts now, so
 * its deadlines count again from now (OPQTECC: "the case starts when it
 * is complete"); an event says so.
 */
gboolean	 timer_restart(struct store *, const struct setup *,
		    int64_t case_id, const struct rules_type *, int64_t now,
		    GError **);

/*
 * Fire what is due at now, one transaction each; how many, or -1 when
 * the store itself fails (try again later).  A timer that fails alone is
 * set aside: retried with backoff, then failed and staff told.
 */
int		 timer_fire(struct store *, const struct setup *, int64_t now,
		    gboolean *queued, GError **);

/* When the next timer falls due; 0 when none. */
int64_t		 timer_next(struct store *);

/* The due instant of dl from start; caller unrefs. */
GDateTime	*timer_due(const struct setup *, const struct rules_deadline *,
		    int64_t start);

#endif
