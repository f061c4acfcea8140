/*
 * notify.h: short mail to staff and the administrator (health alerts,
 * reminders, escalations), queued in the outbox inside the caller's
 * transaction.  From the organisation, Auto-Submitted: auto-generated.
 */
#ifndef RECOURSD_NOTIFY_H
#define RECOURSD_NOTIFY_H

#include <glib.h>

#include "conf.h"
#include "store.h"

/* to NULL: the administrator (alerts.admin); no one: nothing queued. */
gboolean	 notify_queue(struct store *, const struct conf *,
		    const char *kind, int64_t case_id, const char *to,
		    const char *subject, const char *body, int64_t now,
		    gboolean *queued, GError **);

#endif
