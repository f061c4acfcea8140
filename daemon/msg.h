/*
 * msg.h: one parsed inbound message (GMime 3).
 *
 * Header fields are decoded (RFC 2047) and valid UTF-8.  The text body is
 * text/plain when there is one, else text/html turned into text.
 * Attachments are streamed, decoded, into a content-addressed store
 * (DIR/ab/abcdef..., SHA-256 of the decoded bytes), so memory stays flat
 * whatever their size; their names are decoded (RFC 2047, 2231) and made
 * safe for disk.  A message that GMime cannot parse, or that exceeds a
 * limit, yields NULL and a reason fit for the quarantine.
 *
 * An attached message (message/rfc822) is stored whole as NAME.eml; its
 * own attachments are listed too, marked nested, so that staff see them
 * without opening it; its text stays out of the outer body.  winmail.dat
 * (TNEF) is unpacked into attachments (from_tnef) and body text; when it
 * cannot be, it is kept as it came and tnef_problem says why.
 */
#ifndef RECOURSD_MSG_H
#define RECOURSD_MSG_H

#include <glib.h>

struct msg_limits {
	gint64		 max_size;	/* bytes of the raw message */
	guint		 max_parts;	/* MIME parts, nested ones included */
	gsize		 max_header_bytes; /* top-level header block */
	guint		 max_depth;	/* nesting of multiparts and messages */
	gdouble		 time_budget_s;	/* to parse and store one message */
	gsize		 max_text_bytes; /* a bigger text part is an attachment */
};

struct msg_address {
	char		*name;		/* display name, may be NULL */
	char		*addr;		/* local@domain, may be NULL if broken */
};

struct msg_attachment {
	char		*filename;	/* sanitised, never empty */
	char		*content_type;	/* "type/subtype" */
	gint64		 size;		/* decoded bytes */
	char		 sha256[65];	/* hex; the file's name in the store */
	gboolean	 from_tnef;	/* unpacked from winmail.dat */
	gboolean	 nested;	/* inside an attached message */
};

struct msg {
	char		*subject;	/* "" when absent */
	struct msg_address from;
	struct msg_address reply_to;	/* addr NULL when absent */
	GPtrArray	*to;		/* of struct msg_address * */
	GPtrArray	*cc;
	gint64		 date;		/* Unix time; 0 when absent or bad */
	char		*message_id;	/* without <>; NULL when absent */
	char		*in_reply_to;	/* first id, without <> */
	GPtrArray	*references;	/* of char *, without <> */
	char		*auto_submitted;
	char		*precedence;
	char		*list_id;
	char		*body;		/* UTF-8 text, never NULL */
	GPtrArray	*attachments;	/* of struct msg_attachment * */
	gsize		 header_bytes;
	guint		 parts;
	char		*tnef_problem;	/* NULL, or why winmail.dat stayed packed */
	void		*gmime;		/* the GMimeMessage, for msg_header() */
};

struct msg_limits msg_limits_default(void);

/*
 * Parse the file at path, storing attachments under attach_dir.  NULL and
 * a quarantine reason in err when it cannot be parsed or breaks a limit.
 * Caller frees with msg_free().
 */
struct msg	*msg_parse_file(const char *path, const struct msg_limits *,
		    const char *attach_dir, GError **err);
/* The same, from bytes in memory (a raw message kept in the store);
 * the bytes are copied, the caller keeps its GBytes. */
struct msg	*msg_parse_data(GBytes *, const struct msg_limits *,
		    const char *attach_dir, GError **err);
/* Frees m and what it owns; msg_free(NULL) does nothing. */
void		 msg_free(struct msg *);

/*
 * Any header of the top-level message (the first when repeated), decoded
 * to UTF-8; NULL when absent.  Borrowed, valid until msg_free().
 */
const char	*msg_header(const struct msg *, const char *name);
/* Every header named name of the top level, in order; g_ptr_array_unref. */
GPtrArray	*msg_header_all(const struct msg *, const char *name);

/* A name safe for a file system; caller frees. */
char		*msg_safe_filename(const char *name);
/* Where the attachment of digest hex is kept: DIR/ab/<hex>; caller frees. */
char		*msg_attachment_path(const char *attach_dir, const char *hex);

/* "name <addr>, ..." for display and storage; caller frees. */
char		*msg_addresses_string(GPtrArray *);

#endif
