/*
 * staff_auth.h: whether a reply is really staff's.
 *
 * Two proofs, both needed when staff_authserv_id is set:
 *
 * - a token: each mail to a member of staff about a case has its own
 *   Message-ID "n.REF.DAY.NONCE.MAC@domain", MAC being 16 hex digits of
 *   HMAC-SHA256(staff_key, "v2|REF|address|DAY|NONCE"), DAY the day it
 *   was issued (days since 1970-01-01, UTC) and NONCE the notice's own.
 *   A reply quotes it (In-Reply-To, References, or the Reply-To
 *   subaddress "+n.REF.DAY.NONCE.MAC").  It is valid for staff_token_days
 *   days, for that address and that case only, under staff_key or, until
 *   staff_key_previous_until, staff_key_previous.  Tokens of the former
 *   form "n.REF.MAC.RANDOM", which never expired, are refused as expired.
 * - our own server's Authentication-Results (RFC 8601): among the
 *   staff_auth_results topmost ones, one with our authserv-id says
 *   dmarc=pass, or dkim=pass for a domain aligned with the From: domain,
 *   or spf=pass for an aligned smtp.mailfrom.
 *
 * A token only ever travels in the Message-ID of a mail to the address it
 * is bound to: staff_auth_public_ids() rewrites the threading headers of
 * every letter.
 */
#ifndef RECOURSD_STAFF_AUTH_H
#define RECOURSD_STAFF_AUTH_H

#include <glib.h>

#include "conf.h"
#include "msg.h"

enum staff_auth {
	STAFF_AUTH_OK,
	STAFF_AUTH_NO_TOKEN,		/* none valid for this address and case */
	STAFF_AUTH_EXPIRED,		/* a valid one, too old or old-style */
	STAFF_AUTH_NO_PASS,		/* no pass from our server */
};

/*
 * The Message-ID of a mail to address about ref issued at now, with its
 * token (caller frees), and, with reply_subaddress, its Reply-To
 * (*reply_to, or NULL; caller frees).
 */
char		*staff_notice_ids(const struct conf *, const char *ref,
		    const char *address, int64_t now, char **reply_to);

/* Whether m, about ref, is from its From: staff address (see above). */
enum staff_auth	 staff_authenticate(const struct conf *, const struct msg *,
		    const char *ref, int64_t now);

/* Why a verdict refuses, in the log's words; "" for STAFF_AUTH_OK. */
const char	*staff_auth_why(enum staff_auth);

/*
 * Whether the Authentication-Results values (topmost first) show a pass
 * from our server for from_domain.  TRUE without staff_authserv_id.
 */
gboolean	 staff_auth_results_pass(const struct conf *, GPtrArray *,
		    const char *from_domain);

/*
 * Relaxed alignment (RFC 7489 §3.1): the same organisational domain, by
 * the public suffix list when installed.
 */
gboolean	 staff_auth_aligned(const char *, const char *);

/* Constant-time equality of two strings of length n. */
gboolean	 staff_auth_equal(const char *, const char *, size_t n);

/* Whether id (no brackets) is one of our staff notices' Message-IDs. */
gboolean	 staff_auth_is_notice(const struct conf *, const char *id);

/*
 * Space-separated Message-IDs with each staff notice replaced by its
 * public form "p.REF.NONCE@domain" (without the token); caller frees;
 * NULL for NULL.
 */
char		*staff_auth_public_ids(const struct conf *, const char *ids);

/*
 * Whether the notice id may be the Message-ID of a mail to address: it
 * is not a staff notice, or its token is bound to that address.
 */
gboolean	 staff_auth_id_for(const struct conf *, const char *id,
		    const char *address);

#endif
