/*
 * ack.h: the acknowledgement of a new case, queued in the outbox in the
 * transaction that opens the case.
 *
 * RFC 3834: nothing automatic is answered.  Automatic mail
 * (autoreply_automatic()) opens no case, so it is never acknowledged; a
 * message without a From, or with our own X-Loop, opens its case and
 * gets no acknowledgement, and the reason is an event.
 */
#ifndef RECOURSD_ACK_H
#define RECOURSD_ACK_H

#include <glib.h>

#include "case.h"
#include "msg.h"
#include "setup.h"
#include "store.h"

/* NULL if m may be answered, else why not (static string): automatic
 * mail (autoreply.h), no sender, our own X-Loop. */
const char	*ack_refusal(const struct msg *, const struct conf *);

/*
 * Render the type's template for the case d opened, compose it and
 * queue it, with an event.  *queued tells whether a row was added.
 */
gboolean	 ack_queue(struct store *, const struct setup *,
		    const struct case_decision *, const struct msg *,
		    int64_t now, gboolean *queued, GError **);

#endif
