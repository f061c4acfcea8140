/*
 * test_rules.c: rule files: the shipped defaults load; every kind of
 * mistake is reported as file:line, all in one run.
 */
#include "config.h"

#include <glib.h>
#include <string.h>

#include "rules.h"
#include "testutil.h"

static struct rules *
load_text(const char *text, GString *errors, char **dir_out)
{
	char		*dir = tu_tmpdir("test_rules");
	char		*path = g_build_filename(dir, "10-test.conf", NULL);
	struct rules	*r;

	g_assert_true(g_file_set_contents(path, text, -1, NULL));
	r = rules_load(dir, errors);
	g_free(path);
	*dir_out = dir;
	return r;
}

static void
test_defaults_load(void)
{
	GString		*errors = g_string_new(NULL);
	char		*dir = g_build_filename(g_getenv("top_srcdir") ?
	    g_getenv("top_srcdir") : "..", "rules", NULL);
	struct rules	*r = rules_load(dir, errors);

	g_assert_cmpstr(errors->str, ==, "");
	g_assert_nonnull(r);
	g_assert_cmpuint(r->types->len, ==, 3);
	g_assert_cmpstr(rules_type(r, "appeal")->prefix, ==, "APP");
	g_assert_cmpstr(rules_type(r, "complaint")->prefix, ==, "PLA");
	g_assert_cmpstr(rules_type(r, "claim")->prefix, ==, "REC");
	g_assert_cmpstr(r->triage->prefix, ==, "TRI");
	g_assert_cmpint(rules_type(r, "appeal")->on_closed, ==,
	    RULES_ANSWER_CLOSED);
	rules_free(r);
	g_free(dir);
	g_string_free(errors, TRUE);
}

static void
test_every_error_with_line(void)
{
	GString		*errors = g_string_new(NULL);
	char		*dir;
	struct rules	*r;

	r = load_text(
	    "types = (\n"
	    "  { name = \"a\"; prefix = \"AAA\"; tags = ( \"plainte\" ); },\n"	/* 2 */
	    "  { name = \"b\"; prefix = \"AAA\"; tags = ( \"Plainte\" );\n"	/* 3 */
	    "    colour = \"red\"; },\n"					/* 4 */
	    "  { name = \"a\"; prefix = \"CCC\"; },\n"			/* 5 */
	    "  { name = \"d\"; prefix = \"dd\"; },\n"			/* 6 */
	    "  { name = \"e\"; prefix = \"EEE\";\n"				/* 7 */
	    "    admissibility = { within = \"5 jours francs\"; }; },\n"	/* 8 */
	    "  { name = \"f\"; prefix = \"FFF\";\n"				/* 9 */
	    "    required = ( { name = \"x\"; pattern = \"(unclosed\"; } ); },\n" /* 10 */
	    "  { name = \"g\"; prefix = \"GGG\"; on_closed = \"ignore\"; states = ( \"lost\" ); },\n" /* 11 */
	    "  { name = \"h\"; prefix = \"HHH\";\n"				/* 12 */
	    "    required = ( { name = \"y\"; pattern = \"d\xc3\xa9\xff\xff" "cision\"; } ); }\n" /* 13 */
	    ");\n", errors, &dir);
	g_assert_null(r);
	g_test_message("%s", errors->str);
	g_assert_nonnull(strstr(errors->str, "10-test.conf:3: prefix \"AAA\" is already used by type \"a\""));
	g_assert_nonnull(strstr(errors->str, "10-test.conf:3: tag \"plainte\" is also a tag of type \"a\""));
	g_assert_nonnull(strstr(errors->str, "10-test.conf:4: unknown option 'colour'"));
	g_assert_nonnull(strstr(errors->str, "10-test.conf:5: type \"a\" is already defined"));
	g_assert_nonnull(strstr(errors->str, "10-test.conf:6: prefix \"dd\" must be 2 to 6 capital letters"));
	g_assert_nonnull(strstr(errors->str, "10-test.conf:8: \"5 jours francs\" is not a duration"));
	g_assert_nonnull(strstr(errors->str, "10-test.conf:10: bad pattern"));
	/* Found by fuzzing: PCRE2 read past a pattern that is not UTF-8. */
	g_assert_nonnull(strstr(errors->str, "10-test.conf:13: 'pattern' is not "
	    "valid UTF-8"));
	g_assert_nonnull(strstr(errors->str, "10-test.conf:11: on_closed must be"));
	g_assert_nonnull(strstr(errors->str, "10-test.conf:11: unknown state \"lost\""));
	tu_rm_rf(dir);
	g_free(dir);
	g_string_free(errors, TRUE);
}

/* Outcomes: found by their first word, any case; bad ones with line. */
static void
test_outcomes(void)
{
	GString		*errors = g_string_new(NULL);
	const struct rules_type *t;
	const struct rules_outcome *o;
	const char	*rest;
	char		*dir, *names;
	struct rules	*r;

	r = load_text(
	    "types = ( { name = \"a\"; prefix = \"AAA\"; inform_party = true; retention = \"10 ans\";\n"
	    "  outcomes = ( { name = \"expert\"; label = \"Appel à un expert\"; final = false; },\n"
	    "    { name = \"classement\"; label = \"Classement sans suite\"; } );\n"
	    "  deadlines = ( { name = \"i\"; within = \"1 mois\"; starts_with = \"#assigner\"; } ); } );\n",
	    errors, &dir);
	g_assert_cmpstr(errors->str, ==, "");
	t = rules_type(r, "a");
	g_assert_true(t->inform_party);
	g_assert_true(t->has_retention);
	g_assert_cmpint(t->retention.years, ==, 10);
	o = rules_outcome(t, "Classement  Rien à reprocher.", &rest);
	g_assert_nonnull(o);
	g_assert_true(o->final);
	g_assert_cmpstr(rest, ==, "Rien à reprocher.");
	g_assert_false(rules_outcome(t, "expert", NULL)->final);
	g_assert_null(rules_outcome(t, "expertise demandée", NULL));
	names = rules_outcome_names(t);
	g_assert_cmpstr(names, ==, "expert, classement");
	g_free(names);
	g_assert_cmpstr(((struct rules_deadline *)g_ptr_array_index(
	    t->deadlines, 0))->starts_with, ==, "#assigner");
	rules_free(r);
	tu_rm_rf(dir);
	g_free(dir);
	r = load_text(
	    "types = ( { name = \"a\"; prefix = \"AAA\"; retention = \"forever\";\n" /* 1 */
	    "  outcomes = ( { name = \"Deux mots\"; },\n"			/* 2 */
	    "    { name = \"x\"; }, { name = \"x\"; } );\n"		/* 3 */
	    "  deadlines = ( { name = \"i\"; within = \"1 mois\"; starts_with = \"assigner\"; } ); } );\n",
	    errors, &dir);
	g_assert_null(r);
	g_test_message("%s", errors->str);
	g_assert_nonnull(strstr(errors->str, "10-test.conf:2: an outcome's name is one word"));
	g_assert_nonnull(strstr(errors->str, "10-test.conf:3: outcome \"x\" is named twice"));
	g_assert_nonnull(strstr(errors->str, "10-test.conf:4: starts_with is a staff command"));
	g_assert_nonnull(strstr(errors->str, "10-test.conf:1: retention: \"forever\""));
	tu_rm_rf(dir);
	g_free(dir);
	g_string_free(errors, TRUE);
}

static void
test_shared_tag_with_priority_is_fine(void)
{
	GString		*errors = g_string_new(NULL);
	char		*dir;
	struct rules	*r;

	r = load_text("types = (\n"
	    " { name = \"a\"; prefix = \"AAA\"; tags = ( \"recours\" ); priority = 2; },\n"
	    " { name = \"b\"; prefix = \"BBB\"; tags = ( \"recours\" ); priority = 1;\n"
	    "   roles = ( \"secretariat\" ); }\n);\n"
	    "defaults = ( { role = \"secretariat\"; type = \"b\"; } );\n",
	    errors, &dir);
	g_assert_cmpstr(errors->str, ==, "");
	g_assert_nonnull(r);
	g_assert_true(rules_role_accepts(rules_type(r, "b"), "secretariat"));
	g_assert_false(rules_role_accepts(rules_type(r, "b"), "client"));
	rules_free(r);
	tu_rm_rf(dir);
	g_free(dir);
	g_string_free(errors, TRUE);
}

static void
test_syntax_error_and_missing_dir(void)
{
	GString		*errors = g_string_new(NULL);
	char		*dir;

	g_assert_null(load_text("types = ( { name = ; } );\n", errors, &dir));
	g_assert_nonnull(strstr(errors->str, "10-test.conf:1: syntax error"));
	tu_rm_rf(dir);
	g_free(dir);
	g_string_truncate(errors, 0);
	g_assert_null(rules_load("/nonexistent/rules", errors));
	g_assert_nonnull(strstr(errors->str, "/nonexistent/rules: "));
	g_string_free(errors, TRUE);
}

int
main(int argc, char *argv[])
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/rules/defaults-load", test_defaults_load);
	g_test_add_func("/rules/every-error-with-line", test_every_error_with_line);
	g_test_add_func("/rules/outcomes", test_outcomes);
	g_test_add_func("/rules/shared-tag-with-priority-is-fine",
	    test_shared_tag_with_priority_is_fine);
	g_test_add_func("/rules/syntax-error-and-missing-dir",
	    test_syntax_error_and_missing_dir);
	return g_test_run();
}
