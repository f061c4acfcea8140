/*
 * test_text.c: the shared text helpers: folding for word matching
 * (accents, case, punctuation; moved from test_classify.c with
 * classify_fold()), and JJ/MM/AAAA days, which must be whole and real.
 */
#include "config.h"

#include <glib.h>

#include "text.h"

static void
test_fold(void)
{
	char	*f = text_fold("Re: [RÉCLAMATION]  N°12 — écrite");

	g_assert_cmpstr(f, ==, " re reclamation n 12 ecrite ");
	g_free(f);
	f = text_fold(NULL);
	g_assert_cmpstr(f, ==, " ");
	g_free(f);
}

static void
test_parse_day(void)
{
	static const char *const bad[] = { "", "18/11", "31/02/2026",
	    "18/11/2026 ", "18-11-2026", "18/13/2026", "a/b/c", NULL };
	GDate	 d;
	size_t	 i;

	g_assert_true(text_parse_day("18/11/2026", &d));
	g_assert_cmpint(g_date_get_day(&d), ==, 18);
	g_assert_cmpint(g_date_get_month(&d), ==, 11);
	g_assert_cmpint(g_date_get_year(&d), ==, 2026);
	g_assert_true(text_parse_day("1/2/2027", NULL));
	g_assert_true(text_parse_day("29/02/2028", NULL));
	for (i = 0; bad[i] != NULL; i++)
		if (text_parse_day(bad[i], NULL))
			g_error("\"%s\" taken for a day", bad[i]);
}

int
main(int argc, char *argv[])
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/text/fold", test_fold);
	g_test_add_func("/text/parse-day", test_parse_day);
	return g_test_run();
}
