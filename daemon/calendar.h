/*
 * calendar.h: French deadlines.  Pure: no I/O, no database, no clock of
 * its own; the caller passes every instant.
 *
 * Units: hours (exact elapsed time, never extended), calendar days, weeks,
 * jours ouvrés (Mon-Fri), jours ouvrables (Mon-Sat) and months, skipping
 * French public holidays (Easter-derived ones computed), optionally the
 * Alsace-Moselle days, extra annual holidays (overseas) and closures.
 * The counting rules follow the Code de procédure civile, art. 640-642;
 * recoursd.rules(5) states them and the choices made where practice
 * differs (shared/research/domain.md §3-4).
 */
#ifndef RECOURSD_CALENDAR_H
#define RECOURSD_CALENDAR_H

#include <glib.h>

enum cal_unit {
	CAL_HOURS,
	CAL_DAYS,		/* calendar days */
	CAL_WEEKS,		/* 7 calendar days each */
	CAL_OUVRES,		/* Monday to Friday */
	CAL_OUVRABLES,		/* Monday to Saturday */
	CAL_MONTHS
};

struct cal_duration {
	enum cal_unit	 unit;
	int		 count;
};

struct cal;

/*
 * Parse "5 jours ouvrés", "24 heures", "2 mois", "3 working days"...:
 * French or English, any case, accents optional.  FALSE and a message
 * (without file:line: the caller adds it) on anything else.
 */
gboolean	 cal_parse_duration(const char *, struct cal_duration *,
		    GError **);
/* "5 jours ouvrés" or "5 working days"; caller frees. */
char		*cal_duration_format(const struct cal_duration *,
		    const char *lang);

/* A calendar in Europe/Paris.  Caller frees with cal_free(). */
struct cal	*cal_new(gboolean alsace_moselle);
void		 cal_free(struct cal *);
/* Every year on month/day (e.g. 22 May in Martinique). */
void		 cal_add_annual_holiday(struct cal *, GDateMonth, GDateDay,
		    const char *label);
/* from..to inclusive: the organisation is closed. */
void		 cal_add_closure(struct cal *, const GDate *from,
		    const GDate *to, const char *label);

/* The holiday's name, or NULL; borrowed.  Closures are not holidays. */
const char	*cal_holiday_name(const struct cal *, const GDate *);
/* Why day is not worked, or NULL if it is (Mon-Fri, no holiday/closure). */
const char	*cal_non_working_reason(const struct cal *, const GDate *);

/*
 * The instant the deadline expires: hours are exact elapsed time; days
 * and months end at 24:00 (returned as 00:00 of the next day, local) of
 * their last day, moved to the next working day when it falls on a
 * weekend, a holiday or a closure.  When explain is not NULL it receives
 * one line (char *) per day counted or skipped.  Caller unrefs.
 */
GDateTime	*cal_due(const struct cal *, GDateTime *start,
		    const struct cal_duration *, GPtrArray *explain);

/*
 * t, when it falls on a working day between from and until (minutes after
 * midnight, local time), else the next such opening time.  Caller unrefs.
 */
GDateTime	*cal_next_open(const struct cal *, GDateTime *t, int from,
		    int until);

/*
 * "2026-12-24T10:00" (Europe/Paris), "2026-12-24T10:00+01:00" or
 * "2026-12-24" (00:00).  A local time that does not exist or happens
 * twice (DST) needs an offset.  Caller unrefs.
 */
GDateTime	*cal_parse_instant(const struct cal *, const char *, GError **);
/* "2027-01-05T00:00:00+01:00"; caller frees. */
char		*cal_format(GDateTime *);
/* The calendar's time zone; borrowed. */
GTimeZone	*cal_zone(const struct cal *);

#endif
