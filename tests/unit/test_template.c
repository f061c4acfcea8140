/*
 * test_template.c: message templates: rendering, blocks and the lines
 * they leave, every syntax error with its line, unknown and misused
 * variables caught by tpl_check(), missing values at render time, header
 * injection through a value, French and English dates, long and
 * accented values, loading from a file.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <glib.h>
#include <glib/gstdio.h>
#include <string.h>

#include "template.h"
#include "testutil.h"

/* What an acknowledgement offers, as the daemon would declare it. */
static const struct tpl_decl schema[] = {
	{ "case.ref", TPL_SCALAR },
	{ "case.type", TPL_SCALAR },
	{ "complainant.name", TPL_SCALAR },
	{ "deadline.response", TPL_SCALAR },
	{ "missing_fields", TPL_LIST },
	{ "staff", TPL_LIST },
	{ NULL, TPL_SCALAR }
};

static const char ack_fr[] =
    "Subject: [{{case.ref}}] Accusé de réception de votre {{case.type}}\n"
    "\n"
    "{{! Sent when a case is opened. }}\n"
    "Bonjour{{#if complainant.name}} {{complainant.name}}{{/if}},\n"
    "\n"
    "Nous avons bien reçu votre {{case.type}}, enregistrée sous la\n"
    "référence {{case.ref}}.  Nous vous répondrons au plus tard le\n"
    "{{deadline.response}}.\n"
    "{{#if missing_fields}}\n"
    "\n"
    "Merci de nous indiquer :\n"
    "{{#each missing_fields}}\n"
    "  - {{.}}\n"
    "{{/each}}\n"
    "{{/if}}\n"
    "\n"
    "Le service qualité\n";

static struct tpl *
parse_ok(const char *text)
{
	GError		*err = NULL;
	struct tpl	*t = tpl_parse("t.tpl", text, &err);

	g_assert_no_error(err);
	g_assert_nonnull(t);
	return t;
}

/* The message of the error text gives, or fails if it parses. */
static char *
parse_error(const char *text)
{
	GError		*err = NULL;
	struct tpl	*t = tpl_parse("t.tpl", text, &err);
	char		*msg;

	if (t != NULL)
		g_test_message("parsed, expected an error: %s", text);
	g_assert_null(t);
	g_assert_error(err, TPL_ERROR, TPL_ERROR_SYNTAX);
	msg = g_strdup(err->message);
	g_error_free(err);
	return msg;
}

/* Parse, render and return the body; *subject gets the subject. */
static char *
render(const char *text, const struct tpl_vars *v, char **subject)
{
	GError		*err = NULL;
	struct tpl	*t = parse_ok(text);
	char		*body = NULL;

	g_assert_true(tpl_render(t, v, subject, &body, &err));
	g_assert_no_error(err);
	tpl_free(t);
	return body;
}

/* The body of "Subject: s\n\n" followed by text. */
static char *
render_body(const char *text, const struct tpl_vars *v)
{
	char	*full = g_strconcat("Subject: s\n\n", text, NULL);
	char	*body = render(full, v, NULL);

	g_free(full);
	return body;
}

static struct tpl_vars *
ack_vars(void)
{
	struct tpl_vars	*v = tpl_vars_new();

	tpl_vars_set(v, "case.ref", "REC-2026-0042");
	tpl_vars_set(v, "case.type", "réclamation");
	tpl_vars_set(v, "complainant.name", "Mme Lefèvre");
	tpl_vars_set(v, "deadline.response", "lundi 7 décembre 2026");
	return v;
}

static void
test_render_ack(void)
{
	struct tpl_vars	*v = ack_vars();
	char		*subject = NULL, *body;

	body = render(ack_fr, v, &subject);
	g_assert_cmpstr(subject, ==,
	    "[REC-2026-0042] Accusé de réception de votre réclamation");
	g_assert_cmpstr(body, ==,
	    "Bonjour Mme Lefèvre,\n"
	    "\n"
	    "Nous avons bien reçu votre réclamation, enregistrée sous la\n"
	    "référence REC-2026-0042.  Nous vous répondrons au plus tard le\n"
	    "lundi 7 décembre 2026.\n"
	    "\n"
	    "Le service qualité\n");
	g_free(subject);
	g_free(body);
	tpl_vars_free(v);
}

static void
test_render_ack_missing_fields(void)
{
	static const char *const missing[] = { "votre numéro de dossier",
	    "la date des faits", NULL };
	struct tpl_vars	*v = ack_vars();
	char		*body;

	tpl_vars_set(v, "complainant.name", NULL);
	tpl_vars_set_list(v, "missing_fields", missing);
	body = render(ack_fr, v, NULL);
	g_assert_cmpstr(body, ==,
	    "Bonjour,\n"
	    "\n"
	    "Nous avons bien reçu votre réclamation, enregistrée sous la\n"
	    "référence REC-2026-0042.  Nous vous répondrons au plus tard le\n"
	    "lundi 7 décembre 2026.\n"
	    "\n"
	    "Merci de nous indiquer :\n"
	    "  - votre numéro de dossier\n"
	    "  - la date des faits\n"
	    "\n"
	    "Le service qualité\n");
	g_free(body);
	tpl_vars_free(v);
}

static void
test_render_if_else(void)
{
	static const char text[] =
	    "{{#if complainant.name}}Madame, Monsieur {{complainant.name}}"
	    "{{else}}Madame, Monsieur{{/if}}|"
	    "{{#if missing_fields}}list{{else}}empty{{/if}}";
	static const char *const one[] = { "x", NULL };
	struct tpl_vars	*v = tpl_vars_new();
	char		*body;

	body = render_body(text, v);
	g_assert_cmpstr(body, ==, "Madame, Monsieur|empty");
	g_free(body);

	tpl_vars_set(v, "complainant.name", "");
	tpl_vars_set_list(v, "missing_fields", NULL);
	body = render_body(text, v);
	g_assert_cmpstr(body, ==, "Madame, Monsieur|empty");
	g_free(body);

	tpl_vars_set(v, "complainant.name", "Durand");
	tpl_vars_set_list(v, "missing_fields", one);
	body = render_body(text, v);
	g_assert_cmpstr(body, ==, "Madame, Monsieur Durand|list");
	g_free(body);
	tpl_vars_free(v);
}

static void
test_render_block_lines(void)
{
	static const char text[] =
	    "a\n"
	    "  {{#if x}}  \n"
	    "b\n"
	    "\t{{else}}\n"
	    "c\n"
	    "{{/if}}{{! two tags on a line }}\n"
	    "{{! a comment\n"
	    "    over two lines }}\n"
	    "d {{#if x}}inline{{/if}}\n"
	    "\n"
	    "e\n"
	    "{{#if x}}";
	struct tpl_vars	*v = tpl_vars_new();
	char		*full, *body;

	/* The last line ends without a line end, the tag with one. */
	tpl_vars_set(v, "x", "1");
	full = g_strconcat(text, "f{{/if}}", NULL);
	body = render_body(full, v);
	g_assert_cmpstr(body, ==, "a\nb\nd inline\n\ne\nf");
	g_free(body);
	g_free(full);

	tpl_vars_set(v, "x", NULL);
	full = g_strconcat(text, "\n{{/if}}", NULL);
	body = render_body(full, v);
	g_assert_cmpstr(body, ==, "a\nc\nd \n\ne\n");
	g_free(body);
	g_free(full);
	tpl_vars_free(v);
}

static void
test_render_nested_each(void)
{
	static const char text[] =
	    "{{#each staff}}\n"
	    "{{.}}:\n"
	    "{{#each missing_fields}}\n"
	    "{{#if .}}\n"
	    "  {{.}} ({{case.ref}})\n"
	    "{{else}}\n"
	    "  (blank)\n"
	    "{{/if}}\n"
	    "{{/each}}\n"
	    "{{/each}}\n"
	    "end\n";
	static const char *const staff[] = { "alice", "bob", NULL };
	static const char *const fields[] = { "date", "", "lieu", NULL };
	struct tpl_vars	*v = tpl_vars_new();
	char		*body;

	tpl_vars_set_list(v, "staff", staff);
	tpl_vars_set_list(v, "missing_fields", fields);
	tpl_vars_set(v, "case.ref", "R-1");
	body = render_body(text, v);
	g_assert_cmpstr(body, ==,
	    "alice:\n  date (R-1)\n  (blank)\n  lieu (R-1)\n"
	    "bob:\n  date (R-1)\n  (blank)\n  lieu (R-1)\n"
	    "end\n");
	g_free(body);

	tpl_vars_set_list(v, "staff", NULL);
	body = render_body(text, v);
	g_assert_cmpstr(body, ==, "end\n");
	g_free(body);
	tpl_vars_free(v);
}

static void
test_vars_append_setf(void)
{
	struct tpl_vars	*v = tpl_vars_new();
	char		*body;

	tpl_vars_append(v, "staff", "a");
	tpl_vars_append(v, "staff", "b");
	tpl_vars_setf(v, "case.ref", "%s-%d-%04d", "REC", 2026, 42);
	tpl_vars_set(v, "case.type", "appel");
	tpl_vars_set(v, "case.type", "plainte");
	body = render_body("{{ case.ref }} {{\tcase.type}}{{ ! spaced }}"
	    "{{#each  staff }} {{ . }}{{/each }}", v);
	g_assert_cmpstr(body, ==, "REC-2026-0042 plainte a b");
	g_free(body);
	tpl_vars_free(v);
}

static void
test_check_ok(void)
{
	GError		*err = NULL;
	struct tpl	*t = parse_ok(ack_fr);

	g_assert_true(tpl_check(t, schema, &err));
	g_assert_no_error(err);
	tpl_free(t);
}

/* Every problem is reported, each with its line, subject first. */
static void
test_check_unknown_variable(void)
{
	GError		*err = NULL;
	struct tpl	*t;

	t = parse_ok(
	    "Subject: [{{case.reference}}]\n"
	    "\n"
	    "Bonjour {{complainant.name}},\n"
	    "{{#if case.status}}\n"
	    "{{#each staff}}{{.}} {{staff.name}}{{/each}}\n"
	    "{{/if}}\n");
	g_assert_false(tpl_check(t, schema, &err));
	g_assert_error(err, TPL_ERROR, TPL_ERROR_CHECK);
	g_assert_cmpstr(err->message, ==,
	    "t.tpl:1: unknown variable 'case.reference'\n"
	    "t.tpl:4: unknown variable 'case.status'\n"
	    "t.tpl:5: unknown variable 'staff.name'");
	g_error_free(err);
	tpl_free(t);
}

static void
test_check_kinds(void)
{
	GError		*err = NULL;
	struct tpl	*t;

	t = parse_ok(
	    "Subject: x\n"
	    "\n"
	    "{{#if missing_fields}}ok{{/if}}{{#if case.ref}}ok{{/if}}\n"
	    "Champs : {{missing_fields}}\n"
	    "{{#each case.ref}}{{.}}{{/each}}\n");
	g_assert_false(tpl_check(t, schema, &err));
	g_assert_error(err, TPL_ERROR, TPL_ERROR_CHECK);
	g_assert_cmpstr(err->message, ==,
	    "t.tpl:4: 'missing_fields' is a list: write "
	    "'{{#each missing_fields}}{{.}}{{/each}}'\n"
	    "t.tpl:5: 'case.ref' is a single value, not a list: write "
	    "'{{case.ref}}'");
	g_error_free(err);
	tpl_free(t);
}

static void
test_parse_errors(void)
{
	static const struct {
		const char	*text;
		const char	*error;
	} cases[] = {
		{ "Subject: x\n\na\n{{#if case.ref}}\nb\n",
		  "t.tpl:4: '{{#if case.ref}}' is not closed by '{{/if}}'" },
		{ "Subject: x\n\n{{#each staff}}\n{{#if .}}\n{{/each}}\n",
		  "t.tpl:5: '{{/each}}' where '{{#if .}}' of line 4 needs "
		  "'{{/if}}'" },
		{ "Subject: x\n\na\nb\n{{/if}}\n",
		  "t.tpl:5: '{{/if}}' without '{{#if}}'" },
		{ "Subject: x\n\n{{/each}}",
		  "t.tpl:3: '{{/each}}' without '{{#each}}'" },
		{ "Subject: x\n\n{{else}}\n",
		  "t.tpl:3: '{{else}}' outside '{{#if}}'" },
		{ "Subject: x\n\n{{#if a}}\n{{else}}\n{{else}}\n{{/if}}\n",
		  "t.tpl:5: second '{{else}}' in '{{#if a}}' of line 3" },
		{ "Subject: x\n\n{{case ref}}\n",
		  "t.tpl:3: bad variable name 'case ref': use letters, digits, "
		  "_ and dots, as in case.ref" },
		{ "Subject: x\n\n\n{{case..ref}}\n",
		  "t.tpl:4: bad variable name 'case..ref': use letters, "
		  "digits, _ and dots, as in case.ref" },
		{ "Subject: x\n\n{{}}\n",
		  "t.tpl:3: bad variable name '': use letters, digits, _ and "
		  "dots, as in case.ref" },
		{ "Subject: x\n\n{{#if 1x}}{{/if}}\n",
		  "t.tpl:3: bad variable name '1x' in '{{#if 1x}}'" },
		{ "Subject: x\n\n{{#if}}{{/if}}\n",
		  "t.tpl:3: bad variable name '' in '{{#if}}'" },
		{ "Subject: x\n\n{{#unless x}}\n",
		  "t.tpl:3: unknown tag '{{#unless x}}': blocks are #if, else, "
		  "/if, #each, /each" },
		{ "Subject: x\n\n{{#if x}}{{/if x}}\n",
		  "t.tpl:3: '{{/if x}}' takes nothing after '/if'" },
		{ "Subject: x\n\nab {{case.ref\n}}\n",
		  "t.tpl:3: '{{' is not closed by '}}' on the same line" },
		{ "Subject: x\n\nab {{! never closed\n\n",
		  "t.tpl:3: comment '{{!' is not closed by '}}'" },
		{ "Subject: x\n\n{{.}}\n",
		  "t.tpl:3: '{{.}}' outside '{{#each}}'" },
		{ "Subject: x\n\n{{#each staff}}{{#each .}}{{/each}}{{/each}}",
		  "t.tpl:3: '{{#each .}}': an item is not a list" },
		{ "Subject: x\nFrom: evil@example.com\n\nbody\n",
		  "t.tpl:2: unknown header 'From': a template sets only "
		  "Subject:" },
		{ "X-Mailer: y\nSubject: x\n\nbody\n",
		  "t.tpl:1: unknown header 'X-Mailer': a template sets only "
		  "Subject:" },
		{ "Subject: x\nsubject: y\n\nbody\n",
		  "t.tpl:2: second 'Subject:' header (the first is at "
		  "line 1)" },
		{ "\nbody\n", "t.tpl:1: missing 'Subject:' header" },
		{ "Bonjour,\n\nbody\n",
		  "t.tpl:1: expected 'Subject: ...' or the blank line that "
		  "ends the headers" },
		{ "Subject: x\nbody\n",
		  "t.tpl:2: expected 'Subject: ...' or the blank line that "
		  "ends the headers" },
		{ "Subject: x",
		  "t.tpl:1: no blank line after the headers: a template is "
		  "'Subject: ...', a blank line, then the body" },
		{ " folded\nSubject: x\n\n",
		  "t.tpl:1: continuation line before any header" },
		{ "Subject:  \n\nbody\n", "t.tpl:1: empty 'Subject:'" },
		{ "Subject: {{#if x}}a\n\nbody\n",
		  "t.tpl:1: '{{#if x}}' is not closed by '{{/if}}'" },
		{ "Subject: x\n\nok\nR\xe9" "clamation\n",
		  "t.tpl:4: invalid UTF-8: templates are UTF-8 text" },
		{ "Subject: x\r\n\r\n\r\n{{#if\r\n",
		  "t.tpl:4: '{{' is not closed by '}}' on the same line" },
	};
	size_t	 i;

	for (i = 0; i < G_N_ELEMENTS(cases); i++) {
		char	*msg = parse_error(cases[i].text);

		g_assert_cmpstr(msg, ==, cases[i].error);
		g_free(msg);
	}
}

/* A value must never add a header line, whatever it holds. */
static void
test_subject_injection(void)
{
	struct tpl_vars	*v = tpl_vars_new();
	char		*subject = NULL, *body;

	tpl_vars_set(v, "case.ref", "R-1\r\nBcc: victim@example.com\r\n"
	    "\r\nspam");
	tpl_vars_set(v, "case.type", "a\rb\nc\td\x1b[31me\x7f" "f\xc2\x85g"
	    "\xe2\x80\xa8h");
	body = render("Subject: [{{case.ref}}] {{case.type}}\n\n"
	    "{{case.ref}}|{{case.type}}\n", v, &subject);
	g_assert_cmpstr(subject, ==,
	    "[R-1 Bcc: victim@example.com  spam] a b c d [31me f g h");
	g_assert_null(strpbrk(subject, "\r\n"));
	g_assert_cmpstr(body, ==,
	    "R-1\nBcc: victim@example.com\n\nspam|a\nb\nc\td[31mefg"
	    "\xe2\x80\xa8h\n");
	g_free(subject);
	g_free(body);
	tpl_vars_free(v);
}

static void
test_body_line_ends(void)
{
	struct tpl_vars	*v = tpl_vars_new();
	char		*body;

	tpl_vars_set(v, "x", "a\r\nb\rc\nd\r\r\ne\a\bf");
	body = render_body("[{{x}}]\n", v);
	g_assert_cmpstr(body, ==, "[a\nb\nc\nd\n\nef]\n");
	g_free(body);
	tpl_vars_free(v);
}

/* A template written with CRLF gives the same lines and LF output. */
static void
test_crlf_template(void)
{
	struct tpl_vars	*v = tpl_vars_new();
	char		*subject = NULL, *body;

	tpl_vars_set(v, "x", "1");
	body = render("\xef\xbb\xbfSubject: a\r\n  b {{x}}\r\n\r\n"
	    "l1\r\n{{#if x}}\r\nl2\r\n{{/if}}\r\n", v, &subject);
	g_assert_cmpstr(subject, ==, "a b 1");
	g_assert_cmpstr(body, ==, "l1\nl2\n");
	g_free(subject);
	g_free(body);
	tpl_vars_free(v);
}

static void
expect_render_error(const char *text, const struct tpl_vars *v,
    const char *error)
{
	GError		*err = NULL;
	struct tpl	*t = parse_ok(text);
	char		*subject = NULL, *body = NULL;

	g_assert_false(tpl_render(t, v, &subject, &body, &err));
	g_assert_error(err, TPL_ERROR, TPL_ERROR_RENDER);
	g_assert_cmpstr(err->message, ==, error);
	g_assert_null(subject);
	g_assert_null(body);
	g_error_free(err);
	tpl_free(t);
}

/* Never a blank: a value the template needs and lacks is an error. */
static void
test_missing_value(void)
{
	struct tpl_vars	*v = ack_vars();

	tpl_vars_set(v, "deadline.response", NULL);
	expect_render_error(ack_fr, v,
	    "t.tpl:8: no value for 'deadline.response'");
	expect_render_error("Subject: [{{case.status}}]\n\n", v,
	    "t.tpl:1: no value for 'case.status'");
	expect_render_error("Subject: x\n\n{{#each missing_fields}}"
	    "{{/each}}", v, "t.tpl:3: no value for 'missing_fields'");
	tpl_vars_set_list(v, "missing_fields", NULL);
	expect_render_error("Subject: x\n\n\n{{missing_fields}}", v,
	    "t.tpl:4: a list is not a single value: 'missing_fields'");
	expect_render_error("Subject: x\n\n{{#each case.ref}}{{/each}}", v,
	    "t.tpl:3: a single value is not a list: 'case.ref'");
	tpl_vars_free(v);
}

static void
test_long_value(void)
{
	struct tpl_vars	*v = tpl_vars_new();
	char		*value = g_strnfill(10000, 'x');
	char		*subject = NULL, *body, *expect;

	value[4999] = '\n';
	tpl_vars_set(v, "x", value);
	body = render("Subject: <{{x}}>\n\n<{{x}}>\n", v, &subject);
	expect = g_strdup_printf("<%s>\n", value);
	g_assert_cmpstr(body, ==, expect);
	value[4999] = ' ';
	g_free(expect);
	expect = g_strdup_printf("<%s>", value);
	g_assert_cmpstr(subject, ==, expect);
	g_assert_cmpuint(strlen(subject), ==, 10002);
	g_free(expect);
	g_free(value);
	g_free(subject);
	g_free(body);
	tpl_vars_free(v);
}

static void
test_utf8_roundtrip(void)
{
	static const char name[] = "Françoise Œuvray-Lefèvre « née Müller » "
	    "— çà et là, ÀÉÎÕÜ ß 日本語 😀";
	struct tpl_vars	*v = tpl_vars_new();
	char		*subject = NULL, *body, *expect;

	tpl_vars_set(v, "complainant.name", name);
	body = render("Subject: Réclamation — {{complainant.name}}\n\n"
	    "À l’attention de {{complainant.name}} :\n", v, &subject);
	expect = g_strdup_printf("Réclamation — %s", name);
	g_assert_cmpstr(subject, ==, expect);
	g_free(expect);
	expect = g_strdup_printf("À l’attention de %s :\n", name);
	g_assert_cmpstr(body, ==, expect);
	g_assert_true(g_utf8_validate(body, -1, NULL));
	g_free(expect);
	g_free(subject);
	g_free(body);

	/* Bytes that are not UTF-8 become U+FFFD, not a broken mail. */
	tpl_vars_set(v, "complainant.name", "R\xe9mi");
	body = render("Subject: {{complainant.name}}\n\n{{complainant.name}}",
	    v, &subject);
	g_assert_cmpstr(subject, ==, "R\xef\xbf\xbdmi");
	g_assert_cmpstr(body, ==, "R\xef\xbf\xbdmi");
	g_free(subject);
	g_free(body);
	tpl_vars_free(v);
}

static char *
date(const char *iso, const char *lang)
{
	GTimeZone	*tz = g_time_zone_new_utc();
	GDateTime	*dt = g_date_time_new_from_iso8601(iso, tz);
	char		*s;

	g_assert_nonnull(dt);
	s = tpl_format_date(dt, lang);
	g_date_time_unref(dt);
	g_time_zone_unref(tz);
	return s;
}

static void
test_dates(gconstpointer data)
{
	static const struct {
		const char	*iso;
		const char	*lang;
		const char	*text;
	} cases[] = {
		{ "2026-12-07T10:00:00Z", "fr", "lundi 7 décembre 2026" },
		{ "2026-12-01T10:00:00Z", "fr", "mardi 1er décembre 2026" },
		{ "2027-01-01T00:00:00Z", "fr", "vendredi 1er janvier 2027" },
		{ "2026-02-11T00:00:00Z", "fr", "mercredi 11 février 2026" },
		{ "2026-03-12T00:00:00Z", "fr", "jeudi 12 mars 2026" },
		{ "2026-04-10T00:00:00Z", "fr", "vendredi 10 avril 2026" },
		{ "2026-05-02T00:00:00Z", "fr", "samedi 2 mai 2026" },
		{ "2026-06-21T00:00:00Z", "fr", "dimanche 21 juin 2026" },
		{ "2026-07-14T00:00:00Z", "fr", "mardi 14 juillet 2026" },
		{ "2026-08-15T00:00:00Z", "fr", "samedi 15 août 2026" },
		{ "2026-09-30T00:00:00Z", "fr", "mercredi 30 septembre 2026" },
		{ "2026-10-31T00:00:00Z", "fr", "samedi 31 octobre 2026" },
		{ "2026-11-11T00:00:00Z", "fr", "mercredi 11 novembre 2026" },
		{ "2028-02-29T00:00:00Z", "fr", "mardi 29 février 2028" },
		/* The day is dt's own: 23:30 in UTC+1 is still the 30th. */
		{ "2026-11-30T23:30:00+01:00", "fr", "lundi 30 novembre 2026" },
		{ "2026-12-07T10:00:00Z", "en", "Monday 7 December 2026" },
		{ "2026-12-01T10:00:00Z", "en", "Tuesday 1 December 2026" },
		{ "2026-01-01T00:00:00Z", "en", "Thursday 1 January 2026" },
		{ "2026-02-11T00:00:00Z", "en", "Wednesday 11 February 2026" },
		{ "2026-03-13T00:00:00Z", "en", "Friday 13 March 2026" },
		{ "2026-04-18T00:00:00Z", "en", "Saturday 18 April 2026" },
		{ "2026-05-31T00:00:00Z", "en", "Sunday 31 May 2026" },
		{ "2026-06-01T00:00:00Z", "en", "Monday 1 June 2026" },
		{ "2026-07-01T00:00:00Z", "en", "Wednesday 1 July 2026" },
		{ "2026-08-01T00:00:00Z", "en", "Saturday 1 August 2026" },
		{ "2026-09-01T00:00:00Z", "en", "Tuesday 1 September 2026" },
		{ "2026-10-01T00:00:00Z", "en", "Thursday 1 October 2026" },
		{ "2026-11-01T00:00:00Z", "en", "Sunday 1 November 2026" },
	};
	const char	*lang = data;
	size_t		 i;

	for (i = 0; i < G_N_ELEMENTS(cases); i++) {
		char	*s;

		if (strcmp(cases[i].lang, lang) != 0)
			continue;
		s = date(cases[i].iso, lang);
		g_assert_cmpstr(s, ==, cases[i].text);
		g_free(s);
	}
}

static void
test_load_file(void)
{
	char		*dir = tu_tmpdir("test_template");
	char		*good = g_build_filename(dir, "ack.txt", NULL);
	char		*bad = g_build_filename(dir, "bad.txt", NULL);
	char		*expect;
	GError		*err = NULL;
	struct tpl	*t;

	g_assert_true(g_file_set_contents(good, ack_fr, -1, NULL));
	g_assert_true(g_file_set_contents(bad, "Subject: x\n\n{{#if a}}\n",
	    -1, NULL));
	t = tpl_load_file(good, &err);
	g_assert_no_error(err);
	g_assert_cmpstr(tpl_name(t), ==, good);
	tpl_free(t);

	g_assert_null(tpl_load_file(bad, &err));
	expect = g_strdup_printf("%s:3: '{{#if a}}' is not closed by "
	    "'{{/if}}'", bad);
	g_assert_cmpstr(err->message, ==, expect);
	g_clear_error(&err);
	g_free(expect);

	g_assert_true(g_file_set_contents(bad, "Subject: x\n\na\0b", 15,
	    NULL));
	g_assert_null(tpl_load_file(bad, &err));
	expect = g_strdup_printf("%s: contains a NUL byte", bad);
	g_assert_cmpstr(err->message, ==, expect);
	g_clear_error(&err);
	g_free(expect);

	g_assert_true(g_unlink(good) == 0);
	g_assert_null(tpl_load_file(good, &err));
	g_assert_error(err, G_FILE_ERROR, G_FILE_ERROR_NOENT);
	g_clear_error(&err);

	tu_rm_rf(dir);
	g_free(good);
	g_free(bad);
	g_free(dir);
}

static void
test_free_null(void)
{
	tpl_free(NULL);
	tpl_vars_free(NULL);
}

int
main(int argc, char *argv[])
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/template/render/ack", test_render_ack);
	g_test_add_func("/template/render/ack-missing-fields",
	    test_render_ack_missing_fields);
	g_test_add_func("/template/render/if-else", test_render_if_else);
	g_test_add_func("/template/render/block-lines-leave-no-blank",
	    test_render_block_lines);
	g_test_add_func("/template/render/nested-each",
	    test_render_nested_each);
	g_test_add_func("/template/vars/append-setf-replace-spaces",
	    test_vars_append_setf);
	g_test_add_func("/template/check/ok", test_check_ok);
	g_test_add_func("/template/check/unknown-variable",
	    test_check_unknown_variable);
	g_test_add_func("/template/check/list-scalar-misuse",
	    test_check_kinds);
	g_test_add_func("/template/parse/errors-with-line",
	    test_parse_errors);
	g_test_add_func("/template/render/subject-crlf-injection",
	    test_subject_injection);
	g_test_add_func("/template/render/body-line-ends",
	    test_body_line_ends);
	g_test_add_func("/template/parse/crlf-bom-folded-subject",
	    test_crlf_template);
	g_test_add_func("/template/render/missing-value-is-error",
	    test_missing_value);
	g_test_add_func("/template/render/10000-char-value", test_long_value);
	g_test_add_func("/template/render/utf8-roundtrip",
	    test_utf8_roundtrip);
	g_test_add_data_func("/template/date/fr", "fr", test_dates);
	g_test_add_data_func("/template/date/en", "en", test_dates);
	g_test_add_func("/template/load-file", test_load_file);
	g_test_add_func("/template/free-null", test_free_null);
	return g_test_run();
}
