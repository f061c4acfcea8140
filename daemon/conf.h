/*
 * conf.h: the main configuration (recoursd.conf, libconfig syntax).
 * conf_load() checks every group against a table of allowed keys, so a
 * misspelt option is an error, and reports all errors of a file in one
 * run as "file:line: message".  The result is immutable once loaded; a
 * reload builds a new one and swaps it only if it is valid.
 */
#ifndef RECOURSD_CONF_H
#define RECOURSD_CONF_H

#include <glib.h>
#include <stdint.h>

#include "calendar.h"
#include "cfg.h"

enum conf_security {
	CONF_SEC_IMAPS,		/* TLS from the first byte (993, 465) */
	CONF_SEC_STARTTLS,	/* plaintext greeting, then STARTTLS */
	CONF_SEC_NONE		/* loopback only, unless forced */
};

/* What to do with a message on the server once it is safely stored. */
enum conf_after {
	CONF_AFTER_LEAVE,
	CONF_AFTER_SEEN,
	CONF_AFTER_MOVE
};

struct conf_mailbox {
	char			*name;		/* unique, used in the store */
	char			*host;
	int			 port;
	enum conf_security	 security;
	gboolean		 allow_plaintext; /* "none" off loopback */
	char			*user;
	char			*password;	/* from password or password_file */
	char			*folder;
	char			*role;		/* client, secretariat, ... */
	enum conf_after		 after;
	char			*move_to;	/* with CONF_AFTER_MOVE */
	char			*ca_file;	/* NULL: system trust store */
	int			 poll_interval;	/* seconds, when no IDLE */
	const char		*file;		/* where it was defined (interned) */
	int			 line;
};

struct conf_smtp {
	char			*host;
	int			 port;
	enum conf_security	 security;
	gboolean		 allow_plaintext;
	char			*user;		/* NULL: no AUTH */
	char			*password;
	char			*ca_file;
	int64_t			 max_age;	/* seconds a 4xx is retried */
};

struct conf_limits {
	int64_t			 message_size;	/* bytes; over it: quarantine */
	int			 parts;		/* MIME parts per message */
	int64_t			 header_size;	/* bytes of header block */
	int			 depth;		/* nested multiparts/messages */
	double			 parse_seconds;	/* time budget per message */
	int64_t			 stream_threshold; /* fetch alone, to a file */
	int			 acks_per_hour;	/* per sender: loops stop */
	int64_t			 notify_attachments; /* bytes attached to staff */
};

struct conf_imap {
	int			 timeout;	/* seconds, every network wait */
	int			 idle_restart;	/* seconds, < 29 min (RFC 2177) */
	int			 backoff_max;	/* seconds between reconnects */
	int			 fetch_batch;	/* UIDs per UID FETCH */
};

/* A member of staff: replies from this address may carry commands. */
struct conf_staff {
	char			*address;
	char			*name;
	char			*role;
};

/* Letters on paper (the post group). */
struct conf_post {
	char			*role;		/* staff role that posts letters */
	GPtrArray		*sender;	/* the sender block, char * lines */
	char			*city;		/* "Six-Fours-les-Plages, le ..." */
	struct cal_duration	 remind_every;	/* a letter not yet posted */
	struct cal_duration	 receipt_within; /* registered: the receipt */
};

struct conf_closure {
	GDate			 from;
	GDate			 to;
	char			*label;
};

struct conf {
	char			*path;		/* the file that was loaded */
	gboolean		 no_secrets;	/* password files left unread */
	char			*org_name;
	char			*org_address;	/* From: of what we send */
	char			*org_domain;	/* right side of our Message-IDs */
	char			*database;
	char			*control_group;	/* may use the control socket */
	char			*spool;		/* raw messages, attachments */
	char			*rules;		/* directory of rule files */
	char			*templates;	/* holds fr/ and en/ */
	char			*template_overrides; /* the same, read first */
	char			*language;	/* default template language */
	gboolean		 detect_language; /* complainant's, if we have it */
	char			*admin;		/* gets health alerts; may be NULL */
	int			 mailbox_alert_after; /* seconds failing */
	GPtrArray		*mailboxes;	/* of struct conf_mailbox * */
	GPtrArray		*staff;		/* of struct conf_staff * */
	char			*staff_key;	/* HMAC key of reply tokens */
	char			*reply_address;	/* where staff replies go */
	GRegex			*quote_separators; /* more quote starts */
	gboolean		 reply_subaddress; /* token in Reply-To too */
	char			*staff_authserv_id; /* staff replies need a DKIM
					   or SPF pass from this server */
	int			 staff_auth_results; /* topmost A-R headers read */
	int			 staff_token_days; /* a token's life */
	char			*staff_key_previous; /* rotated out, still valid */
	int64_t			 staff_key_previous_until; /* last day (UTC,
					   days since the epoch) */
	struct conf_smtp	 smtp;
	gboolean		 has_smtp;
	struct conf_limits	 limits;
	struct conf_imap	 imap;
	gboolean		 alsace_moselle;
	int			 open_from;	/* minutes after midnight, */
	int			 open_until;	/* on working days */
	GArray			*closures;	/* of struct conf_closure */
	struct cfg_period		 retention;	/* kept after closing */
	gboolean		 retention_delete; /* message rows too */
	int			 retention_line; /* 0: the default */
	struct conf_post	 post;
};

/*
 * Load path.  On failure returns NULL and appends one "file:line: msg"
 * line per problem to errors (caller owns errors).  Caller frees the
 * result with conf_free().
 */
struct conf	*conf_load(const char *path, GString *errors);
/*
 * The same, without reading any password file (passwords stay NULL): for
 * what never connects, such as recoursctl, so that an administrator who
 * may not read the secrets can still test a rule or compute a deadline.
 */
struct conf	*conf_load_public(const char *path, GString *errors);
/*
 * Only the calendar group of path (closures, Alsace-Moselle, opening
 * hours), for "recoursctl deadline --profile"; the rest is not checked.
 */
struct conf	*conf_load_calendar(const char *path, GString *errors);
void		 conf_free(struct conf *);

/* Borrowed; NULL when addr is not staff (case-insensitive). */
const struct conf_staff *conf_staff(const struct conf *, const char *addr);

/* Borrowed; NULL when no mailbox has that name. */
const struct conf_mailbox *conf_mailbox(const struct conf *, const char *name);

const char	*conf_security_name(enum conf_security);


#endif
