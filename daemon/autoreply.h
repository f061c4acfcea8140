/*
 * autoreply.h: bounces (RFC 3464 delivery status notifications and the
 * common non-standard ones) and whom they are about.
 *
 * A bounce is matched to the message we sent by the Message-IDs of our
 * own domain it quotes (the returned message or its headers); it joins
 * that case, never opens one, and is never acknowledged.
 */
#ifndef RECOURSD_AUTOREPLY_H
#define RECOURSD_AUTOREPLY_H

#include <glib.h>

#include "msg.h"

/* Does m look like a delivery failure report? */
gboolean	 autoreply_is_bounce(const struct msg *);

/*
 * The Message-IDs of domain that m quotes, without <>, in the order
 * found; caller frees with g_ptr_array_unref().
 */
GPtrArray	*autoreply_our_ids(const struct msg *, const char *domain);

#endif
