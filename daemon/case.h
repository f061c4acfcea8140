/*
 * case.h: which case a message belongs to, and what that does to it.
 *
 * case_decide() only reads: it is what "recoursctl rules test" prints and
 * what the daemon then applies with case_apply(), inside the message's
 * transaction.  A message joins a case when it was already delivered to
 * another watched mailbox (same Message-ID), when its subject carries a
 * case reference, or when In-Reply-To or References name a message of a
 * case; otherwise it opens one, of the type its subject's tag says, or a
 * triage case.  Headers recoursd sets on its own mail (X-Loop, tracking)
 * are never trusted for this when they come from outside.
 *
 * Only the complainant (the case's From or Reply-To) and a party recorded
 * with #partie move a case by writing: complete it, reopen it, open its
 * successor.  Automatic mail (autoreply.h) opens no case and joins the
 * one it threads to as an "automatic" event; mail from anyone else joins
 * as a "third-party" event; staff move a case by their commands
 * (staff.h).  Neither changes the case.
 */
#ifndef RECOURSD_CASE_H
#define RECOURSD_CASE_H

#include <glib.h>

#include "calendar.h"
#include "case_state.h"
#include "msg.h"
#include "rules.h"
#include "setup.h"
#include "store.h"

enum case_action {
	CASE_OPEN,		/* a new case */
	CASE_JOIN,		/* a message of an existing case */
	CASE_ALREADY,		/* the same message, delivered again */
	CASE_NONE		/* automatic mail of no case: only kept */
};

/* Who wrote a message of a case, as its From address says. */
enum case_sender {
	CASE_BY_COMPLAINANT,	/* the case's From or Reply-To */
	CASE_BY_PARTY,		/* recorded with #partie */
	CASE_BY_STAFF,		/* a staff address: acts by commands */
	CASE_BY_THIRD_PARTY	/* anyone else */
};

struct case_decision {
	enum case_action	 action;
	const struct rules_type	*type;
	const char		*tag;		/* folded, or NULL */
	gboolean		 by_default;	/* the mailbox role's type */
	struct store_case	 existing;	/* JOIN, ALREADY, or linked */
	char			*joined_by;	/* why it joins */
	gboolean		 closed_answer;	/* kept in a closed case */
	enum case_state		 state;		/* the case's state after */
	gboolean		 state_changes;
	GPtrArray		*missing;	/* labels of required fields */
	gboolean		 completes;	/* fills the last missing field */
	gboolean		 admissibility_checked;
	gboolean		 out_of_time;
	char			*admissibility;	/* what was found, for the log */
	const char		*lang;		/* a new case's; NULL: "fr" */
	const char		*automatic;	/* why it is automatic mail */
	int			 year;		/* OPEN: of its reference, in the
						   calendar's time zone */
	enum case_sender	 sender;	/* JOIN, ALREADY */
};

void		 case_decision_clear(struct case_decision *);

/*
 * What msg, received at received_at on a mailbox of role, does, under
 * setup's rules, calendar and staff.  Reads the store only.  FALSE on a
 * store error.
 */
gboolean	 case_decide(struct store *, const struct setup *,
		    const struct msg *, const char *role, int64_t received_at,
		    struct case_decision *, GError **);

/* Whether a message of sender, automatic or not, may move its case. */
gboolean	 case_moves(const struct case_decision *);

/* "complainant", "party", "staff", "third party" (for logs, events). */
const char	*case_sender_name(enum case_sender);

/*
 * Write the decision: case, link of the message row, state, events, and
 * why the message is automatic.  Inside the caller's transaction.  Sets
 * d->existing.ref of a new case.
 */
gboolean	 case_apply(struct store *, struct case_decision *,
		    const struct msg *, int64_t message_row, const char *mailbox,
		    int64_t now, GError **);

#endif
