/*
 * test_calendar.c: French deadlines against the checked vectors of
 * shared/research/domain.md §4 (V01-V36, probes P1-P6), every public
 * holiday of 2025-2028, closures, duration parsing, and properties over
 * random starts: due >= start, monotonic in the start, never on a day
 * that is not worked for working-day units.
 */
#include "config.h"

#include <glib.h>
#include <string.h>

#include "calendar.h"

/* A vector: extra is "" (national), "am" (Alsace-Moselle), "972" (Martinique). */
struct vector {
	const char	*id;
	const char	*start;
	const char	*rule;
	const char	*extra;
	const char	*due;
};

static const struct vector vectors[] = {
	{ "V01", "2026-03-28T10:00:00+01:00", "24 heures", "", "2026-03-29T11:00:00+02:00" },
	{ "V02", "2026-10-24T10:00:00+02:00", "24 heures", "", "2026-10-25T09:00:00+01:00" },
	{ "V03", "2026-10-25T02:30:00+02:00", "1 heure", "", "2026-10-25T02:30:00+01:00" },
	{ "V04", "2026-05-01T18:00:00+02:00", "72 heures", "", "2026-05-04T18:00:00+02:00" },
	{ "V05", "2027-03-27T12:00:00+01:00", "24 heures", "", "2027-03-28T13:00:00+02:00" },
	{ "V06", "2026-03-29T01:30:00+01:00", "1 heure", "", "2026-03-29T03:30:00+02:00" },
	{ "V07", "2026-04-24T10:00:00+02:00", "7 jours", "", "2026-05-05T00:00:00+02:00" },
	{ "V08", "2026-07-09T10:00:00+02:00", "5 jours", "", "2026-07-16T00:00:00+02:00" },
	{ "V09", "2025-12-20T10:00:00+01:00", "6 jours", "", "2025-12-27T00:00:00+01:00" },
	{ "V10", "2025-12-20T10:00:00+01:00", "6 jours", "am", "2025-12-30T00:00:00+01:00" },
	{ "V11", "2026-03-27T10:00:00+01:00", "2 jours", "", "2026-03-31T00:00:00+02:00" },
	{ "V12", "2026-12-24T10:00:00+01:00", "5 jours ouvrés", "", "2027-01-05T00:00:00+01:00" },
	{ "V13", "2026-04-28T09:00:00+02:00", "8 jours ouvrés", "", "2026-05-13T00:00:00+02:00" },
	{ "V14", "2026-04-30T16:00:00+02:00", "5 jours ouvrés", "", "2026-05-12T00:00:00+02:00" },
	{ "V15", "2026-05-13T11:00:00+02:00", "2 jours ouvrés", "", "2026-05-19T00:00:00+02:00" },
	{ "V16", "2025-04-18T12:00:00+02:00", "1 jour ouvré", "", "2025-04-23T00:00:00+02:00" },
	{ "V17", "2027-03-25T12:00:00+01:00", "1 jour ouvré", "", "2027-03-27T00:00:00+01:00" },
	{ "V18", "2027-03-25T12:00:00+01:00", "1 jour ouvré", "am", "2027-03-31T00:00:00+02:00" },
	{ "V19", "2026-01-10T15:00:00+01:00", "1 jour ouvré", "", "2026-01-13T00:00:00+01:00" },
	{ "V20", "2028-06-02T09:00:00+02:00", "1 jour ouvré", "", "2028-06-07T00:00:00+02:00" },
	{ "V21", "2026-05-21T09:00:00+02:00", "1 jour ouvré", "", "2026-05-23T00:00:00+02:00" },
	{ "V22", "2026-05-21T09:00:00+02:00", "1 jour ouvré", "972", "2026-05-27T00:00:00+02:00" },
	{ "V23", "2026-01-08T10:00:00+01:00", "3 jours ouvrables", "", "2026-01-13T00:00:00+01:00" },
	{ "V24", "2026-12-24T10:00:00+01:00", "3 jours ouvrables", "", "2026-12-30T00:00:00+01:00" },
	{ "V25", "2026-12-24T10:00:00+01:00", "3 jours ouvrables", "am", "2026-12-31T00:00:00+01:00" },
	{ "V26", "2027-05-05T10:00:00+02:00", "3 jours ouvrables", "", "2027-05-12T00:00:00+02:00" },
	{ "V27", "2026-01-31T10:00:00+01:00", "1 mois", "", "2026-03-03T00:00:00+01:00" },
	{ "V28", "2028-01-31T10:00:00+01:00", "1 mois", "", "2028-03-01T00:00:00+01:00" },
	{ "V29", "2027-01-29T10:00:00+01:00", "1 mois", "", "2027-03-02T00:00:00+01:00" },
	{ "V30", "2026-04-01T10:00:00+02:00", "1 mois", "", "2026-05-05T00:00:00+02:00" },
	{ "V31", "2026-04-14T10:00:00+02:00", "1 mois", "", "2026-05-16T00:00:00+02:00" },
	{ "V32", "2026-04-25T10:00:00+02:00", "1 mois", "", "2026-05-27T00:00:00+02:00" },
	{ "V33", "2027-02-28T10:00:00+01:00", "1 mois", "", "2027-03-31T00:00:00+02:00" },
	{ "V34", "2026-03-31T10:00:00+02:00", "2 mois", "", "2026-06-02T00:00:00+02:00" },
	{ "V35", "2026-08-31T10:00:00+02:00", "6 mois", "", "2027-03-02T00:00:00+01:00" },
	{ "V36", "2028-02-29T10:00:00+01:00", "1 mois", "", "2028-03-30T00:00:00+02:00" },
	/* Probes: the choices recoursd.rules(5) documents. */
	{ "P1", "2026-01-07T10:00:00+01:00", "3 jours ouvrables", "", "2026-01-11T00:00:00+01:00" },
	{ "P2", "2026-01-09T18:00:00+01:00", "24 heures", "", "2026-01-10T18:00:00+01:00" },
	{ "P3", "2026-01-12T10:37:00+01:00", "24 heures", "", "2026-01-13T10:37:00+01:00" },
	{ "P5", "2026-01-31T10:00:00+01:00", "2 mois", "", "2026-04-01T00:00:00+02:00" },
	/* More: English units, weeks, and the closures of a profile. */
	{ "E1", "2026-12-24T10:00:00+01:00", "5 working days", "", "2027-01-05T00:00:00+01:00" },
	{ "E2", "2026-11-23T10:00:00+01:00", "2 semaines", "", "2026-12-08T00:00:00+01:00" },
	{ "E3", "2026-12-18T10:00:00+01:00", "3 jours ouvrés", "closed", "2027-01-08T00:00:00+01:00" },	/* 5, 6, 7 Jan */
	{ "E4", "2026-12-18T10:00:00+01:00", "7 jours", "closed", "2027-01-06T00:00:00+01:00" },	/* 25 Dec -> Tue 5 Jan */
	{ "E5", "2026-11-23T10:00:00+01:00", "1 month", "", "2026-12-24T00:00:00+01:00" },
};

static struct cal *
calendar_for(const char *extra)
{
	struct cal	*c = cal_new(strcmp(extra, "am") == 0);
	GDate		 from, to;

	if (strcmp(extra, "972") == 0)
		cal_add_annual_holiday(c, G_DATE_MAY, 22,
		    "Abolition de l'esclavage (Martinique)");
	if (strcmp(extra, "closed") == 0) {
		/* Closed from 21 Dec 2026 to 4 Jan 2027 inclusive. */
		g_date_clear(&from, 1);
		g_date_clear(&to, 1);
		g_date_set_dmy(&from, 21, G_DATE_DECEMBER, 2026);
		g_date_set_dmy(&to, 4, G_DATE_JANUARY, 2027);
		cal_add_closure(c, &from, &to, "fermeture annuelle");
	}
	return c;
}

static void
test_vector(gconstpointer data)
{
	const struct vector *v = data;
	struct cal	*c = calendar_for(v->extra);
	struct cal_duration d;
	GDateTime	*start, *due;
	GPtrArray	*explain = g_ptr_array_new_with_free_func(g_free);
	GError		*err = NULL;
	char		*got;
	guint		 i;

	g_assert_true(cal_parse_duration(v->rule, &d, &err));
	start = cal_parse_instant(c, v->start, &err);
	g_assert_no_error(err);
	due = cal_due(c, start, &d, explain);
	got = cal_format(due);
	if (strcmp(got, v->due) != 0)
		for (i = 0; i < explain->len; i++)
			g_test_message("%s", (char *)g_ptr_array_index(explain, i));
	g_assert_cmpstr(got, ==, v->due);
	g_free(got);
	g_date_time_unref(due);
	g_date_time_unref(start);
	g_ptr_array_free(explain, TRUE);
	cal_free(c);
}

/* Every national holiday 2025-2028 (domain.md §3.4), and no others. */
static void
test_holidays_2025_2028(void)
{
	static const char *const expected[] = {
		"2025-01-01", "2025-04-21", "2025-05-01", "2025-05-08",
		"2025-05-29", "2025-06-09", "2025-07-14", "2025-08-15",
		"2025-11-01", "2025-11-11", "2025-12-25",
		"2026-01-01", "2026-04-06", "2026-05-01", "2026-05-08",
		"2026-05-14", "2026-05-25", "2026-07-14", "2026-08-15",
		"2026-11-01", "2026-11-11", "2026-12-25",
		"2027-01-01", "2027-03-29", "2027-05-01", "2027-05-06",
		"2027-05-08", "2027-05-17", "2027-07-14", "2027-08-15",
		"2027-11-01", "2027-11-11", "2027-12-25",
		"2028-01-01", "2028-04-17", "2028-05-01", "2028-05-08",
		"2028-05-25", "2028-06-05", "2028-07-14", "2028-08-15",
		"2028-11-01", "2028-11-11", "2028-12-25",
	};
	struct cal	*c = cal_new(FALSE);
	GString		*got = g_string_new(NULL), *want = g_string_new(NULL);
	GDate		 d;
	size_t		 i;

	g_date_clear(&d, 1);
	for (g_date_set_dmy(&d, 1, 1, 2025); g_date_get_year(&d) <= 2028;
	    g_date_add_days(&d, 1))
		if (cal_holiday_name(c, &d) != NULL)
			g_string_append_printf(got, "%04u-%02u-%02u ",
			    g_date_get_year(&d), g_date_get_month(&d),
			    g_date_get_day(&d));
	for (i = 0; i < G_N_ELEMENTS(expected); i++)
		g_string_append_printf(want, "%s ", expected[i]);
	g_assert_cmpstr(got->str, ==, want->str);
	g_string_free(got, TRUE);
	g_string_free(want, TRUE);
	cal_free(c);
}

static void
test_alsace_moselle_days(void)
{
	struct cal	*national = cal_new(FALSE), *am = cal_new(TRUE);
	GDate		 good_friday, st_etienne;

	g_date_clear(&good_friday, 1);
	g_date_clear(&st_etienne, 1);
	g_date_set_dmy(&good_friday, 14, G_DATE_APRIL, 2028);
	g_date_set_dmy(&st_etienne, 26, G_DATE_DECEMBER, 2025);
	g_assert_null(cal_holiday_name(national, &good_friday));
	g_assert_null(cal_holiday_name(national, &st_etienne));
	g_assert_nonnull(cal_holiday_name(am, &good_friday));
	g_assert_nonnull(cal_holiday_name(am, &st_etienne));
	cal_free(national);
	cal_free(am);
}

static void
test_parse_durations(void)
{
	static const struct {
		const char	*text;
		enum cal_unit	 unit;
		int		 count;
	} ok[] = {
		{ "24 heures", CAL_HOURS, 24 }, { "72 h", CAL_HOURS, 72 },
		{ "5 JOURS OUVRÉS", CAL_OUVRES, 5 },
		{ "5 jours ouvres", CAL_OUVRES, 5 },
		{ "1 jour ouvré", CAL_OUVRES, 1 },
		{ "3 jours ouvrables", CAL_OUVRABLES, 3 },
		{ "  2 mois ", CAL_MONTHS, 2 }, { "1 month", CAL_MONTHS, 1 },
		{ "7 days", CAL_DAYS, 7 }, { "3 business days", CAL_OUVRES, 3 },
		{ "2 semaines", CAL_WEEKS, 2 }, { "10 jours calendaires", CAL_DAYS, 10 },
	};
	static const char *const bad[] = {
		"", "jours", "5", "0 jours", "-3 jours", "5 jours francs",
		"5 fortnights", "2,5 mois", "99999999999 heures", "5jours ouvrés x",
	};
	struct cal_duration d;
	GError		*err = NULL;
	char		*back;
	size_t		 i;

	for (i = 0; i < G_N_ELEMENTS(ok); i++) {
		g_assert_true(cal_parse_duration(ok[i].text, &d, &err));
		g_assert_no_error(err);
		g_assert_cmpint(d.unit, ==, ok[i].unit);
		g_assert_cmpint(d.count, ==, ok[i].count);
	}
	for (i = 0; i < G_N_ELEMENTS(bad); i++) {
		g_assert_false(cal_parse_duration(bad[i], &d, &err));
		g_assert_nonnull(err);
		g_assert_nonnull(strstr(err->message, "is not a duration"));
		g_clear_error(&err);
	}
	g_assert_true(cal_parse_duration("5 jours ouvrés", &d, NULL));
	g_assert_cmpstr((back = cal_duration_format(&d, "fr")), ==,
	    "5 jours ouvrés");
	g_free(back);
	g_assert_cmpstr((back = cal_duration_format(&d, "en")), ==,
	    "5 working days");
	g_free(back);
}

/* P6: a local time that does not exist, or happens twice, needs an offset. */
static void
test_ambiguous_local_times(void)
{
	struct cal	*c = cal_new(FALSE);
	GDateTime	*t;
	GError		*err = NULL;
	char		*s;

	g_assert_null(cal_parse_instant(c, "2026-03-29T02:30", &err));
	g_assert_nonnull(strstr(err->message, "give the offset"));
	g_clear_error(&err);
	g_assert_null(cal_parse_instant(c, "2026-10-25T02:30", &err));
	g_clear_error(&err);
	g_assert_null(cal_parse_instant(c, "24/12/2026", &err));
	g_assert_nonnull(strstr(err->message, "is not a date"));
	g_clear_error(&err);
	t = cal_parse_instant(c, "2026-10-25T02:30+01:00", &err);
	g_assert_no_error(err);
	g_date_time_unref(t);
	t = cal_parse_instant(c, "2026-12-24", &err);
	g_assert_cmpstr((s = cal_format(t)), ==, "2026-12-24T00:00:00+01:00");
	g_free(s);
	g_date_time_unref(t);
	t = cal_parse_instant(c, "2026-07-01T10:00", &err);
	g_assert_cmpstr((s = cal_format(t)), ==, "2026-07-01T10:00:00+02:00");
	g_free(s);
	g_date_time_unref(t);
	cal_free(c);
}

/* P4: the appeal window of V14, one second either side of its end. */
static void
test_boundary_p4(void)
{
	struct cal	*c = cal_new(FALSE);
	struct cal_duration d = { CAL_OUVRES, 5 };
	GDateTime	*notified = cal_parse_instant(c, "2026-04-30T16:00", NULL);
	GDateTime	*due = cal_due(c, notified, &d, NULL);
	GDateTime	*in_time = cal_parse_instant(c, "2026-05-11T23:59:59+02:00", NULL);
	GDateTime	*late = cal_parse_instant(c, "2026-05-12T00:00:00+02:00", NULL);

	g_assert_cmpint(g_date_time_compare(in_time, due), <, 0);
	g_assert_cmpint(g_date_time_compare(late, due), >=, 0);
	g_date_time_unref(notified);
	g_date_time_unref(due);
	g_date_time_unref(in_time);
	g_date_time_unref(late);
	cal_free(c);
}

/*
 * Over random starts in 2025-2028: due >= start; a later start never
 * gives an earlier due; the last day of a working-day count is worked.
 */
static void
test_properties(void)
{
	static const char *const rules[] = {
		"24 heures", "1 jour", "7 jours", "1 jour ouvré",
		"5 jours ouvrés", "8 jours ouvrés", "3 jours ouvrables",
		"1 mois", "2 mois", "6 mois",
	};
	struct cal	*c = cal_new(TRUE);
	GDate		 closed_from, closed_to;
	gint64		 lo = 1735689600, hi = 1861920000;	/* 2025-01-01 .. 2029 */
	int		 i;
	size_t		 r;

	g_date_clear(&closed_from, 1);
	g_date_clear(&closed_to, 1);
	g_date_set_dmy(&closed_from, 10, G_DATE_AUGUST, 2026);
	g_date_set_dmy(&closed_to, 23, G_DATE_AUGUST, 2026);
	cal_add_closure(c, &closed_from, &closed_to, "août");
	for (i = 0; i < 4000; i++) {
		gint64		 t = g_test_rand_int_range(0, G_MAXINT32) %
		    (hi - lo) + lo;
		GDateTime	*a = g_date_time_new_from_unix_utc(t);
		GDateTime	*b = g_date_time_add_minutes(a,
		    g_test_rand_int_range(1, 4 * 24 * 60));

		for (r = 0; r < G_N_ELEMENTS(rules); r++) {
			struct cal_duration d;
			GDateTime	*da, *db, *last;
			GDate		 day;

			g_assert_true(cal_parse_duration(rules[r], &d, NULL));
			da = cal_due(c, a, &d, NULL);
			db = cal_due(c, b, &d, NULL);
			g_assert_cmpint(g_date_time_compare(da, a), >, 0);
			g_assert_cmpint(g_date_time_compare(db, da), >=, 0);
			if (d.unit != CAL_HOURS) {
				last = g_date_time_add_seconds(da, -1);
				last = g_date_time_to_timezone(last, cal_zone(c));
				g_date_clear(&day, 1);
				g_date_set_dmy(&day,
				    (GDateDay)g_date_time_get_day_of_month(last),
				    (GDateMonth)g_date_time_get_month(last),
				    (GDateYear)g_date_time_get_year(last));
				if (d.unit != CAL_OUVRABLES)
					g_assert_null(cal_non_working_reason(c, &day));
				else
					g_assert_cmpint(g_date_get_weekday(&day), !=,
					    G_DATE_SUNDAY);
				g_date_time_unref(last);
			}
			g_date_time_unref(da);
			g_date_time_unref(db);
		}
		g_date_time_unref(a);
		g_date_time_unref(b);
	}
	cal_free(c);
}

static void
test_explain(void)
{
	struct cal	*c = cal_new(FALSE);
	struct cal_duration d = { CAL_OUVRES, 5 };
	GDateTime	*start = cal_parse_instant(c, "2026-12-24T10:00", NULL);
	GPtrArray	*explain = g_ptr_array_new_with_free_func(g_free);
	GDateTime	*due = cal_due(c, start, &d, explain);
	GString		*all = g_string_new(NULL);
	guint		 i;

	for (i = 0; i < explain->len; i++)
		g_string_append_printf(all, "%s\n",
		    (char *)g_ptr_array_index(explain, i));
	g_test_message("%s", all->str);
	g_assert_nonnull(strstr(all->str, "2026-12-25 ven. skipped (Noël)"));
	g_assert_nonnull(strstr(all->str, "2026-12-26 sam. skipped (samedi)"));
	g_assert_nonnull(strstr(all->str, "2027-01-01 ven. skipped (Jour de l'an)"));
	g_assert_nonnull(strstr(all->str, "2027-01-04 lun. counted: day 5"));
	g_string_free(all, TRUE);
	g_ptr_array_free(explain, TRUE);
	g_date_time_unref(due);
	g_date_time_unref(start);
	cal_free(c);
}

/* Staff reminders outside 09:00-18:00 on working days wait for opening. */
static void
test_next_open(void)
{
	static const struct { const char *at, *expect; } v[] = {
		{ "2026-11-25T10:00", "2026-11-25T10:00:00+01:00" }, /* open */
		{ "2026-11-25T07:30", "2026-11-25T09:00:00+01:00" }, /* early */
		{ "2026-11-27T17:59", "2026-11-27T17:59:00+01:00" }, /* Fri */
		{ "2026-11-27T18:00", "2026-11-30T09:00:00+01:00" }, /* closing */
		{ "2026-11-28T10:00", "2026-11-30T09:00:00+01:00" }, /* Sat */
		{ "2026-12-24T19:00", "2026-12-28T09:00:00+01:00" }, /* Noël */
		{ "2026-03-28T12:00", "2026-03-30T09:00:00+02:00" }, /* DST */
		{ "2026-07-14T09:00", "2026-07-15T09:00:00+02:00" }, /* holiday */
	};
	struct cal	*c = cal_new(FALSE);
	size_t		 i;

	for (i = 0; i < G_N_ELEMENTS(v); i++) {
		GDateTime *t = cal_parse_instant(c, v[i].at, NULL);
		GDateTime *o = cal_next_open(c, t, 9 * 60, 18 * 60);
		char	*text = cal_format(o);

		g_assert_cmpstr(text, ==, v[i].expect);
		g_free(text);
		g_date_time_unref(o);
		g_date_time_unref(t);
	}
	cal_free(c);
}

int
main(int argc, char *argv[])
{
	size_t	 i;

	g_test_init(&argc, &argv, NULL);
	for (i = 0; i < G_N_ELEMENTS(vectors); i++) {
		char	*path = g_strdup_printf("/calendar/vector/%s %s + %s",
		    vectors[i].id, vectors[i].start, vectors[i].rule);

		g_test_add_data_func(path, &vectors[i], test_vector);
		g_free(path);
	}
	g_test_add_func("/calendar/holidays-2025-2028", test_holidays_2025_2028);
	g_test_add_func("/calendar/alsace-moselle-days", test_alsace_moselle_days);
	g_test_add_func("/calendar/parse-durations", test_parse_durations);
	g_test_add_func("/calendar/ambiguous-local-times",
	    test_ambiguous_local_times);
	g_test_add_func("/calendar/boundary-p4", test_boundary_p4);
	g_test_add_func("/calendar/properties", test_properties);
	g_test_add_func("/calendar/explain", test_explain);
	g_test_add_func("/calendar/next-open", test_next_open);
	return g_test_run();
}
