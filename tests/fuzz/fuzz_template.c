/*
 * fuzz_template.c: a template (before the first NUL byte) checked against
 * a schema and rendered with hostile variables (after it: "name=value"
 * lines, "name+=item" for a list item).  A value may hold newlines,
 * braces and control characters: the subject stays one line.
 */
#include "config.h"

#include "fuzz.h"
#include "template.h"

static const struct tpl_decl ftpl_schema[] = {
	{ "case.ref", TPL_SCALAR }, { "case.subject", TPL_SCALAR },
	{ "complainant.name", TPL_SCALAR }, { "text", TPL_SCALAR },
	{ "missing_fields", TPL_LIST }, { "attachments", TPL_LIST },
	{ NULL, TPL_SCALAR }
};

static struct tpl_vars *
ftpl_vars(const char *text)
{
	struct tpl_vars	*v = tpl_vars_new();
	char		**lines = g_strsplit(text, "\n", 64), *eq;
	guint		 i;

	for (i = 0; lines[i] != NULL; i++) {
		if ((eq = strchr(lines[i], '=')) == NULL)
			continue;
		*eq = '\0';
		if (eq > lines[i] && eq[-1] == '+') {
			eq[-1] = '\0';
			tpl_vars_append(v, lines[i], eq + 1);
		} else
			tpl_vars_set(v, lines[i], eq + 1);
	}
	g_strfreev(lines);
	return v;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tpl_vars	*v;
	struct tpl	*t;
	GError		*err = NULL;
	const char	*vars;
	char		*text, *subject = NULL, *body = NULL;

	fuzz_split(data, size, &text, &vars);
	if (g_utf8_validate(text, -1, NULL) &&
	    (t = tpl_parse("fuzz", text, &err)) != NULL) {
		(void)tpl_check(t, ftpl_schema, NULL);
		v = ftpl_vars(vars);
		if (tpl_render(t, v, &subject, &body, NULL) &&
		    strpbrk(subject, "\r\n") != NULL)
			g_error("a rendered subject holds a line break");
		tpl_vars_free(v);
		tpl_free(t);
	}
	g_clear_error(&err);
	g_free(subject);
	g_free(body);
	g_free(text);
	return 0;
}
