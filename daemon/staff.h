/*
 * staff.h: staff work by email.
 *
 * A new case is notified to staff with a Message-ID that carries an HMAC
 * token naming the case, the recipient, the notice and its day.  A reply
 * counts as staff's only when it comes from a configured staff address
 * and quotes a notification whose token matches that address and that
 * case and has not expired (staff_auth.h).  Lines starting with '#' at
 * the top of the reply are commands; the rest, with the quoted text and
 * the signature cut off, is relayed to the complainant under the
 * organisation's name, unless #note makes the reply internal.  Every
 * reply gets a receipt listing what was done; an unknown or invalid
 * command changes nothing and the receipt says why.  The commands are
 * one table (staff_cmd.h).
 */
#ifndef RECOURSD_STAFF_H
#define RECOURSD_STAFF_H

#include <glib.h>

#include "case.h"
#include "msg.h"
#include "setup.h"
#include "store.h"

/*
 * Notify staff (the type's notify address) of the case d opened, or of a
 * complainant's new message in it, from its template.
 */
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
