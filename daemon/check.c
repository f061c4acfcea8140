/*
 * check.c: see check.h.
 */
#include "config.h"

#include <string.h>
#include <unistd.h>

#include "check.h"

static struct cal *calendar(const struct conf *);
static void	 load_templates(struct setup *, GString *);

const struct tpl_decl check_ack_schema[] = {
	{ "case.ref", TPL_SCALAR },
	{ "case.type", TPL_SCALAR },
	{ "complainant.name", TPL_SCALAR },
	{ "deadline.response", TPL_SCALAR },
	{ "missing_fields", TPL_LIST },
	{ "org.name", TPL_SCALAR },
	{ NULL, TPL_SCALAR }
};

/*
 * Every template the rules name, in French (required) and English (if
 * present), parsed and checked against its variables: a typo is an
 * error now, not a blank in a sent mail.
 */
static void
load_templates(struct setup *s, GString *errors)
{
	static const char *const langs[] = { "fr", "en" };
	guint	 i;
	size_t	 k;

	for (i = 0; i <= s->rules->types->len; i++) {
		const struct rules_type *t = i < s->rules->types->len ?
		    g_ptr_array_index(s->rules->types, i) : s->rules->triage;

		for (k = 0; t->ack && k < G_N_ELEMENTS(langs); k++) {
			char	*key = g_strdup_printf("%s/%s", langs[k],
			    t->ack_template);
			char	*path = g_strdup_printf("%s/%s.txt",
			    s->conf->templates, key);
			GError	*err = NULL;
			struct tpl *tpl;

			if (g_hash_table_contains(s->templates, key) ||
			    (k > 0 && !g_file_test(path, G_FILE_TEST_EXISTS))) {
				g_free(key);
				g_free(path);
				continue;
			}
			if ((tpl = tpl_load_file(path, &err)) == NULL ||
			    !tpl_check(tpl, check_ack_schema, &err)) {
				g_string_append_printf(errors, "%s\n", err->message);
				g_error_free(err);
				tpl_free(tpl);
				g_free(key);
			} else
				g_hash_table_insert(s->templates, key, tpl);
			g_free(path);
		}
	}
}

const struct tpl *
check_template(const struct setup *s, const char *lang, const char *name)
{
	const struct tpl *t;
	char	*key = g_strdup_printf("%s/%s", lang, name);

	if ((t = g_hash_table_lookup(s->templates, key)) == NULL) {
		g_free(key);
		key = g_strdup_printf("fr/%s", name);
		t = g_hash_table_lookup(s->templates, key);
	}
	g_free(key);
	return t;
}

struct setup *
check_load(const char *path, GString *errors)
{
	struct setup	*s = g_new0(struct setup, 1);
	gsize		 before = errors->len;

	s->templates = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
	    (GDestroyNotify)tpl_free);
	if ((s->conf = conf_load(path, errors)) == NULL ||
	    (s->rules = rules_load(s->conf->rules, errors)) == NULL) {
		setup_free(s);
		return NULL;
	}
	load_templates(s, errors);
	if (errors->len != before) {
		setup_free(s);
		return NULL;
	}
	s->cal = calendar(s->conf);
	return s;
}

void
setup_free(struct setup *s)
{
	if (s == NULL)
		return;
	conf_free(s->conf);
	rules_free(s->rules);
	cal_free(s->cal);
	g_hash_table_unref(s->templates);
	g_free(s);
}

static struct cal *
calendar(const struct conf *c)
{
	struct cal	*cal = cal_new(c->alsace_moselle);
	guint		 i;

	for (i = 0; i < c->closures->len; i++) {
		const struct conf_closure *cl = &g_array_index(c->closures,
		    struct conf_closure, i);

		cal_add_closure(cal, &cl->from, &cl->to, cl->label);
	}
	return cal;
}
