/*
 * report.h: the indicators the procedures ask for, computed from the
 * record (cases, events, outbox), never kept apart.
 */
#ifndef RECOURSD_REPORT_H
#define RECOURSD_REPORT_H

#include <glib.h>
#include <stdio.h>

#include "rules.h"
#include "store.h"

/*
 * CSV (or one JSON object per line), one line per type and month of year
 * (type NULL: all types): received, admissible, inadmissible, founded,
 * decided, closed, deadlines met and missed, median and maximum hours to
 * acknowledgement and days to decision, corrective actions and efficacy
 * checks, and the type's objectives with whether the month meets them.
 * FALSE on a store error.
 */
gboolean	 report_stats(struct store *, const struct rules *, int year,
		    const char *type, GTimeZone *, gboolean json, FILE *,
		    GError **);

#endif
