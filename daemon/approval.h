/*
 * approval.h: impartial decisions.  A type with approver_roles (see
 * recoursd.rules(5)) does not decide on the word of one person: #decision
 * proposes, and the decision takes effect (state, letter) only when a
 * member of staff with one of those roles approves it with #approuver,
 * who is not involved in the case: not its assignee (#assigner), not the
 * author of the proposal, not named with #implique (e.g. the auditor of
 * the contested inspection).  Proposal and approval are events.
 */
#ifndef RECOURSD_APPROVAL_H
#define RECOURSD_APPROVAL_H

#include <glib.h>

#include "setup.h"
#include "store.h"

/* Whether decisions of type t wait for an approver. */
gboolean	 approval_required(const struct rules_type *);

/*
 * The decision proposed and not yet approved: its text and its author's
 * address (caller frees both); FALSE when there is none (or on error).
 */
gboolean	 approval_pending(struct store *, int64_t case_id, char **text,
		    char **author, GError **);

/*
 * Why who may not approve the pending decision of c (caller frees), or
 * NULL when they may.
 */
char		*approval_refusal(struct store *, const struct setup *,
		    const struct store_case *, const struct conf_staff *who,
		    GError **);

/*
 * Record the proposal of author and ask every member of staff who could
 * approve it, each by a mail whose token lets them answer #approuver.
 */
gboolean	 approval_propose(struct store *, const struct setup *,
		    const struct store_case *, const struct conf_staff *author,
		    const char *text, int64_t now, GError **);

#endif
