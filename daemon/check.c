/*
 * check.c: see check.h.
 */
#include "config.h"

#include <string.h>
#include <unistd.h>

#include "check.h"
#include "letter_tpl.h"
#include "staff_cmd.h"

static struct setup *load(const char *,
		    struct conf *(*)(const char *, GString *), GString *);
static void	 check_commands(const struct setup *, GString *);

static void	 check_command(const struct rules_type *,
		    const struct rules_deadline *, const char *, const char *,
		    GString *);

/* A deadline's key that names a staff command names one that exists. */
static void
check_command(const struct rules_type *t, const struct rules_deadline *dl,
    const char *key, const char *value, GString *errors)
{
	if (value != NULL && value[0] == '#' &&
	    !staff_cmd_exists(value + 1))
		g_string_append_printf(errors, "%s:%d: type %s, deadline %s: "
		    "%s %s is not a staff command\n", t->file, t->line, t->name,
		    dl->name, key, value);
}

/* A deadline met by a staff command names one that exists. */
static void
check_commands(const struct setup *s, GString *errors)
{
	guint	 i, k;

	for (i = 0; i < s->rules->types->len; i++) {
		const struct rules_type *t = g_ptr_array_index(s->rules->types, i);

		for (k = 0; k < t->deadlines->len; k++) {
			const struct rules_deadline *dl =
			    g_ptr_array_index(t->deadlines, k);

			if (dl->met_by[0] == '#' &&
			    !staff_cmd_exists(dl->met_by + 1))
				g_string_append_printf(errors, "%s:%d: type %s, "
				    "deadline %s: met_by %s is not a staff "
				    "command\n", t->file, t->line, t->name,
				    dl->name, dl->met_by);
			check_command(t, dl, "starts_with", dl->starts_with,
			    errors);
			check_command(t, dl, "applies_with", dl->applies_with,
			    errors);
			check_command(t, dl, "cancelled_by", dl->cancelled_by,
			    errors);
		}
	}
}

struct setup *
check_load(const char *path, GString *errors)
{
	return load(path, conf_load, errors);
}

struct setup *
check_load_public(const char *path, GString *errors)
{
	return load(path, conf_load_public, errors);
}

static struct setup *
load(const char *path, struct conf *(*load_conf)(const char *, GString *),
    GString *errors)
{
	struct setup	*s = g_new0(struct setup, 1);
	gsize		 before = errors->len;

	s->templates = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
	    (GDestroyNotify)tpl_free);
	if ((s->conf = load_conf(path, errors)) == NULL ||
	    (s->rules = rules_load(s->conf->rules, errors)) == NULL) {
		setup_free(s);
		return NULL;
	}
	letter_load(s, errors);
	check_commands(s, errors);
	if (errors->len != before) {
		setup_free(s);
		return NULL;
	}
	s->cal = check_calendar(s->conf);
	return s;
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
