/*
 * notice.h: the tokens of staff notices.
 *
 * Each mail to a member of staff about a case has its own Message-ID
 * "n.REF.DAY.NONCE.MAC@domain", MAC being 16 hex digits of
 * HMAC-SHA256(staff_key, "v2|REF|address|DAY|NONCE"), DAY the day it was
 * issued (days since 1970-01-01, UTC) and NONCE the notice's own.  A
 * reply quotes it (In-Reply-To, References, or the Reply-To subaddress
 * "+n.REF.DAY.NONCE.MAC"); staff_auth.h says what makes a reply staff's.
 * A token is valid for staff_token_days days, for that address and that
 * case only, under staff_key or, until staff_key_previous_until,
 * staff_key_previous.  Tokens of the former form "n.REF.MAC.RANDOM",
 * which never expired, count as expired.
 *
 * A token only ever travels in the Message-ID of a mail to the address it
 * is bound to: notice_public_ids() rewrites the threading headers of
 * every letter.
 */
#ifndef RECOURSD_NOTICE_H
#define RECOURSD_NOTICE_H

#include <glib.h>

#include "conf.h"

enum notice_token {
	NOTICE_NONE,			/* no token valid for the address and case */
	NOTICE_VALID,
	NOTICE_EXPIRED,			/* a valid one, too old or old-style */
};

/*
 * The Message-ID of a mail to address about ref issued at now, with its
 * token (caller frees), and, with reply_subaddress, its Reply-To
 * (*reply_to, or NULL; caller frees).
 */
char		*notice_ids(const struct conf *, const char *ref,
		    const char *address, int64_t now, char **reply_to);

/*
 * What the notice local part says of a reply from address about ref: a
 * valid token (staff_key, or staff_key_previous in its grace period), an
 * expired one, or none.
 */
enum notice_token notice_check(const struct conf *, const char *local,
		    const char *ref, const char *address, int64_t now);

/* id's local part when id is at our domain (caller frees); else NULL. */
char		*notice_local(const struct conf *, const char *id);

/* Whether id (no brackets) is one of our staff notices' Message-IDs. */
gboolean	 notice_is_ours(const struct conf *, const char *id);

/*
 * Space-separated Message-IDs with each staff notice replaced by its
 * public form "p.REF.NONCE@domain" (without the token); caller frees;
 * NULL for NULL.
 */
char		*notice_public_ids(const struct conf *, const char *ids);

/*
 * Whether the notice id may be the Message-ID of a mail to address: it
 * is not a staff notice, or its token is bound to that address.
 */
gboolean	 notice_id_for(const struct conf *, const char *id,
		    const char *address);

/* Constant-time equality of two strings of length n. */
gboolean	 notice_equal(const char *, const char *, size_t n);

#endif
