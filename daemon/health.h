/*
 * health.h: the administrator's alerts about mailboxes.
 *
 * Fetch threads record when a mailbox started failing and why; this
 * module, on the main loop, decides: a mailbox failing for longer than
 * alerts.mailbox_down_after gets one mail to alerts.admin, and one more
 * when it works again.  The mail is an outbox row, queued in the same
 * transaction that records that it was sent.
 */
#ifndef RECOURSD_HEALTH_H
#define RECOURSD_HEALTH_H

#include <glib.h>

#include "conf.h"
#include "store.h"

/* Returns how many alerts were queued, or -1 on a store error. */
int		 health_check(struct store *, const struct conf *, int64_t now,
		    GError **);

/*
 * Messages set aside (quarantined, or failed while processed) since the
 * last such alert, named in one mail to alerts.admin, once an hour at
 * most.  Returns 1 when it was queued, 0 when not, -1 on a store error.
 */
int		 health_set_aside(struct store *, const struct conf *,
		    int64_t now, GError **);

#endif
