/*
 * setup.c: see setup.h.
 */
#include "config.h"

#include "setup.h"

const struct tpl *
setup_template(const struct setup *s, const char *lang, const char *name)
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
