/*
 * test_clock.c: RECOURSD_CLOCK_FILE.  One number stands still; two run
 * from the first as the real clock runs from the second; no variable, no
 * file or garbage give the real clock.  Instants are fixed: 1798444800 is
 * 2026-12-28 09:00 in Paris.
 */
#include "config.h"

#include <glib.h>
#include <stdlib.h>

#include "clock.h"
#include "testutil.h"

#define SIM	G_GINT64_CONSTANT(1798444800)

static char	*dir, *file;

static gint64
real_now(void)
{
	return g_get_real_time() / G_USEC_PER_SEC;
}

static void
write_clock(const char *text)
{
	g_assert_true(g_file_set_contents(file, text, -1, NULL));
}

/* The real clock: within a second or two of the test's own reading. */
static void
assert_real(void)
{
	gint64	 before = real_now(), t = clock_now();

	g_assert_cmpint(t, >=, before);
	g_assert_cmpint(t, <=, real_now());
}

static void
test_unset_is_real(void)
{
	g_unsetenv("RECOURSD_CLOCK_FILE");
	g_assert_false(clock_simulated());
	assert_real();
}

static void
test_one_number_stands_still(void)
{
	g_setenv("RECOURSD_CLOCK_FILE", file, TRUE);
	write_clock("1798444800\n");
	g_assert_true(clock_simulated());
	g_assert_cmpint(clock_now(), ==, SIM);
	g_usleep(G_USEC_PER_SEC + G_USEC_PER_SEC / 10);
	g_assert_cmpint(clock_now(), ==, SIM);
}

static void
test_two_numbers_run(void)
{
	char	*text;
	gint64	 t;

	g_setenv("RECOURSD_CLOCK_FILE", file, TRUE);
	/* Set an hour ago (real time): an hour has passed since. */
	text = g_strdup_printf("%" G_GINT64_FORMAT " %" G_GINT64_FORMAT "\n",
	    SIM, real_now() - 3600);
	write_clock(text);
	t = clock_now();
	g_assert_cmpint(t, >=, SIM + 3600);
	g_assert_cmpint(t, <=, SIM + 3602);
	g_free(text);
	/* Set just now: it runs on from SIM. */
	text = g_strdup_printf("%" G_GINT64_FORMAT " %" G_GINT64_FORMAT,
	    SIM, real_now());
	write_clock(text);
	g_usleep(G_USEC_PER_SEC + G_USEC_PER_SEC / 10);
	t = clock_now();
	g_assert_cmpint(t, >=, SIM + 1);
	g_assert_cmpint(t, <=, SIM + 3);
	g_free(text);
}

static void
test_garbage_is_real(void)
{
	static const char *const bad[] = { "", "\n", "soon", "-5", "0",
	    "1798444800 x", "1798444800 0", "1798444800 12 13",
	    "1798444800x" };
	gsize	 i;

	g_setenv("RECOURSD_CLOCK_FILE", file, TRUE);
	for (i = 0; i < G_N_ELEMENTS(bad); i++) {
		write_clock(bad[i]);
		assert_real();
	}
	g_setenv("RECOURSD_CLOCK_FILE", "/nonexistent/clock", TRUE);
	assert_real();
}

int
main(int argc, char *argv[])
{
	int	 rc;

	g_test_init(&argc, &argv, NULL);
	dir = tu_tmpdir("test_clock");
	file = g_build_filename(dir, "clock", NULL);
	g_test_add_func("/clock/unset-is-real", test_unset_is_real);
	g_test_add_func("/clock/one-number-stands-still",
	    test_one_number_stands_still);
	g_test_add_func("/clock/two-numbers-run", test_two_numbers_run);
	g_test_add_func("/clock/garbage-is-real", test_garbage_is_real);
	rc = g_test_run();
	tu_rm_rf(dir);
	g_free(file);
	g_free(dir);
	return rc;
}
