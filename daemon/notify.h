/*
 * notify.h: mail that recoursd writes itself (acknowledgements, staff
 * notifications, relays, receipts, reminders, escalations, alerts),
 * recorded as an intent in the outbox inside the caller's transaction,
 * from the organisation, dated in Europe/Paris; the compose stage
 * (outbox.h) builds it apart, so that a letter that cannot be built
 * never undoes the decision that asked for it.
 */
#ifndef RECOURSD_NOTIFY_H
#define RECOURSD_NOTIFY_H

#include <glib.h>

#include "compose.h"
#include "conf.h"
#include "store.h"

struct notify_mail {
	const char	*kind;		/* outbox kind: "ack", "relay"... */
	int64_t		 case_id;	/* 0: none */
	const char	*to;
	const char	*to_name;	/* may be NULL */
	const char	*subject;
	const char	*body;
	const char	*auto_submitted; /* NULL: "auto-generated" */
	const char	*in_reply_to;	/* threading; may be NULL */
	const char	*references;
	const char	*message_id;	/* NULL: a new one */
	gboolean	 reply_to_us;	/* Reply-To: conf->reply_address */
	const char	*reply_to;	/* or this one */
	const char	*lang;		/* Content-Language; NULL: conf's */
	const struct compose_file *files; /* attached; may be NULL */
	guint		 nfiles;
	gboolean	 files_temporary; /* gone after the call: compose now */
};

/*
 * Record the intent, its Message-ID fixed now; NULL message_id_out or
 * one the caller frees.
 */
gboolean	 notify_send(struct store *, const struct conf *,
		    const struct notify_mail *, int64_t now,
		    char **message_id_out, GError **);

/*
 * A short mail to staff: to NULL is the administrator (alerts.admin);
 * with no one to send to, or no SMTP, nothing is queued.
 */
gboolean	 notify_queue(struct store *, const struct conf *,
		    const char *kind, int64_t case_id, const char *to,
		    const char *subject, const char *body, int64_t now,
		    gboolean *queued, GError **);
/*
 * The same about case (case_id, ref), with a token bound to its
 * recipient (notice_ids()): a reply to it may carry commands.
 * NULL ref: as notify_queue().
 */
gboolean	 notify_staff(struct store *, const struct conf *,
		    const char *kind, int64_t case_id, const char *ref,
		    const char *to, const char *subject, const char *body,
		    int64_t now, gboolean *queued, GError **);
/*
 * The same to a member of staff, named, always with a token: the caller
 * has checked that there is SMTP and a staff key.
 */
gboolean	 notify_member(struct store *, const struct conf *,
		    const char *kind, int64_t case_id, const char *ref,
		    const struct conf_staff *to, const char *subject,
		    const char *body, int64_t now, GError **);

#endif
