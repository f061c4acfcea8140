/*
 * smtp.h: delivering the outbox, on a thread of its own.
 *
 * The sender moves bytes from outbox rows to the configured server and
 * records each server's reply; it knows nothing of cases.  A row whose
 * server said 2xx is sent (the reply, with the queue id, is kept as proof);
 * 4xx or a lost connection is retried with exponential backoff until the
 * row is older than smtp.max_age; 5xx fails the row at once.  Replies are
 * classified by their numeric code: libetpan maps 450 and 550 to the same
 * error value.
 */
#ifndef RECOURSD_SMTP_H
#define RECOURSD_SMTP_H

#include <glib.h>

#include "conf.h"

struct smtp_sender;

/* conf is borrowed until smtp_sender_stop().  NULL if conf has no smtp. */
struct smtp_sender *smtp_sender_start(const struct conf *, GError **);
/* New rows were queued: look now rather than at the next due time. */
void		 smtp_sender_kick(struct smtp_sender *);
void		 smtp_sender_stop(struct smtp_sender *);

#endif
