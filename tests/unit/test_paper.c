/*
 * test_paper.c: letters on paper.  The date line is French whatever the
 * locale; an address of up to six lines that fit the window passes, a
 * seventh line or a line too wide is refused with a reason that names
 * it; a letter is written whole or not at all, the same letter twice
 * gives the same bytes, and a long body takes the pages it needs.
 * t_paper.sh reads the PDFs back with poppler.
 */
#include "config.h"

#include <glib.h>
#include <locale.h>
#include <string.h>

#include "paper.h"
#include "testutil.h"

#define ADDRESS	"Jean Dupont\n12 rue des Lilas\n83140 Six-Fours-les-Plages"
/* 38 capitals and spaces, La Poste's longest line: the window holds it. */
#define LONGEST	"RESIDENCE DES PINS BATIMENT C ESCALIER"

static GDateTime *
day(int y, int m, int d)
{
	GTimeZone	*tz = g_time_zone_new_offset(3600);
	GDateTime	*dt = g_date_time_new(tz, y, m, d, 12, 0, 0);

	g_time_zone_unref(tz);
	return dt;
}

static void
assert_date_line(const char *place, int y, int m, int d, const char *want)
{
	GDateTime	*dt = day(y, m, d);
	char		*got = paper_date_line(place, dt);

	g_assert_cmpstr(got, ==, want);
	g_free(got);
	g_date_time_unref(dt);
}

static void
test_date_line_is_french(void)
{
	assert_date_line("Six-Fours-les-Plages", 2026, 12, 4,
	    "Six-Fours-les-Plages, le 4 décembre 2026");
	assert_date_line("Paris", 2026, 12, 1, "Paris, le 1er décembre 2026");
	assert_date_line(NULL, 2027, 8, 15, "Le 15 août 2027");
	assert_date_line("", 2027, 2, 1, "Le 1er février 2027");
}

static void
test_address_block_splits_commas(void)
{
	char	*b;

	b = paper_address_block(" Jean Dupont ",
	    "12 rue des Lilas,, 83140 Six-Fours-les-Plages\n");
	g_assert_cmpstr(b, ==, ADDRESS);
	g_free(b);
	b = paper_address_block(NULL, NULL);
	g_assert_cmpstr(b, ==, "");
	g_free(b);
}

/* paper_check_address() on block: want, and a reason only on refusal. */
static char *
check(const char *block, gboolean want)
{
	GString	*reason = g_string_new(NULL);

	g_assert_true(paper_check_address(block, reason) == want);
	g_assert_true((reason->len > 0) == !want);
	return g_string_free(reason, FALSE);
}

static void
test_six_lines_pass(void)
{
	g_free(check("Mme Anne-Sophie Martin-Dupuis\nService qualité\n"
	    "Résidence les Oliviers, bâtiment B\n12 rue des Lilas\n"
	    "BP 42\n83140 SIX-FOURS-LES-PLAGES", TRUE));
	/* Blank lines and margins are not lines. */
	g_free(check("\n  Jean Dupont  \n\n12 rue des Lilas\n \n"
	    "83140 Six-Fours-les-Plages\n\n\n\n", TRUE));
	g_assert_true(paper_check_address(ADDRESS, NULL));
}

static void
test_seventh_line_refused(void)
{
	char	*why = check("a\nb\nc\nd\ne\nf\ng", FALSE);

	g_assert_nonnull(strstr(why, "7 lines"));
	g_assert_nonnull(strstr(why, "at most 6"));
	g_free(why);
}

static void
test_wide_line_refused(void)
{
	char	*why;

	g_free(check(LONGEST, TRUE));
	why = check("Jean Dupont\n" LONGEST " WWW", FALSE);
	g_assert_nonnull(strstr(why, "line 2 (\"" LONGEST " WWW\")"));
	g_assert_nonnull(strstr(why, "mm wide"));
	g_free(why);
	why = check("", FALSE);
	g_assert_cmpstr(why, ==, "the address is empty");
	g_free(why);
}

static int
by_name(gconstpointer a, gconstpointer b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The names in dir, sorted, space-separated. */
static char *
listing(const char *dir)
{
	GDir		*d = g_dir_open(dir, 0, NULL);
	GPtrArray	*names = g_ptr_array_new_with_free_func(g_free);
	const char	*n;
	char		*out;

	while ((n = g_dir_read_name(d)) != NULL)
		g_ptr_array_add(names, g_strdup(n));
	g_dir_close(d);
	g_ptr_array_sort(names, by_name);
	g_ptr_array_add(names, NULL);
	out = g_strjoinv(" ", (char **)names->pdata);
	g_ptr_array_free(names, TRUE);
	return out;
}

static struct paper_letter
letter(GDateTime *dt, const char *recipient, const char *body)
{
	return (struct paper_letter){
		.sender = "Cyberini\n1 avenue de la Mer\n83140 Six-Fours",
		.recipient = recipient,
		.place = "Six-Fours-les-Plages",
		.date = dt,
		.subject = "Décision",
		.reference = "REC-2026-0042",
		.body = body,
		.signature = "Marie Martin\nDirectrice",
	};
}

static void
test_render_whole_and_same(void)
{
	char		*dir = tu_tmpdir("test_paper"), *a, *b, *names;
	char		*pa = NULL, *pb = NULL;
	gsize		 na, nb;
	GBytes		*mem;
	GDateTime	*dt = day(2026, 12, 4);
	struct paper_letter l = letter(dt, ADDRESS, "Bonjour,\n\nVoilà.");
	GError		*err = NULL;

	a = g_build_filename(dir, "a.pdf", NULL);
	b = g_build_filename(dir, "b.pdf", NULL);
	g_assert_true(paper_render(&l, a, &err));
	g_assert_no_error(err);
	g_assert_true(paper_render(&l, b, &err));
	g_assert_true(g_file_get_contents(a, &pa, &na, NULL));
	g_assert_true(g_file_get_contents(b, &pb, &nb, NULL));
	g_assert_true(g_str_has_prefix(pa, "%PDF-"));
	g_assert_nonnull(g_strstr_len(pa + na - 8, 8, "%%EOF"));
	g_assert_cmpmem(pa, na, pb, nb);
	/* In memory, the very bytes of the file. */
	mem = paper_render_bytes(&l, &err);
	g_assert_no_error(err);
	g_assert_cmpmem(g_bytes_get_data(mem, NULL), g_bytes_get_size(mem),
	    pa, na);
	g_bytes_unref(mem);
	names = listing(dir);
	g_assert_cmpstr(names, ==, "a.pdf b.pdf");	/* no temporary left */
	g_free(names);
	g_free(pa);
	g_free(pb);
	g_free(a);
	g_free(b);
	g_date_time_unref(dt);
	tu_rm_rf(dir);
	g_free(dir);
}

static void
test_render_refuses_leaves_nothing(void)
{
	char		*dir = tu_tmpdir("test_paper"), *a, *names;
	GDateTime	*dt = day(2026, 12, 4);
	struct paper_letter l = letter(dt, "a\nb\nc\nd\ne\nf\ng", "x");
	GError		*err = NULL;

	a = g_build_filename(dir, "a.pdf", NULL);
	g_assert_false(paper_render(&l, a, &err));
	g_assert_error(err, PAPER_ERROR, PAPER_ERROR_ADDRESS);
	g_assert_nonnull(strstr(err->message, "7 lines"));
	g_clear_error(&err);
	g_assert_null(paper_render_bytes(&l, &err));
	g_assert_error(err, PAPER_ERROR, PAPER_ERROR_ADDRESS);
	g_clear_error(&err);
	g_free(a);
	l.recipient = ADDRESS;
	a = g_build_filename(dir, "missing", "a.pdf", NULL);
	g_assert_false(paper_render(&l, a, &err));
	g_assert_error(err, G_FILE_ERROR, G_FILE_ERROR_NOENT);
	g_clear_error(&err);
	names = listing(dir);
	g_assert_cmpstr(names, ==, "");
	g_free(names);
	g_free(a);
	g_date_time_unref(dt);
	tu_rm_rf(dir);
	g_free(dir);
}

/*
 * Page 1 holds about 35 lines of body, the next pages about 60: 60
 * one-line paragraphs (119 lines with the blank ones) take three pages.
 */
static void
test_long_body_takes_pages(void)
{
	GDateTime	*dt = day(2026, 12, 4);
	GString		*body = g_string_new(NULL);
	struct paper_letter l;
	int		 i;

	for (i = 1; i <= 60; i++)
		g_string_append_printf(body, "Paragraphe %d.\n\n", i);
	l = letter(dt, ADDRESS, "Bonjour.");
	g_assert_cmpint(paper_page_count(&l), ==, 1);
	l.body = body->str;
	g_assert_cmpint(paper_page_count(&l), ==, 3);
	/* A 300-letter word is wrapped, on one page still. */
	g_string_assign(body, "");
	for (i = 0; i < 300; i++)
		g_string_append_c(body, 'a' + i % 26);
	l.body = body->str;
	g_assert_cmpint(paper_page_count(&l), ==, 1);
	g_string_free(body, TRUE);
	g_date_time_unref(dt);
}

int
main(int argc, char *argv[])
{
	/* The date line must not follow the locale. */
	setlocale(LC_ALL, "C");
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/paper/date-line-is-french", test_date_line_is_french);
	g_test_add_func("/paper/address-block-splits-commas",
	    test_address_block_splits_commas);
	g_test_add_func("/paper/six-lines-pass", test_six_lines_pass);
	g_test_add_func("/paper/seventh-line-refused",
	    test_seventh_line_refused);
	g_test_add_func("/paper/wide-line-refused", test_wide_line_refused);
	g_test_add_func("/paper/render-whole-and-same",
	    test_render_whole_and_same);
	g_test_add_func("/paper/render-refuses-leaves-nothing",
	    test_render_refuses_leaves_nothing);
	g_test_add_func("/paper/long-body-takes-pages",
	    test_long_body_takes_pages);
	return g_test_run();
}
