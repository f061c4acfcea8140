/*
 * compose.h: outgoing messages, built with GMime.
 *
 * Every message we send has our organisation in From:, a Message-ID of
 * our own domain fixed when it is queued, Auto-Submitted (RFC 3834),
 * X-Loop naming us, Content-Language, and a UTF-8 text body in
 * quoted-printable; names and subjects are RFC 2047-encoded by GMime.  No
 * value can add a header line: CR and LF in any value become spaces, and
 * an address with CR, LF, '<' or '>' is refused.
 */
#ifndef RECOURSD_COMPOSE_H
#define RECOURSD_COMPOSE_H

#include <glib.h>

/* A file attached to a message. */
struct compose_file {
	const char	*filename;
	const char	*content_type;	/* "type/subtype" */
	const char	*path;		/* read when the message is built */
};

struct compose_mail {
	const char	*from_name;	/* the organisation */
	const char	*from_addr;
	const char	*to_name;	/* may be NULL */
	const char	*to_addr;
	const char	*reply_to;	/* may be NULL */
	const char	*subject;
	const char	*body;		/* UTF-8 text */
	const char	*lang;		/* "fr" or "en" */
	const char	*auto_submitted; /* "auto-replied" or "auto-generated" */
	const char	*in_reply_to;	/* without <>; may be NULL */
	const char	*references;	/* space separated, without <> */
	const char	*domain;	/* right side of the Message-ID */
	gint64		 date;		/* Unix time (the injectable clock) */
	GTimeZone	*tz;		/* of the Date: header; NULL: UTC */
	const char	*message_id;	/* without <>; NULL: a new one */
	const struct compose_file *files; /* attached after the text; a file
					   that cannot be read is left out */
	guint		 nfiles;
};

/*
 * The message as the bytes to send over SMTP (CRLF line ends), and its
 * Message-ID (without <>) in *message_id.  Caller frees both.
 */
GBytes		*compose_message(const struct compose_mail *, char **message_id,
		    GError **);

/* An address fit for MAIL FROM / RCPT TO (no CR, LF, <, >; <= 254). */
gboolean	 compose_address_ok(const char *);

#endif
