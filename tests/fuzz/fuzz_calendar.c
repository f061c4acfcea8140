/*
 * fuzz_calendar.c: a duration ("5 jours ouvrés") before the first NUL
 * byte and an instant ("2026-12-24T10:00") after it, parsed as the rule
 * files and recoursctl deadline parse them; a valid pair is counted
 * through the French calendar, and the due instant is never before the
 * start.
 */
#include "config.h"

#include "calendar.h"
#include "fuzz.h"

static struct cal	*fcal;

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fcal = cal_new(TRUE);
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cal_duration d;
	GDateTime	*start = NULL, *due;
	const char	*instant;
	char		*text, *back;

	fuzz_split(data, size, &text, &instant);
	if (g_utf8_validate(instant, -1, NULL))
		start = cal_parse_instant(fcal, instant, NULL);
	if (g_utf8_validate(text, -1, NULL) &&
	    cal_parse_duration(text, &d, NULL)) {
		back = cal_duration_format(&d, "fr");
		g_free(back);
		if (start != NULL && d.count <= 1000) {
			due = cal_due(fcal, start, &d, NULL);
			if (g_date_time_compare(due, start) < 0)
				g_error("a deadline falls before its start");
			g_date_time_unref(due);
		}
	}
	if (start != NULL)
		g_date_time_unref(start);
	g_free(text);
	return 0;
}
