/*
 * staff_auth.h: whether a reply is really staff's.
 *
 * Two proofs, both needed when staff_authserv_id is set:
 *
 * - a token (notice.h): the reply quotes a notice sent to its From:
 *   address about this case, and the notice's token is still valid;
 * - our own server's Authentication-Results (RFC 8601): among the
 *   staff_auth_results topmost ones, one with our authserv-id says
 *   dmarc=pass, or dkim=pass for a domain aligned with the From: domain,
 *   or spf=pass for an aligned smtp.mailfrom.
 */
#ifndef RECOURSD_STAFF_AUTH_H
#define RECOURSD_STAFF_AUTH_H

#include <glib.h>

#include "conf.h"
#include "msg.h"
#include "notice.h"

enum staff_auth {
	STAFF_AUTH_OK,
	STAFF_AUTH_NO_TOKEN,		/* none valid for this address and case */
	STAFF_AUTH_EXPIRED,		/* a valid one, too old or old-style */
	STAFF_AUTH_NO_PASS,		/* no pass from our server */
};

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

#endif
