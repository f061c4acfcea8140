/*
 * calendar.c: see calendar.h.  The rules, with their sources, are in
 * shared/research/domain.md §3; recoursd.rules(5) states them for
 * administrators.  In short:
 *
 * - hours: exact elapsed time from the start instant, across DST changes,
 *   never extended (a deadline in hours may end on a Sunday);
 * - days, weeks, months: the day of the event is not counted (CPC 641);
 *   months go "de quantième à quantième" from the origin, clamped to the
 *   month's last day (31 Jan + 1 month = 28/29 Feb);
 * - jours ouvrés count Monday-Friday, jours ouvrables Monday-Saturday,
 *   each skipping public holidays and closures; a jours-ouvrables count
 *   may end on a Saturday (Saturday counts: probe P1);
 * - calendar days and months ending on a Saturday, Sunday, holiday or
 *   closure move to the next Monday-Friday working day (CPC 642 al. 2);
 * - a deadline in days or months expires at 24:00 of its last day, given
 *   as 00:00 of the next day, local time with its offset (CPC 642 al. 1).
 */
#include "config.h"

#include <string.h>

#include "calendar.h"

struct closure {
	GDate		 from;
	GDate		 to;
	char		*label;
};

struct annual {
	GDateMonth	 month;
	GDateDay	 day;
	char		*label;
};

struct cal {
	GTimeZone	*tz;
	gboolean	 alsace_moselle;
	GArray		*closures;	/* of struct closure */
	GArray		*annual;	/* of struct annual */
};

static const struct {
	const char	*text;		/* accents stripped, lower case */
	enum cal_unit	 unit;
} unit_names[] = {
	{ "heure", CAL_HOURS }, { "heures", CAL_HOURS }, { "h", CAL_HOURS },
	{ "hour", CAL_HOURS }, { "hours", CAL_HOURS },
	{ "jour", CAL_DAYS }, { "jours", CAL_DAYS },
	{ "jour calendaire", CAL_DAYS }, { "jours calendaires", CAL_DAYS },
	{ "day", CAL_DAYS }, { "days", CAL_DAYS },
	{ "calendar day", CAL_DAYS }, { "calendar days", CAL_DAYS },
	{ "semaine", CAL_WEEKS }, { "semaines", CAL_WEEKS },
	{ "week", CAL_WEEKS }, { "weeks", CAL_WEEKS },
	{ "jour ouvre", CAL_OUVRES }, { "jours ouvres", CAL_OUVRES },
	{ "working day", CAL_OUVRES }, { "working days", CAL_OUVRES },
	{ "business day", CAL_OUVRES }, { "business days", CAL_OUVRES },
	{ "jour ouvrable", CAL_OUVRABLES }, { "jours ouvrables", CAL_OUVRABLES },
	{ "mois", CAL_MONTHS }, { "month", CAL_MONTHS }, { "months", CAL_MONTHS },
};

static void	 easter(GDateYear, GDate *);
static gboolean	 same_day(const GDate *, GDateYear, GDateMonth, GDateDay);
static const char *closure_label(const struct cal *, const GDate *);
static gboolean	 counts(const struct cal *, const GDate *, enum cal_unit);
static void	 explain_day(GPtrArray *, const struct cal *, const GDate *,
		    const char *, gboolean);
static GDateTime *end_of_day(const struct cal *, const GDate *);
static void	 extend(const struct cal *, GDate *, GPtrArray *);
static void	 local_date(const struct cal *, GDateTime *, GDate *);
static char	*complete_iso(const char *, gboolean *);
static gboolean	 exists_once(GDateTime *, const char *);

static GQuark
cal_quark(void)
{
	return g_quark_from_static_string("recoursd-calendar");
}

gboolean
cal_parse_duration(const char *text, struct cal_duration *d, GError **err)
{
	char	*ascii, *words, *end;
	gint64	 n;
	size_t	 i;

	ascii = g_str_to_ascii(text, "C");
	g_strstrip(ascii);
	n = g_ascii_strtoll(ascii, &end, 10);
	words = g_ascii_strdown(g_strstrip(end), -1);
	g_strdelimit(words, "\t", ' ');
	for (i = 0; end != ascii && n > 0 && n <= 10000 &&
	    i < G_N_ELEMENTS(unit_names); i++)
		if (strcmp(words, unit_names[i].text) == 0)
			break;
	if (end == ascii || n <= 0 || n > 10000 ||
	    i == G_N_ELEMENTS(unit_names)) {
		g_set_error(err, cal_quark(), 0, "\"%s\" is not a duration: "
		    "give a number and a unit (heures, jours, semaines, jours "
		    "ouvrés, jours ouvrables, mois; or hours, days, weeks, "
		    "working days, months)", text);
		g_free(ascii);
		g_free(words);
		return FALSE;
	}
	d->unit = unit_names[i].unit;
	d->count = (int)n;
	g_free(ascii);
	g_free(words);
	return TRUE;
}

char *
cal_duration_format(const struct cal_duration *d, const char *lang)
{
	static const char *const fr[][2] = {
		[CAL_HOURS] = { "heure", "heures" },
		[CAL_DAYS] = { "jour", "jours" },
		[CAL_WEEKS] = { "semaine", "semaines" },
		[CAL_OUVRES] = { "jour ouvré", "jours ouvrés" },
		[CAL_OUVRABLES] = { "jour ouvrable", "jours ouvrables" },
		[CAL_MONTHS] = { "mois", "mois" },
	};
	static const char *const en[][2] = {
		[CAL_HOURS] = { "hour", "hours" },
		[CAL_DAYS] = { "day", "days" },
		[CAL_WEEKS] = { "week", "weeks" },
		[CAL_OUVRES] = { "working day", "working days" },
		[CAL_OUVRABLES] = { "working day (Mon-Sat)",
		    "working days (Mon-Sat)" },
		[CAL_MONTHS] = { "month", "months" },
	};
	const char *const (*names)[2] = lang != NULL &&
	    strcmp(lang, "en") == 0 ? en : fr;

	return g_strdup_printf("%d %s", d->count,
	    names[d->unit][d->count > 1]);
}

struct cal *
cal_new(gboolean alsace_moselle)
{
	struct cal	*c = g_new0(struct cal, 1);

	c->tz = g_time_zone_new_identifier("Europe/Paris");
	if (c->tz == NULL)	/* no tzdata: still correct in winter */
		c->tz = g_time_zone_new_offset(3600);
	c->alsace_moselle = alsace_moselle;
	c->closures = g_array_new(FALSE, FALSE, sizeof(struct closure));
	c->annual = g_array_new(FALSE, FALSE, sizeof(struct annual));
	return c;
}

void
cal_free(struct cal *c)
{
	guint	 i;

	if (c == NULL)
		return;
	for (i = 0; i < c->closures->len; i++)
		g_free(g_array_index(c->closures, struct closure, i).label);
	for (i = 0; i < c->annual->len; i++)
		g_free(g_array_index(c->annual, struct annual, i).label);
	g_array_free(c->closures, TRUE);
	g_array_free(c->annual, TRUE);
	g_time_zone_unref(c->tz);
	g_free(c);
}

void
cal_add_annual_holiday(struct cal *c, GDateMonth month, GDateDay day,
    const char *label)
{
	struct annual	 a = { month, day, g_strdup(label) };

	g_array_append_val(c->annual, a);
}

void
cal_add_closure(struct cal *c, const GDate *from, const GDate *to,
    const char *label)
{
	struct closure	 cl;

	cl.from = *from;
	cl.to = *to;
	cl.label = g_strdup(label);
	g_array_append_val(c->closures, cl);
}

GTimeZone *
cal_zone(const struct cal *c)
{
	return c->tz;
}

/* Gregorian Easter Sunday (anonymous / Meeus-Jones-Butcher algorithm). */
static void
easter(GDateYear y, GDate *out)
{
	int	 a = y % 19, b = y / 100, c = y % 100, d = b / 4, e = b % 4;
	int	 f = (b + 8) / 25, g = (b - f + 1) / 3;
	int	 h = (19 * a + b - d - g + 15) % 30, i = c / 4, k = c % 4;
	int	 l = (32 + 2 * e + 2 * i - h - k) % 7;
	int	 m = (a + 11 * h + 22 * l) / 451;
	int	 month = (h + l - 7 * m + 114) / 31;
	int	 day = (h + l - 7 * m + 114) % 31 + 1;

	g_date_clear(out, 1);
	g_date_set_dmy(out, (GDateDay)day, (GDateMonth)month, y);
}

static gboolean
same_day(const GDate *d, GDateYear y, GDateMonth m, GDateDay day)
{
	return g_date_get_year(d) == y && g_date_get_month(d) == m &&
	    g_date_get_day(d) == day;
}

/* Code du travail L3133-1; L3134-13 for Alsace-Moselle. */
const char *
cal_holiday_name(const struct cal *c, const GDate *d)
{
	static const struct {
		GDateMonth	 month;
		GDateDay	 day;
		const char	*name;
	} fixed[] = {
		{ 1, 1, "Jour de l'an" }, { 5, 1, "Fête du Travail" },
		{ 5, 8, "Victoire 1945" }, { 7, 14, "Fête nationale" },
		{ 8, 15, "Assomption" }, { 11, 1, "Toussaint" },
		{ 11, 11, "Armistice 1918" }, { 12, 25, "Noël" },
	};
	GDateYear	 y = g_date_get_year(d);
	GDate		 e;
	int		 off;
	size_t		 i;

	for (i = 0; i < G_N_ELEMENTS(fixed); i++)
		if (same_day(d, y, fixed[i].month, fixed[i].day))
			return fixed[i].name;
	for (i = 0; i < c->annual->len; i++) {
		const struct annual *a = &g_array_index(c->annual, struct annual, i);

		if (same_day(d, y, a->month, a->day))
			return a->label;
	}
	easter(y, &e);
	off = (int)g_date_days_between(&e, d);
	if (off == 1)
		return "Lundi de Pâques";
	if (off == 39)
		return "Ascension";
	if (off == 50)
		return "Lundi de Pentecôte";
	if (c->alsace_moselle && off == -2)
		return "Vendredi saint (Alsace-Moselle)";
	if (c->alsace_moselle && same_day(d, y, 12, 26))
		return "Saint-Étienne (Alsace-Moselle)";
	return NULL;
}

static const char *
closure_label(const struct cal *c, const GDate *d)
{
	guint	 i;

	for (i = 0; i < c->closures->len; i++) {
		const struct closure *cl = &g_array_index(c->closures,
		    struct closure, i);

		if (g_date_compare(d, &cl->from) >= 0 &&
		    g_date_compare(d, &cl->to) <= 0)
			return cl->label;
	}
	return NULL;
}

const char *
cal_non_working_reason(const struct cal *c, const GDate *d)
{
	const char	*why;

	if ((why = cal_holiday_name(c, d)) != NULL)
		return why;
	if ((why = closure_label(c, d)) != NULL)
		return why;
	switch (g_date_get_weekday(d)) {
	case G_DATE_SATURDAY:
		return "samedi";
	case G_DATE_SUNDAY:
		return "dimanche";
	default:
		return NULL;
	}
}

/* Does d count as one unit of a working-day deadline? */
static gboolean
counts(const struct cal *c, const GDate *d, enum cal_unit unit)
{
	if (unit == CAL_OUVRABLES && g_date_get_weekday(d) == G_DATE_SATURDAY)
		return cal_holiday_name(c, d) == NULL &&
		    closure_label(c, d) == NULL;
	return cal_non_working_reason(c, d) == NULL;
}

/* One line of --explain; with_reason adds why the day is not worked. */
static void
explain_day(GPtrArray *explain, const struct cal *c, const GDate *d,
    const char *what, gboolean with_reason)
{
	static const char *const days[] = { "", "lun.", "mar.", "mer.",
	    "jeu.", "ven.", "sam.", "dim." };
	const char	*why;

	if (explain == NULL)
		return;
	why = with_reason ? cal_non_working_reason(c, d) : NULL;
	g_ptr_array_add(explain, g_strdup_printf("%04u-%02u-%02u %s %s%s%s%s",
	    g_date_get_year(d), g_date_get_month(d), g_date_get_day(d),
	    days[g_date_get_weekday(d)], what, why != NULL ? " (" : "",
	    why != NULL ? why : "", why != NULL ? ")" : ""));
}

/* 24:00 of d, as 00:00 of the next day in the calendar's zone. */
static GDateTime *
end_of_day(const struct cal *c, const GDate *d)
{
	GDate	 next = *d;

	g_date_add_days(&next, 1);
	return g_date_time_new(c->tz, (gint)g_date_get_year(&next),
	    (gint)g_date_get_month(&next), (gint)g_date_get_day(&next), 0, 0, 0);
}

/* CPC 642 al. 2: a last day that is not worked moves to the next one. */
static void
extend(const struct cal *c, GDate *d, GPtrArray *explain)
{
	while (cal_non_working_reason(c, d) != NULL) {
		explain_day(explain, c, d, "skipped: last day not worked", TRUE);
		g_date_add_days(d, 1);
	}
}

static void
local_date(const struct cal *c, GDateTime *t, GDate *d)
{
	GDateTime	*local = g_date_time_to_timezone(t, c->tz);

	g_date_clear(d, 1);
	g_date_set_dmy(d, (GDateDay)g_date_time_get_day_of_month(local),
	    (GDateMonth)g_date_time_get_month(local),
	    (GDateYear)g_date_time_get_year(local));
	g_date_time_unref(local);
}

GDateTime *
cal_due(const struct cal *c, GDateTime *start, const struct cal_duration *dur,
    GPtrArray *explain)
{
	GDateTime *t, *local;
	GDate	 d;
	int	 n = 0;
	guint	 day;

	if (dur->unit == CAL_HOURS) {
		/* Elapsed time; shown in the calendar's zone, not the start's. */
		t = g_date_time_add(start, (GTimeSpan)dur->count *
		    G_TIME_SPAN_HOUR);
		local = g_date_time_to_timezone(t, c->tz);
		g_date_time_unref(t);
		return local;
	}
	local_date(c, start, &d);
	switch (dur->unit) {
	case CAL_DAYS:
	case CAL_WEEKS:
		g_date_add_days(&d, (guint)dur->count *
		    (dur->unit == CAL_WEEKS ? 7 : 1));
		explain_day(explain, c, &d, "counted: last day", FALSE);
		extend(c, &d, explain);
		break;
	case CAL_MONTHS:
		/* De quantième à quantième, clamped, always from the origin. */
		day = g_date_get_day(&d);
		g_date_set_day(&d, 1);
		g_date_add_months(&d, (guint)dur->count);
		g_date_set_day(&d, (GDateDay)MIN(day, g_date_get_days_in_month(
		    g_date_get_month(&d), g_date_get_year(&d))));
		explain_day(explain, c, &d, "counted: last day", FALSE);
		extend(c, &d, explain);
		break;
	default:	/* jours ouvrés, jours ouvrables */
		while (n < dur->count) {
			char	*what;

			g_date_add_days(&d, 1);
			if (!counts(c, &d, dur->unit)) {
				explain_day(explain, c, &d, "skipped", TRUE);
				continue;
			}
			what = g_strdup_printf("counted: day %d", ++n);
			explain_day(explain, c, &d, what, FALSE);
			g_free(what);
		}
		break;
	}
	return end_of_day(c, &d);
}

/* "YYYY-MM-DD[THH:MM[:SS]][offset]" to a full ISO 8601 text; caller frees. */
static char *
complete_iso(const char *text, gboolean *has_offset)
{
	const char	*t = strchr(text, 'T');
	const char	*rest;

	*has_offset = FALSE;
	if (t == NULL)
		return g_strconcat(text, "T00:00:00", NULL);
	rest = t + 1;
	while (g_ascii_isdigit(*rest) || *rest == ':')
		rest++;
	*has_offset = *rest == '+' || *rest == '-' || *rest == 'Z';
	if (rest - (t + 1) == 5)	/* HH:MM */
		return g_strdup_printf("%.*s:00%s", (int)(rest - text), text,
		    rest);
	return g_strdup(text);
}

/* GLib moves a time in the spring gap, and picks one of the two in the
 * autumn: neither is what was written. */
static gboolean
exists_once(GDateTime *t, const char *text)
{
	char		*back = g_date_time_format(t, "%Y-%m-%dT%H:%M:%S");
	GDateTime	*later = g_date_time_add_hours(t, 1);
	GDateTime	*earlier = g_date_time_add_hours(t, -1);
	gboolean	 ok;

	ok = strncmp(back, text, 19) == 0 &&
	    g_date_time_get_hour(later) != g_date_time_get_hour(t) &&
	    g_date_time_get_hour(earlier) != g_date_time_get_hour(t);
	g_free(back);
	g_date_time_unref(later);
	g_date_time_unref(earlier);
	return ok;
}

GDateTime *
cal_parse_instant(const struct cal *c, const char *text, GError **err)
{
	GDateTime	*t;
	gboolean	 has_offset;
	char		*full = complete_iso(text, &has_offset);

	t = g_date_time_new_from_iso8601(full, c->tz);
	if (t == NULL)
		g_set_error(err, cal_quark(), 0, "\"%s\" is not a date: give "
		    "YYYY-MM-DD, YYYY-MM-DDTHH:MM or YYYY-MM-DDTHH:MM+01:00",
		    text);
	else if (!has_offset && !exists_once(t, full)) {
		g_set_error(err, cal_quark(), 0, "%s does not exist or happens "
		    "twice in Europe/Paris (a daylight saving change): give the "
		    "offset, e.g. %.16s+01:00", text, full);
		g_date_time_unref(t);
		t = NULL;
	}
	g_free(full);
	return t;
}

char *
cal_format(GDateTime *t)
{
	return g_date_time_format(t, "%Y-%m-%dT%H:%M:%S%:z");
}

GDateTime *
cal_next_open(const struct cal *c, GDateTime *t, int from, int until)
{
	GDateTime	*l = g_date_time_to_timezone(t, c->tz), *next;
	int		 minute = g_date_time_get_hour(l) * 60 +
	    g_date_time_get_minute(l);
	GDate		 d;
	int		 i;

	g_date_clear(&d, 1);
	g_date_set_dmy(&d, (GDateDay)g_date_time_get_day_of_month(l),
	    (GDateMonth)g_date_time_get_month(l),
	    (GDateYear)g_date_time_get_year(l));
	if (cal_non_working_reason(c, &d) == NULL && minute >= from &&
	    minute < until)
		return l;
	/* Today's opening if it is still to come, else a later day's. */
	if (cal_non_working_reason(c, &d) != NULL || minute >= until)
		g_date_add_days(&d, 1);
	for (i = 0; i < 3660 && cal_non_working_reason(c, &d) != NULL; i++)
		g_date_add_days(&d, 1);
	next = g_date_time_new(c->tz, g_date_get_year(&d), g_date_get_month(&d),
	    g_date_get_day(&d), from / 60, from % 60, 0);
	g_date_time_unref(l);
	return next;
}
