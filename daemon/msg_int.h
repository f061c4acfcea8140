/*
 * msg_int.h: what the msg_*.c files share; not for other modules.
 */
#ifndef RECOURSD_MSG_INT_H
#define RECOURSD_MSG_INT_H

#include <gmime/gmime.h>

#include "msg.h"

GQuark		 msg_error_quark(void);
#define MSG_ERROR	(msg_error_quark())

/* The state of one walk over a message's parts. */
struct msg_walk {
	struct msg		*m;
	const struct msg_limits	*lim;
	const char		*attach_dir;
	gint64			 deadline;	/* monotonic, usec */
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

/* msg_text.c: a text part as UTF-8, whatever it declares. */
char		*msg_text_decode(GMimePart *, gsize max);
char		*msg_text_to_utf8(const char *, gsize, const char *charset);
char		*msg_html_to_text(const char *);

/* msg_tnef.c: unpack winmail.dat into attachments and body text. */
void		 msg_tnef_unpack(struct msg_walk *, GMimePart *);

#endif
