/*
 * dashboard.h: the annual dashboard, one self-contained HTML page (inline
 * SVG, no script, nothing fetched) of the rows of report_rows(): what a
 * quality manager shows at the management review.
 */
#ifndef RECOURSD_DASHBOARD_H
#define RECOURSD_DASHBOARD_H

#include <glib.h>
#include <stdio.h>

/*
 * rows: struct report_row *, as report_rows() returns them; causes:
 * struct store_cause, as store_cause_counts() does; channels: struct
 * store_count, as store_channel_counts() does (NULL: none shown).
 */
void		 dashboard_write(FILE *, const char *org, int year,
		    GPtrArray *rows, GArray *causes, GArray *channels);

#endif
