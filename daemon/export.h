/*
 * export.h: a case's file, for an auditor or a lawyer: every message in
 * and out as an mbox (as received and as sent), the attachments under
 * their names, and the events as a readable log with their hash chain.
 */
#ifndef RECOURSD_EXPORT_H
#define RECOURSD_EXPORT_H

#include <glib.h>

#include "setup.h"
#include "store.h"

/* Write the case ref into dir (created; must not exist). */
gboolean	 export_case(struct store *, const struct setup *,
		    const char *ref, const char *dir, GError **);

#endif
