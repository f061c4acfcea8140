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

/* The figures of one type in one month; a double is -1 when there is none. */
struct report_row {
	char		*type;
	int		 month;
	int		 received, admissible, inadmissible, founded, decided;
	int		 closed;
	int		 met, missed;		/* deadlines */
	int		 actions, closed_actions, checked; /* corrective:
						   opened, done, efficacy */
	double		 met_share;		/* percent */
	double		 median_ack_hours, max_ack_hours;
	double		 median_decision_days, max_decision_days;
	int		 objective_max_per_month;	/* -1: none */
	double		 objective_deadlines_met;	/* -1: none */
	const char	*objectives_met;	/* "yes", "no", "": none */
};

/*
 * One row per type and month of year in which cases were opened (type
 * NULL: all types), sorted by type then month; NULL on a store error.
 * g_ptr_array_unref.
 */
GPtrArray	*report_rows(struct store *, const struct rules *, int year,
		    const char *type, GTimeZone *, GError **);

/*
 * The rows as CSV with a header line (or one JSON object per line):
 * received, admissible, inadmissible, founded, decided, closed, deadlines
 * met and missed, median and maximum hours to acknowledgement and days to
 * decision, corrective actions opened and closed and their efficacy
 * checks, and the type's
 * objectives with whether the month meets them.  FALSE on a store error.
 */
gboolean	 report_stats(struct store *, const struct rules *, int year,
		    const char *type, GTimeZone *, gboolean json, FILE *,
		    GError **);

/* A JSON string literal of s (or null); caller frees. */
char		*report_json_str(const char *);

/*
 * The causes staff gave (#cause) of the cases opened in year, per type:
 * CSV "year,type,cause,cases" (or JSON lines).  FALSE on a store error.
 */
gboolean	 report_causes(struct store *, int year, const char *type,
		    gboolean json, FILE *, GError **);
/* The same counts (struct store_cause), most frequent first; unref. */
GArray		*report_cause_counts(struct store *, int year,
		    const char *type, GError **);

/*
 * The cases of year per channel they came by (email, courrier,
 * telephone...): CSV "year,channel,cases" (or JSON lines).
 */
gboolean	 report_channels(struct store *, int year, const char *type,
		    gboolean json, FILE *, GError **);

#endif
