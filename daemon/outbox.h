/*
 * outbox.h: letters between the decision and the wire.
 *
 * Policy (ack, staff, timers...) records what it wants written as an
 * intent, inside the transaction that decides it: an outbox row in state
 * 'intent' whose letter column holds every field of the mail as a key
 * file, with its Message-ID already fixed.  The compose stage here builds
 * each intent into the exact bytes to send, in a transaction of its own:
 * a letter that cannot be built (an address that is no address, a file
 * gone) is failed with the reason, and its case and staff are told like
 * for a letter the MTA refused (undelivered.c).  The case it belongs to
 * is never rolled back for it.
 */
#ifndef RECOURSD_OUTBOX_H
#define RECOURSD_OUTBOX_H

#include <glib.h>

#include "compose.h"
#include "store.h"

/* The intent of m as text for the letter column; caller frees. */
char		*outbox_intent_encode(const struct compose_mail *);

/*
 * Add o (an intent of m) composed at once, or failed with the reason when
 * m cannot be built; inside the caller's transaction.  For letters whose
 * files do not outlive the call.
 */
gboolean	 outbox_add_composed(struct store *, const struct store_outbox *,
		    const struct compose_mail *, GError **);

/*
 * Compose every intent, each in its own transaction.  Returns how many
 * were composed or failed, or -1 when the store itself fails (the rest
 * wait for the next call).
 */
int		 outbox_compose(struct store *, int64_t now, GError **);

#endif
