/*
 * staff_int.h: what the files of the staff module share (staff.c runs a
 * reply, staff_exec.c its commands, staff_check.c and staff_do.c their
 * hooks, staff_notify.c the mail between staff and complainants,
 * staff_receipt.c the receipts).  Not for other modules: they use
 * staff.h, or the command table (staff_cmd.h).
 */
#ifndef RECOURSD_STAFF_INT_H
#define RECOURSD_STAFF_INT_H

#include <glib.h>

#include "conf.h"
#include "msg.h"
#include "rules.h"
#include "setup.h"
#include "staff.h"
#include "staff_auth.h"
#include "staff_cmd.h"
#include "store.h"

/* A reply's commands as they are checked, one after the other. */
struct staff_check {
	struct store		*st;
	const struct setup	*s;
	const struct store_case	*c;	/* as it was before the reply */
	const struct rules_type	*type;	/* c's; NULL: none yet */
	const struct conf_staff	*who;	/* who replied */
	int64_t			 now;
	GPtrArray		*given;	/* the commands above, checked */
	const struct staff_cmd	*cmd;	/* the one being checked */
};

/* What a reply's commands did, for the letter and the receipt. */
struct staff_run {
	struct store		*st;
	const struct setup	*s;
	const struct conf_staff	*who;	/* who replied */
	const char		*actor;	/* "staff <address>", for events */
	int64_t			 now;
	GString			*receipt;
	gboolean		 note;	/* internal: not relayed */
	int			 letter; /* enum letter_kind, STAFF_NO_LETTER */
	GString			*to_complainant; /* #decision, #complexe texts */
	char			*missing; /* #incomplet: what is asked */
	const struct rules_outcome *outcome; /* of #decision, if typed */
};

/* One command as it runs. */
struct staff_step {
	const struct staff_cmd	*cmd;
	const struct store_case	*c;	/* as the commands above left it */
	const struct rules_type	*type;	/* c's; NULL: none yet */
	const char		*text;	/* what it acts on */
	const char		*detail; /* its event's detail */
	gboolean		 done;	/* prepare did all there was to do */
	char			*own_text; /* set by prepare, freed after */
	char			*own_detail;
};

/* staff_exec.c */
/*
 * Every command known, with its text when it needs one, its state move
 * allowed by the state machine and the type's states, its argument
 * valid: or none is run, and the receipt says why.
 */
gboolean	 staff_check_all(struct staff_check *, GPtrArray *lines,
		    GString *receipt, GError **);
/* Run the commands of lines, checked, each on the case as it is now. */
gboolean	 staff_run_all(struct staff_run *, GPtrArray *lines,
		    int64_t case_id, GError **);
/*
 * The letter the commands call for, from its template, with the staff
 * member's text and name, in the case as the commands left it.
 */
gboolean	 staff_send_letter(struct staff_run *, int64_t case_id,
		    const char *text, GError **);
/* #decision on a type whose decisions wait for an approver. */
gboolean	 staff_proposes(const struct staff_cmd *,
		    const struct rules_type *);
/* Whether the command name came above in the reply being checked. */
gboolean	 staff_given(const struct staff_check *, const char *name);

/* staff_do.c */
/* The deadline of the case missed last; NULL if none (or an error). */
struct store_timer *staff_last_missed(struct store *, int64_t case_id,
		    GError **);
void		 staff_timer_free(struct store_timer *);
/* The other party recorded with #partie, last one wins; caller frees. */
char		*staff_other_party(struct store *, int64_t case_id, GError **);

/* staff_notify.c */
/*
 * The reply's text, to the complainant, signed by the member of staff,
 * with their attachments.
 */
gboolean	 staff_relay(struct store *, const struct setup *,
		    const struct store_case *, const struct conf_staff *,
		    const struct msg *, const char *text, int64_t now,
		    GError **);

/* staff_receipt.c */
/*
 * A receipt to a member of staff, threaded to their reply, with a fresh
 * token: they can always answer the last mail they got.
 */
gboolean	 staff_send_receipt(struct store *, const struct setup *,
		    const struct store_case *, const char *to,
		    const char *in_reply_to, const char *body, int64_t now,
		    GError **);
/*
 * A reply not proven staff's: logged, an event, nothing done.  Staff get
 * one receipt a case a day at most, lest a forger flood them.
 */
gboolean	 staff_refuse(struct store *, const struct setup *,
		    const struct store_case *, const char *to,
		    const struct msg *, enum staff_auth, int64_t now,
		    GError **);

#endif
