/*
 * report.h: the indicators the procedures ask for, computed from the
 * record (cases, events, outbox), never kept apart.
 */
#ifndef RECOURSD_REPORT_H
#define RECOURSD_REPORT_H

#include <glib.h>
#include <stdio.h>

#include "store.h"

/*
 * CSV, one line per type and month of year (type NULL: all types):
 * received, admissible, inadmissible, founded, decided, closed, deadlines
 * met and missed, median and maximum hours to acknowledgement and days to
 * decision.  FALSE on a store error.
 */
gboolean	 report_stats(struct store *, int year, const char *type,
		    GTimeZone *, FILE *, GError **);

#endif
