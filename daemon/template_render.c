/*
 * template_render.c: a template filled in with its variables (see
 * template.h).  Values are sanitised as they are inserted, never the
 * template's own text, which the administrator wrote.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <stdarg.h>
#include <string.h>

#include "template_int.h"

/* A single value (str) or a list (items); "." in a loop is a single one. */
struct value {
	char		*str;
	GPtrArray	*items;		/* of char * */
};

struct tpl_vars {
	GHashTable	*values;	/* name -> struct value */
};

struct render {
	const struct tpl	*tpl;
	const struct tpl_vars	*vars;
	GString			*out;
	gboolean		 header;
	GPtrArray		*items;	/* of struct value: "." per loop */
};

static void	 value_free(gpointer);
static void	 vars_put(struct tpl_vars *, const char *, char *, GPtrArray *);
static const struct value *lookup(const struct render *, const char *);
static gboolean	 truth(const struct value *);
static gboolean	 render_nodes(struct render *, GPtrArray *, GError **);
static gboolean	 render_var(struct render *, const struct node *, GError **);
static gboolean	 render_each(struct render *, const struct node *,
		    GError **);
static void	 append_value(struct render *, const char *);
static void	 sanitise_header(GString *, const char *);
static void	 sanitise_body(GString *, const char *);

struct tpl_vars *
tpl_vars_new(void)
{
	struct tpl_vars	*v = g_new0(struct tpl_vars, 1);

	v->values = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
	    value_free);
	return v;
}

void
tpl_vars_free(struct tpl_vars *v)
{
	if (v == NULL)
		return;
	g_hash_table_destroy(v->values);
	g_free(v);
}

static void
value_free(gpointer p)
{
	struct value	*val = p;

	g_free(val->str);
	if (val->items != NULL)
		g_ptr_array_free(val->items, TRUE);
	g_free(val);
}

/* Store str or items (taken) under name, or unset it if both are NULL. */
static void
vars_put(struct tpl_vars *v, const char *name, char *str, GPtrArray *items)
{
	struct value	*val;

	if (str == NULL && items == NULL) {
		g_hash_table_remove(v->values, name);
		return;
	}
	val = g_new0(struct value, 1);
	val->str = str;
	val->items = items;
	g_hash_table_replace(v->values, g_strdup(name), val);
}

void
tpl_vars_set(struct tpl_vars *v, const char *name, const char *value)
{
	g_return_if_fail(tpl_valid_name(name) && strcmp(name, ".") != 0);
	vars_put(v, name, g_strdup(value), NULL);
}

void
tpl_vars_setf(struct tpl_vars *v, const char *name, const char *fmt, ...)
{
	va_list	 ap;

	g_return_if_fail(tpl_valid_name(name) && strcmp(name, ".") != 0);
	va_start(ap, fmt);
	vars_put(v, name, g_strdup_vprintf(fmt, ap), NULL);
	va_end(ap);
}

void
tpl_vars_set_list(struct tpl_vars *v, const char *name,
    const char *const *items)
{
	GPtrArray	*list;

	g_return_if_fail(tpl_valid_name(name) && strcmp(name, ".") != 0);
	list = g_ptr_array_new_with_free_func(g_free);
	for (; items != NULL && *items != NULL; items++)
		g_ptr_array_add(list, g_strdup(*items));
	vars_put(v, name, NULL, list);
}

void
tpl_vars_append(struct tpl_vars *v, const char *name, const char *item)
{
	struct value	*val;

	g_return_if_fail(item != NULL);
	if ((val = g_hash_table_lookup(v->values, name)) == NULL) {
		tpl_vars_set_list(v, name, NULL);
		val = g_hash_table_lookup(v->values, name);
	}
	g_return_if_fail(val != NULL && val->items != NULL);
	g_ptr_array_add(val->items, g_strdup(item));
}

gboolean
tpl_render(const struct tpl *t, const struct tpl_vars *v, char **subject_out,
    char **body_out, GError **err)
{
	struct render	 r = { t, v, NULL, TRUE, NULL };
	GString		*subject = g_string_new(NULL);
	GString		*body = g_string_new(NULL);
	gboolean	 ok;

	r.items = g_ptr_array_new();
	r.out = subject;
	ok = render_nodes(&r, t->subject, err);
	r.out = body;
	r.header = FALSE;
	ok = ok && render_nodes(&r, t->body, err);
	g_ptr_array_free(r.items, TRUE);
	if (ok && subject_out != NULL)
		*subject_out = g_strstrip(g_string_free(subject, FALSE));
	else
		g_string_free(subject, TRUE);
	if (ok && body_out != NULL)
		*body_out = g_string_free(body, FALSE);
	else
		g_string_free(body, TRUE);
	return ok;
}

/* The value of name: the current item for ".", NULL when unset. */
static const struct value *
lookup(const struct render *r, const char *name)
{
	if (strcmp(name, ".") == 0)
		return g_ptr_array_index(r->items, r->items->len - 1);
	return g_hash_table_lookup(r->vars->values, name);
}

static gboolean
truth(const struct value *val)
{
	if (val == NULL)
		return FALSE;
	if (val->items != NULL)
		return val->items->len > 0;
	return *val->str != '\0';
}

static gboolean
render_nodes(struct render *r, GPtrArray *nodes, GError **err)
{
	const struct node	*n;
	guint			 i;
	gboolean		 ok = TRUE;

	for (i = 0; ok && nodes != NULL && i < nodes->len; i++) {
		n = g_ptr_array_index(nodes, i);
		switch (n->type) {
		case NODE_TEXT:
			if (r->header)
				sanitise_header(r->out, n->text);
			else
				g_string_append(r->out, n->text);
			break;
		case NODE_VAR:
			ok = render_var(r, n, err);
			break;
		case NODE_IF:
			ok = render_nodes(r, truth(lookup(r, n->text)) ?
			    n->body : n->alt, err);
			break;
		case NODE_EACH:
			ok = render_each(r, n, err);
			break;
		}
	}
	return ok;
}

static gboolean
render_var(struct render *r, const struct node *n, GError **err)
{
	const struct value	*val = lookup(r, n->text);

	if (val == NULL || val->items != NULL) {
		g_set_error(err, TPL_ERROR, TPL_ERROR_RENDER, "%s:%d: %s '%s'",
		    r->tpl->name, n->line, val == NULL ? "no value for" :
		    "a list is not a single value:", n->text);
		return FALSE;
	}
	append_value(r, val->str);
	return TRUE;
}

static gboolean
render_each(struct render *r, const struct node *n, GError **err)
{
	const struct value	*val = lookup(r, n->text);
	struct value		 item = { NULL, NULL };
	guint			 i;
	gboolean		 ok = TRUE;

	if (val == NULL || val->items == NULL) {
		g_set_error(err, TPL_ERROR, TPL_ERROR_RENDER, "%s:%d: %s '%s'",
		    r->tpl->name, n->line, val == NULL ? "no value for" :
		    "a single value is not a list:", n->text);
		return FALSE;
	}
	g_ptr_array_add(r->items, &item);
	for (i = 0; ok && i < val->items->len; i++) {
		item.str = g_ptr_array_index(val->items, i);
		ok = render_nodes(r, n->body, err);
	}
	g_ptr_array_remove_index(r->items, r->items->len - 1);
	return ok;
}

/* Values may come from a hostile message: never trust their bytes. */
static void
append_value(struct render *r, const char *s)
{
	char	*valid = g_utf8_make_valid(s, -1);

	if (r->header)
		sanitise_header(r->out, valid);
	else
		sanitise_body(r->out, valid);
	g_free(valid);
}

/*
 * A header is one line: a CR or LF would let a value add header lines
 * (Bcc:), so every control character, and the Unicode line and paragraph
 * separators, become a space; CRLF becomes a single one.
 */
static void
sanitise_header(GString *out, const char *s)
{
	const char	*p, *next;
	gunichar	 c;

	for (p = s; *p != '\0'; p = next) {
		next = g_utf8_next_char(p);
		c = g_utf8_get_char(p);
		if (c == '\r' && *next == '\n')
			continue;
		if (g_unichar_iscntrl(c) || c == 0x2028 || c == 0x2029)
			g_string_append_c(out, ' ');
		else
			g_string_append_len(out, p, next - p);
	}
}

/* Body values keep their lines, as LF; other control characters go. */
static void
sanitise_body(GString *out, const char *s)
{
	const char	*p, *next;
	gunichar	 c;

	for (p = s; *p != '\0'; p = next) {
		next = g_utf8_next_char(p);
		c = g_utf8_get_char(p);
		if (c == '\r') {
			g_string_append_c(out, '\n');
			if (*next == '\n')
				next++;
		} else if (c == '\n' || c == '\t' || !g_unichar_iscntrl(c))
			g_string_append_len(out, p, next - p);
	}
}

char *
tpl_format_date(GDateTime *dt, const char *lang)
{
	static const char *const fr_days[] = { "lundi", "mardi", "mercredi",
	    "jeudi", "vendredi", "samedi", "dimanche" };
	static const char *const fr_months[] = { "janvier", "février",
	    "mars", "avril", "mai", "juin", "juillet", "août", "septembre",
	    "octobre", "novembre", "décembre" };
	static const char *const en_days[] = { "Monday", "Tuesday",
	    "Wednesday", "Thursday", "Friday", "Saturday", "Sunday" };
	static const char *const en_months[] = { "January", "February",
	    "March", "April", "May", "June", "July", "August", "September",
	    "October", "November", "December" };
	int	 wday = g_date_time_get_day_of_week(dt) - 1;
	int	 day = g_date_time_get_day_of_month(dt);
	int	 month = g_date_time_get_month(dt) - 1;
	int	 year = g_date_time_get_year(dt);

	if (lang != NULL && strcmp(lang, "en") == 0)
		return g_strdup_printf("%s %d %s %d", en_days[wday], day,
		    en_months[month], year);
	/* French writes the first of the month as an ordinal: "1er". */
	return g_strdup_printf("%s %d%s %s %d", fr_days[wday], day,
	    day == 1 ? "er" : "", fr_months[month], year);
}
