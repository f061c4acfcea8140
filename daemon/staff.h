/*
 * staff.h: staff work by email.
 *
 * A new case is notified to staff with a Message-ID that carries an HMAC
 * token naming the case and the recipient.  A reply counts as staff's
 * only when it comes from a configured staff address and quotes a
 * notification whose token matches that address and that case.  Lines
 * starting with '#' at the top of the reply are commands; the rest, with
 * the quoted text and the signature cut off, is relayed to the
 * complainant under the organisation's name, unless #note makes the
 * reply internal.  Every reply gets a receipt listing what was done; an
 * unknown or invalid command changes nothing and the receipt says why.
 */
#ifndef RECOURSD_STAFF_H
#define RECOURSD_STAFF_H

#include <glib.h>

#include "case.h"
#include "check.h"
#include "msg.h"
#include "store.h"

/* 16 hex characters of HMAC-SHA256(key, ref|address); caller frees. */
char		*staff_token(const struct conf *, const char *ref,
		    const char *address);

#include "staff_text.h"

/* Notify staff of the case d opened (to the type's notify address). */
/* The Reply-To of a notification with reply_subaddress, or NULL. */
char		*staff_reply_to(const struct conf *, const char *ref,
		    const char *token);

/* Whether #name is a staff command (for met_by in the rules). */
gboolean	 staff_command_exists(const char *name);

gboolean	 staff_notify(struct store *, const struct setup *,
		    const struct case_decision *, const struct msg *,
		    int64_t now, gboolean *queued, GError **);

/*
 * If m, which joins case d, is a reply from staff: authenticate it, run
 * its commands, relay it, send the receipt.  *handled FALSE when m is not
 * from a staff address.
 */
gboolean	 staff_reply(struct store *, const struct setup *,
		    const struct case_decision *, const struct msg *,
		    int64_t now, gboolean *handled, GError **);

#endif
