/*
 * cfg.h: reading libconfig files with errors an administrator can act on.
 *
 * libconfig accepts any key silently: every group is checked against a
 * table of the names it may hold.  Typed getters record each problem as
 * "file:line: message" and carry on, so that all errors of a file are
 * reported in one run.  Used by conf.c and rules.c.
 */
#ifndef RECOURSD_CFG_H
#define RECOURSD_CFG_H

#include <glib.h>
#include <libconfig.h>

struct cfg {
	GString		*errors;	/* "file:line: message\n" lines */
	int		 nerrors;
	char		*dir;		/* relative paths are taken from here */
	const char	*path;		/* for errors outside any setting */
	void		*owner;		/* what the caller is loading */
};

/* Read path into cfg; on failure one error line (file:line) and FALSE. */
gboolean	 cfg_read(struct cfg *, config_t *, const char *path);
void		 cfg_error(struct cfg *, const config_setting_t *,
		    const char *, ...) __attribute__((format(printf, 3, 4)));
/* Every member of group s must be named in allowed (NULL-terminated). */
gboolean	 cfg_check_keys(struct cfg *, const config_setting_t *,
		    const char *const *);
/* The optional group name in parent, checked; NULL if absent. */
const config_setting_t *cfg_group(struct cfg *, const config_setting_t *,
		    const char *, const char *const *);
/* Caller frees the strings; def is returned (copied) when absent. */
char		*cfg_str(struct cfg *, const config_setting_t *, const char *,
		    const char *def);
char		*cfg_path(struct cfg *, const config_setting_t *, const char *,
		    const char *def);
gint64		 cfg_int(struct cfg *, const config_setting_t *, const char *,
		    gint64 def, gint64 min, gint64 max);
gboolean	 cfg_bool(struct cfg *, const config_setting_t *, const char *,
		    gboolean def);
double		 cfg_float(struct cfg *, const config_setting_t *,
		    const char *, double def, double min, double max);
/* A list or array of strings; NULL when absent.  g_ptr_array_unref. */
GPtrArray	*cfg_str_list(struct cfg *, const config_setting_t *,
		    const char *);

/* A period: "5y", "18m", "30d" (or "5 ans", "18 mois", "30 jours"). */
struct cfg_period {
	int		 years;
	int		 months;
	int		 days;
};
/* Parse a period; FALSE and a message (without file:line) if bad. */
gboolean	 cfg_parse_period(const char *, struct cfg_period *, GError **);
/* "5y", "18m", "30d" or a sum of them ("1y6m"); caller frees. */
char		*cfg_period_format(const struct cfg_period *);
/* That many before t (calendar arithmetic in t's zone); caller unrefs. */
GDateTime	*cfg_period_before(const struct cfg_period *, GDateTime *t);

#endif
