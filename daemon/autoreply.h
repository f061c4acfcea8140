/*
 * autoreply.h: automatic mail (RFC 3834), bounces (RFC 3464 delivery
 * status notifications and the common non-standard ones) and whom they
 * are about.
 *
 * Automatic mail opens no case, completes or reopens none, and is never
 * answered: it is kept, and recorded in the case it threads to.  A bounce
 * is automatic mail that is matched, besides, to the message we sent by
 * the Message-IDs of our own domain it quotes (the returned message or
 * its headers); it joins that case.
 */
#ifndef RECOURSD_AUTOREPLY_H
#define RECOURSD_AUTOREPLY_H

#include <glib.h>

#include "msg.h"

/*
 * Why m is automatic mail, or NULL when it may come from a person: the
 * first rule that matches, as a static string for the log and the event.
 * The rules, in order: a report part (multipart/report, or a part
 * message/delivery-status, message/global-delivery-status,
 * message/feedback-report or message/disposition-notification, outside
 * attached messages); Auto-Submitted other than "no"; a null envelope
 * sender (Return-Path: <>); list mail (List-Id, List-Post, ezmlm's
 * Mailing-List); Precedence bulk, list or junk; a robot sender in From
 * or Sender (MAILER-DAEMON, postmaster, owner-*, *-request, *-bounces);
 * an auto-responder's own header (X-Autoreply...); an out-of-office
 * subject ("Automatic reply:", "Réponse automatique :"...).
 */
const char	*autoreply_automatic(const struct msg *);

/* Does m look like a delivery failure report? */
gboolean	 autoreply_is_bounce(const struct msg *);

/*
 * The Message-IDs of domain that m quotes, without <>, in the order
 * found; caller frees with g_ptr_array_unref().
 */
GPtrArray	*autoreply_our_ids(const struct msg *, const char *domain);

#endif
