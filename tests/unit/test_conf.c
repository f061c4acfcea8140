/*
 * test_conf.c: the main configuration loader, on files written by the
 * test: defaults, every error reported with file:line, unknown keys,
 * plaintext refused off loopback, password files.
 */
#include "config.h"

#include <glib.h>
#include <glib/gstdio.h>
#include <string.h>

#include "conf.h"
#include "testutil.h"

static char	*tmpdir;

static const char minimal[] =
    "organisation = { name = \"Org\"; address = \"r@example.test\"; "
    "domain = \"example.test\"; };\n";

/* Write text to a file in tmpdir; caller frees the path. */
static char *
write_conf(const char *name, const char *text)
{
	char	*path = g_build_filename(tmpdir, name, NULL);

	g_assert_true(g_file_set_contents(path, text, -1, NULL));
	return path;
}

static struct conf *
load(const char *text, GString *errors)
{
	char		*path = write_conf("t.conf", text);
	struct conf	*c = conf_load(path, errors);

	g_free(path);
	return c;
}

static void
test_minimal_defaults(void)
{
	GString		*errors = g_string_new(NULL);
	struct conf	*c = load(minimal, errors);

	g_assert_cmpstr(errors->str, ==, "");
	g_assert_nonnull(c);
	g_assert_cmpstr(c->org_domain, ==, "example.test");
	g_assert_cmpstr(c->language, ==, "fr");
	g_assert_cmpint(c->mailboxes->len, ==, 0);
	g_assert_cmpint(c->imap.idle_restart, <, 29 * 60);
	g_assert_cmpint(c->limits.parts, ==, 1000);
	conf_free(c);
	g_string_free(errors, TRUE);
}

static void
test_mailbox_and_relative_paths(void)
{
	GString		*errors = g_string_new(NULL);
	char		*text, *pwpath;
	struct conf	*c;
	const struct conf_mailbox *mb;

	pwpath = write_conf("pw", "s3cret\n");
	text = g_strdup_printf("%sdatabase = \"db/r.db\";\n"
	    "mailboxes = ( { name = \"client\"; host = \"127.0.0.1\"; "
	    "security = \"none\"; user = \"u\"; password_file = \"pw\"; "
	    "after = \"move\"; move_to = \"Done\"; } );\n", minimal);
	c = load(text, errors);
	g_assert_cmpstr(errors->str, ==, "");
	g_assert_nonnull(c);
	mb = conf_mailbox(c, "client");
	g_assert_nonnull(mb);
	g_assert_cmpstr(mb->password, ==, "s3cret");
	g_assert_cmpint(mb->port, ==, 143);
	g_assert_cmpint(mb->after, ==, CONF_AFTER_MOVE);
	g_assert_true(g_str_has_suffix(c->database, "/db/r.db"));
	g_assert_true(g_path_is_absolute(c->database));
	conf_free(c);
	g_free(text);
	g_free(pwpath);
	g_string_free(errors, TRUE);
}

/* All errors in one run, each with file:line. */
static void
test_every_error_with_line(void)
{
	GString		*errors = g_string_new(NULL);
	char		*text;
	struct conf	*c;

	text = g_strdup_printf("%s"
	    "colour = \"blue\";\n"				/* line 2 */
	    "imap = { timeout = 0; idel_restart = 5; };\n"	/* line 3 */
	    "mailboxes = ( { name = \"a\"; host = \"imap.example.org\";\n"
	    "  security = \"none\"; user = \"u\"; password = \"p\"; } );\n",
	    minimal);
	c = load(text, errors);
	g_assert_null(c);
	g_test_message("errors:\n%s", errors->str);
	g_assert_nonnull(strstr(errors->str, "t.conf:2: unknown option 'colour'"));
	g_assert_nonnull(strstr(errors->str, "t.conf:3: unknown option 'idel_restart'"));
	g_assert_nonnull(strstr(errors->str, "t.conf:3: 'timeout' is 0, out of range"));
	g_assert_nonnull(strstr(errors->str, "t.conf:5: security \"none\" would send"));
	g_free(text);
	g_string_free(errors, TRUE);
}

/* Staff authentication: defaults, the previous key and its last day. */
static void
test_staff_auth(void)
{
	GString		*errors = g_string_new(NULL);
	struct conf	*c;
	char		*text;

	c = load(minimal, errors);
	g_assert_cmpint(c->staff_token_days, ==, 90);
	g_assert_cmpint(c->staff_auth_results, ==, 1);
	g_assert_null(c->staff_key_previous);
	conf_free(c);
	text = g_strdup_printf("%s"
	    "staff_key_previous = \"0123456789abcdef-old\";\n"
	    "staff_key_previous_until = \"1970-01-11\";\n"
	    "staff_token_days = 30; staff_auth_results = 2;\n", minimal);
	c = load(text, errors);
	g_assert_cmpstr(errors->str, ==, "");
	g_assert_cmpint(c->staff_key_previous_until, ==, 10);
	g_assert_cmpint(c->staff_token_days, ==, 30);
	g_assert_cmpint(c->staff_auth_results, ==, 2);
	conf_free(c);
	g_free(text);
	text = g_strdup_printf("%s"
	    "staff_key_previous = \"short\";\n"		/* line 2 */
	    "staff_token_days = 0;\n"				/* line 3 */
	    "staff_key_previous_until = \"31/12/2026\";\n",	/* line 4 */
	    minimal);
	g_assert_null(load(text, errors));
	g_test_message("errors:\n%s", errors->str);
	g_assert_nonnull(strstr(errors->str, "t.conf:2: staff_key_previous "
	    "needs 16 characters"));
	g_assert_nonnull(strstr(errors->str, "t.conf:3: 'staff_token_days'"));
	g_assert_nonnull(strstr(errors->str, "t.conf:4: "
	    "staff_key_previous_until: \"31/12/2026\" is not a day"));
	g_string_truncate(errors, 0);
	g_free(text);
	text = g_strdup_printf("%sstaff_key_previous = \"0123456789abcdef-old\";"
	    "\n", minimal);
	g_assert_null(load(text, errors));
	g_assert_nonnull(strstr(errors->str, "t.conf:2: staff_key_previous "
	    "needs staff_key_previous_until"));
	g_free(text);
	g_string_free(errors, TRUE);
}

static void
test_syntax_error(void)
{
	GString		*errors = g_string_new(NULL);
	struct conf	*c = load("organisation = {\n name = \"x\";\n address = ;\n};\n", errors);

	g_assert_null(c);
	g_test_message("errors: %s", errors->str);
	g_assert_true(g_str_has_prefix(strrchr(errors->str, '/') + 1, "t.conf:3: "));
	g_string_free(errors, TRUE);
}

static void
test_missing_file(void)
{
	GString		*errors = g_string_new(NULL);
	struct conf	*c = conf_load("/nonexistent/recoursd.conf", errors);

	g_assert_null(c);
	g_assert_cmpstr(errors->str, ==,
	    "/nonexistent/recoursd.conf: No such file or directory\n");
	g_string_free(errors, TRUE);
}

static void
test_duplicate_mailbox_and_move_without_folder(void)
{
	GString		*errors = g_string_new(NULL);
	char		*text;

	text = g_strdup_printf("%smailboxes = (\n"
	    " { name = \"a\"; host = \"localhost\"; user = \"u\"; password = \"p\"; },\n"
	    " { name = \"a\"; host = \"localhost\"; user = \"u\"; password = \"p\";\n"
	    "   after = \"move\"; } );\n", minimal);
	g_assert_null(load(text, errors));
	g_test_message("errors:\n%s", errors->str);
	g_assert_nonnull(strstr(errors->str, ":4: mailbox name \"a\" is used twice"));
	g_assert_nonnull(strstr(errors->str, ":5: after = \"move\" needs move_to"));
	g_free(text);
	g_string_free(errors, TRUE);
}

/* Staff reply separators and opening hours: checked, with their line. */
static void
test_separators_and_opening_hours(void)
{
	GString		*errors = g_string_new(NULL);
	char		*text;
	struct conf	*c;

	text = g_strdup_printf("%s"
	    "quote_separators = ( \"Envoyé de mon\", \"(unclosed\" );\n"
	    "calendar = { opening_hours = \"18:00-09:00\"; };\n", minimal);
	g_assert_null(load(text, errors));
	g_test_message("errors:\n%s", errors->str);
	g_assert_nonnull(strstr(errors->str, "t.conf:2: quote_separators: "
	    "\"(unclosed\""));
	g_assert_nonnull(strstr(errors->str, "t.conf:3: opening_hours"));
	g_free(text);
	g_string_truncate(errors, 0);
	text = g_strdup_printf("%s"
	    "quote_separators = ( \"Envoyé de mon\" );\n"
	    "calendar = { opening_hours = \"08:30-17:45\"; };\n", minimal);
	c = load(text, errors);
	g_assert_nonnull(c);
	g_assert_nonnull(c->quote_separators);
	g_assert_cmpint(c->open_from, ==, 8 * 60 + 30);
	g_assert_cmpint(c->open_until, ==, 17 * 60 + 45);
	conf_free(c);
	g_free(text);
	g_string_free(errors, TRUE);
}

/* Retention: defaults, periods in either language, bad ones with line. */
static void
test_retention(void)
{
	GString		*errors = g_string_new(NULL);
	struct cfg_period	 age;
	struct conf	*c = load(minimal, errors);
	GDateTime	*t, *before;
	char		*text;

	g_assert_nonnull(c);
	g_assert_cmpint(c->retention.years, ==, 5);
	g_assert_false(c->retention_delete);
	conf_free(c);
	g_assert_true(cfg_parse_period("1y6m", &age, NULL));
	g_assert_cmpint(age.years, ==, 1);
	g_assert_cmpint(age.months, ==, 6);
	g_assert_true(cfg_parse_period("5 ans", &age, NULL));
	g_assert_cmpint(age.years, ==, 5);
	g_assert_true(cfg_parse_period("30 Days", &age, NULL));
	g_assert_cmpint(age.days, ==, 30);
	text = cfg_period_format(&age);
	g_assert_cmpstr(text, ==, "30d");
	g_free(text);
	g_assert_false(cfg_parse_period("5", &age, NULL));
	g_assert_false(cfg_parse_period("5x", &age, NULL));
	g_assert_false(cfg_parse_period("0y", &age, NULL));
	g_assert_false(cfg_parse_period("", &age, NULL));
	/* Calendar arithmetic: 29 February less a year is 28 February. */
	t = g_date_time_new_utc(2028, 2, 29, 12, 0, 0);
	g_assert_true(cfg_parse_period("1y", &age, NULL));
	before = cfg_period_before(&age, t);
	g_assert_cmpint(g_date_time_get_day_of_month(before), ==, 28);
	g_date_time_unref(before);
	g_date_time_unref(t);
	text = g_strdup_printf("%s\nretention = { keep = \"five years\";\n"
	    "  mode = \"shred\"; };\n", minimal);
	g_assert_null(load(text, errors));
	g_test_message("errors:\n%s", errors->str);
	g_assert_nonnull(strstr(errors->str, "t.conf:3: retention.keep"));
	g_assert_nonnull(strstr(errors->str, "t.conf:4: retention.mode"));
	g_free(text);
	g_string_truncate(errors, 0);
	text = g_strdup_printf("%sretention = { keep = \"10y\"; mode = "
	    "\"delete\"; };\n", minimal);
	c = load(text, errors);
	g_assert_nonnull(c);
	g_assert_cmpint(c->retention.years, ==, 10);
	g_assert_cmpint(c->retention_line, ==, 2);
	g_assert_true(c->retention_delete);
	conf_free(c);
	g_free(text);
	g_string_free(errors, TRUE);
}

int
main(int argc, char *argv[])
{
	int	 rc;

	g_test_init(&argc, &argv, NULL);
	tmpdir = tu_tmpdir("test_conf");
	g_test_add_func("/conf/minimal-defaults", test_minimal_defaults);
	g_test_add_func("/conf/mailbox-and-relative-paths",
	    test_mailbox_and_relative_paths);
	g_test_add_func("/conf/every-error-with-line", test_every_error_with_line);
	g_test_add_func("/conf/syntax-error", test_syntax_error);
	g_test_add_func("/conf/staff-auth", test_staff_auth);
	g_test_add_func("/conf/separators-and-opening-hours",
	    test_separators_and_opening_hours);
	g_test_add_func("/conf/missing-file", test_missing_file);
	g_test_add_func("/conf/retention", test_retention);
	g_test_add_func("/conf/duplicate-mailbox-move-without-folder",
	    test_duplicate_mailbox_and_move_without_folder);
	rc = g_test_run();
	tu_rm_rf(tmpdir);
	g_free(tmpdir);
	return rc;
}
