/*
 * undelivered.h: mail that did not reach its recipient, refused by the
 * MTA (a failed outbox row) or bounced back later (a delivery status
 * notification matched to what we sent).  Either way the case records it
 * and staff are told.  A complainant who did not get a mail of the case
 * (the acknowledgement, a decision...) keeps it from closing until staff
 * record how they were informed (#informe).  Notices about undelivered
 * notices or alerts are not sent: no loop.
 */
#ifndef RECOURSD_UNDELIVERED_H
#define RECOURSD_UNDELIVERED_H

#include <glib.h>

#include "setup.h"
#include "store.h"

/*
 * Our mail of kind (the outbox kind) to rcpt, in case c (NULL: none), did
 * not arrive, because of why: an event, and a notice to staff; inside
 * the caller's transaction.
 */
gboolean	 undelivered_record(struct store *, const struct setup *,
		    const struct store_case *c, const char *kind,
		    const char *rcpt, const char *why, int64_t now,
		    gboolean *queued, GError **);

/* Record every failed outbox row not yet reported; how many, or -1. */
int		 undelivered_report(struct store *, const struct setup *,
		    int64_t now, GError **);

/*
 * Why case_id cannot close yet (caller frees), or NULL: the complainant
 * did not receive a mail and staff have not said how they were informed.
 */
char		*undelivered_blocks_closing(struct store *, int64_t case_id,
		    GError **);

#endif
