/*
 * cfg.c: see cfg.h.
 */
#include "config.h"

#include <errno.h>
#include <libconfig.h>
#include <stdarg.h>
#include <string.h>

#include "cfg.h"

void
cfg_error(struct cfg *l, const config_setting_t *s, const char *fmt, ...)
{
	va_list		 ap;
	const char	*file = NULL;
	char		*text, *p;
	int		 line = 0;

	if (s != NULL) {
		file = config_setting_source_file(s);
		line = (int)config_setting_source_line(s);
	}
	va_start(ap, fmt);
	text = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	/* One error, one line: a value quoted in it may hold line breaks. */
	for (p = text; *p != '\0'; p++)
		if (*p == '\n' || *p == '\r')
			*p = ' ';
	g_string_append_printf(l->errors, "%s:%d: %s\n",
	    file != NULL ? file : l->path, line, text);
	g_free(text);
	l->nerrors++;
}

/* Every member of group s must be named in allowed. */
gboolean
cfg_check_keys(struct cfg *l, const config_setting_t *s,
    const char *const *allowed)
{
	gboolean	 ok = TRUE;
	int		 i, n;

	n = config_setting_length(s);
	for (i = 0; i < n; i++) {
		const config_setting_t *m = config_setting_get_elem(s, i);
		const char *name = config_setting_name(m);

		if (name == NULL || !g_strv_contains(allowed, name)) {
			cfg_error(l, m, "unknown option '%s'",
			    name != NULL ? name : "?");
			ok = FALSE;
		}
	}
	return ok;
}

/* The optional group called name inside parent, checked; NULL if absent. */
const config_setting_t *
cfg_group(struct cfg *l, const config_setting_t *parent, const char *name,
    const char *const *allowed)
{
	const config_setting_t *s;

	s = config_setting_get_member(parent, name);
	if (s == NULL)
		return NULL;
	if (config_setting_type(s) != CONFIG_TYPE_GROUP) {
		cfg_error(l, s, "'%s' must be a group { ... }", name);
		return NULL;
	}
	cfg_check_keys(l, s, allowed);
	return s;
}

/* A string member; def when absent (def NULL: required if s exists). */
char *
cfg_str(struct cfg *l, const config_setting_t *s, const char *name,
    const char *def)
{
	const config_setting_t *m;
	const char	*v;

	m = s != NULL ? config_setting_get_member(s, name) : NULL;
	if (m == NULL)
		return def != NULL ? g_strdup(def) : NULL;
	if (config_setting_type(m) != CONFIG_TYPE_STRING) {
		cfg_error(l, m, "'%s' must be a string in double quotes", name);
		return def != NULL ? g_strdup(def) : NULL;
	}
	/*
	 * A refused value gives the default, as a missing one does: the
	 * error is reported and the loader goes on to find the others.
	 */
	v = config_setting_get_string(m);
	if (!g_utf8_validate(v, -1, NULL)) {
		cfg_error(l, m, "'%s' is not valid UTF-8: save the file in "
		    "UTF-8", name);
		return def != NULL ? g_strdup(def) : NULL;
	}
	if (strchr(v, '\r') != NULL || strchr(v, '\n') != NULL) {
		cfg_error(l, m, "'%s' must be one line", name);
		return def != NULL ? g_strdup(def) : NULL;
	}
	return g_strdup(v);
}

/* A string member naming a file; relative to the configuration file. */
char *
cfg_path(struct cfg *l, const config_setting_t *s, const char *name,
    const char *def)
{
	char	*v, *abs;

	v = cfg_str(l, s, name, def);
	if (v == NULL || g_path_is_absolute(v) || *v == '\0')
		return v;
	abs = g_build_filename(l->dir, v, NULL);
	g_free(v);
	return abs;
}

gint64
cfg_int(struct cfg *l, const config_setting_t *s, const char *name,
    gint64 def, gint64 min, gint64 max)
{
	const config_setting_t *m;
	gint64		 v;

	m = s != NULL ? config_setting_get_member(s, name) : NULL;
	if (m == NULL)
		return def;
	if (config_setting_type(m) == CONFIG_TYPE_INT)
		v = config_setting_get_int(m);
	else if (config_setting_type(m) == CONFIG_TYPE_INT64)
		v = config_setting_get_int64(m);
	else {
		cfg_error(l, m, "'%s' must be a whole number", name);
		return def;
	}
	if (v < min || v > max) {
		cfg_error(l, m, "'%s' is %" G_GINT64_FORMAT ", out of range "
		    "%" G_GINT64_FORMAT "..%" G_GINT64_FORMAT, name, v, min, max);
		return def;
	}
	return v;
}

gboolean
cfg_bool(struct cfg *l, const config_setting_t *s, const char *name,
    gboolean def)
{
	const config_setting_t *m;

	m = s != NULL ? config_setting_get_member(s, name) : NULL;
	if (m == NULL)
		return def;
	if (config_setting_type(m) != CONFIG_TYPE_BOOL) {
		cfg_error(l, m, "'%s' must be true or false", name);
		return def;
	}
	return config_setting_get_bool(m) ? TRUE : FALSE;
}

double
cfg_float(struct cfg *l, const config_setting_t *s, const char *name,
    double def, double min, double max)
{
	const config_setting_t *m;
	double		 v;

	m = s != NULL ? config_setting_get_member(s, name) : NULL;
	if (m == NULL)
		return def;
	if (config_setting_type(m) == CONFIG_TYPE_FLOAT)
		v = config_setting_get_float(m);
	else if (config_setting_type(m) == CONFIG_TYPE_INT)
		v = config_setting_get_int(m);
	else {
		cfg_error(l, m, "'%s' must be a number", name);
		return def;
	}
	if (v < min || v > max) {
		cfg_error(l, m, "'%s' is %g, out of range %g..%g", name, v,
		    min, max);
		return def;
	}
	return v;
}

GPtrArray *
cfg_str_list(struct cfg *l, const config_setting_t *s, const char *name)
{
	const config_setting_t *m;
	GPtrArray	*out;
	int		 i, n;

	m = s != NULL ? config_setting_get_member(s, name) : NULL;
	if (m == NULL)
		return NULL;
	if (config_setting_type(m) != CONFIG_TYPE_LIST &&
	    config_setting_type(m) != CONFIG_TYPE_ARRAY) {
		cfg_error(l, m, "'%s' must be a list ( \"...\", ... )", name);
		return NULL;
	}
	out = g_ptr_array_new_with_free_func(g_free);
	n = config_setting_length(m);
	for (i = 0; i < n; i++) {
		const config_setting_t *e = config_setting_get_elem(m, i);

		if (config_setting_type(e) != CONFIG_TYPE_STRING)
			cfg_error(l, e, "'%s' holds strings only", name);
		else if (!g_utf8_validate(config_setting_get_string(e), -1,
		    NULL))
			cfg_error(l, e, "'%s' holds a string that is not valid "
			    "UTF-8: save the file in UTF-8", name);
		else
			g_ptr_array_add(out, g_strdup(config_setting_get_string(e)));
	}
	return out;
}

gboolean
cfg_read(struct cfg *l, config_t *cfg, const char *path)
{
	if (config_read_file(cfg, path))
		return TRUE;
	if (config_error_type(cfg) == CONFIG_ERR_FILE_IO)
		g_string_append_printf(l->errors, "%s: %s\n", path,
		    g_strerror(errno));
	else
		g_string_append_printf(l->errors, "%s:%d: %s\n",
		    config_error_file(cfg) != NULL ? config_error_file(cfg) :
		    path, config_error_line(cfg), config_error_text(cfg));
	l->nerrors++;
	return FALSE;
}

gboolean
cfg_parse_period(const char *text, struct cfg_period *age, GError **err)
{
	static const struct {
		const char	*name;
		int		 unit;	/* 0 years, 1 months, 2 days */
	} units[] = {
		{ "y", 0 }, { "year", 0 }, { "years", 0 }, { "an", 0 },
		{ "ans", 0 }, { "m", 1 }, { "month", 1 }, { "months", 1 },
		{ "mois", 1 }, { "d", 2 }, { "day", 2 }, { "days", 2 },
		{ "j", 2 }, { "jour", 2 }, { "jours", 2 },
	};
	int		*field[] = { &age->years, &age->months, &age->days };
	const char	*p = text;
	char		*end;
	gint64		 n;
	gboolean	 any = FALSE;
	size_t		 i, len;

	memset(age, 0, sizeof(*age));
	while (*p != '\0') {
		while (g_ascii_isspace(*p))
			p++;
		if (*p == '\0')
			break;
		n = g_ascii_strtoll(p, &end, 10);
		if (end == p || n < 0 || n > 1000)
			goto bad;
		for (p = end; g_ascii_isspace(*p); p++)
			;
		for (len = 0; g_ascii_isalpha(p[len]); len++)
			;
		for (i = 0; i < G_N_ELEMENTS(units); i++)
			if (strlen(units[i].name) == len &&
			    g_ascii_strncasecmp(p, units[i].name, len) == 0)
				break;
		if (i == G_N_ELEMENTS(units))
			goto bad;
		*field[units[i].unit] += (int)n;
		p += len;
		any = TRUE;
	}
	if (any && age->years + age->months + age->days > 0)
		return TRUE;
bad:
	g_set_error(err, g_quark_from_static_string("cfg"), 0, "\"%s\": give "
	    "a period such as 5y, 18m or 30d (years, months, days)", text);
	return FALSE;
}

char *
cfg_period_format(const struct cfg_period *age)
{
	GString	*s = g_string_new(NULL);

	if (age->years > 0)
		g_string_append_printf(s, "%dy", age->years);
	if (age->months > 0)
		g_string_append_printf(s, "%dm", age->months);
	if (age->days > 0 || s->len == 0)
		g_string_append_printf(s, "%dd", age->days);
	return g_string_free(s, FALSE);
}

GDateTime *
cfg_period_before(const struct cfg_period *age, GDateTime *t)
{
	return g_date_time_add_full(t, -age->years, -age->months, -age->days,
	    0, 0, 0);
}
