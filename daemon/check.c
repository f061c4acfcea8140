/*
 * check.c: see check.h.
 */
#include "config.h"

#include <string.h>
#include <unistd.h>

#include "check.h"

struct conf *
check_load(const char *path, GString *errors)
{
	struct conf	*c;
	gsize		 before = errors->len;

	if ((c = conf_load(path, errors)) == NULL)
		return NULL;
	if (errors->len != before) {
		conf_free(c);
		return NULL;
	}
	return c;
}

struct cal *
check_calendar(const struct conf *c)
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
