/*
 * msg_int.h: what the msg_*.c files share; not for other modules.
 */
#ifndef RECOURSD_MSG_INT_H
#define RECOURSD_MSG_INT_H

#include <gmime/gmime.h>

#include "msg.h"

GQuark		 msg_error_quark(void);
#define MSG_ERROR	(msg_error_quark())

/*
 * The time budget of one parse (limits.parse_seconds).  Every loop over
 * the content checks it, so that no message can stall its mailbox: once
 * per part or stage, and every MSG_BUDGET_TICKS steps in loops over
 * bytes (reading the clock at each would cost more than the step).
 */
struct msg_budget {
	gint64			 deadline;	/* monotonic, usec */
	gdouble			 seconds;
	guint			 ticks;
};
#define MSG_BUDGET_TICKS	4096

void		 msg_budget_start(struct msg_budget *, gdouble seconds);
/* FALSE, and err says in what stage, once the budget is spent. */
gboolean	 msg_budget_check(struct msg_budget *, const char *stage,
		    GError **);
/* The same, reading the clock only every MSG_BUDGET_TICKS calls. */
gboolean	 msg_budget_tick(struct msg_budget *, const char *stage,
		    GError **);

/* The state of one walk over a message's parts. */
struct msg_walk {
	struct msg		*m;
	const struct msg_limits	*lim;
	const char		*attach_dir;
	struct msg_budget	*budget;
	GString			*plain;		/* first inline text/plain */
	GString			*html;		/* first inline text/html */
	guint			 nested;	/* inside an attached message */
};

/* msg_attach.c: store decoded bytes; the attachment is appended to m. */
gboolean	 msg_attach_wrapper(struct msg_walk *, GMimeDataWrapper *,
		    const char *name, const char *type, gboolean from_tnef,
		    GError **);
gboolean	 msg_attach_bytes(struct msg_walk *, const void *, gsize,
		    const char *name, const char *type, gboolean from_tnef,
		    GError **);
gboolean	 msg_attach_object(struct msg_walk *, GMimeObject *,
		    const char *name, GError **);

/*
 * msg_text.c: a text part as UTF-8, whatever it declares; NULL when it is
 * larger than max (err unset) or over the budget (err set).
 */
char		*msg_text_decode(GMimePart *, gsize max, struct msg_budget *,
		    GError **);
char		*msg_text_to_utf8(const char *, gsize, const char *charset);
/* HTML to readable text in time linear in html; NULL over the budget. */
char		*msg_html_to_text(const char *html, struct msg_budget *,
		    GError **);

/*
 * msg_tnef.c: unpack winmail.dat into attachments and body text; FALSE
 * only over the budget (what cannot be unpacked is kept as it came).
 */
gboolean	 msg_tnef_unpack(struct msg_walk *, GMimePart *, GError **);

#endif
