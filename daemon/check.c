/*
 * check.c: see check.h.
 */
#include "config.h"

#include <string.h>
#include <unistd.h>

#include "check.h"

static struct cal *calendar(const struct conf *);

struct setup *
check_load(const char *path, GString *errors)
{
	struct setup	*s = g_new0(struct setup, 1);

	if ((s->conf = conf_load(path, errors)) == NULL ||
	    (s->rules = rules_load(s->conf->rules, errors)) == NULL) {
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
