/*
 * check.h: load the configuration and everything it names (rules,
 * templates) and check them together.  recoursd at start-up and on
 * SIGHUP, recoursd -n and recoursctl check all call this one function, so
 * a check that passes means the daemon will accept the same files.
 */
#ifndef RECOURSD_CHECK_H
#define RECOURSD_CHECK_H

#include <glib.h>

#include "calendar.h"
#include "conf.h"
#include "rules.h"
#include "template.h"

/* What the daemon runs on, loaded and checked together. */
struct setup {
	struct conf	*conf;
	struct rules	*rules;		/* from conf->rules */
	struct cal	*cal;		/* from conf's calendar group */
	GHashTable	*templates;	/* "fr/accuse-reception" -> struct tpl */
};

/* The template name in lang, else in French; NULL if neither. */
const struct tpl *check_template(const struct setup *, const char *lang,
		    const char *name);

/*
 * NULL with "file:line: message" lines appended to errors on failure (all
 * of them: the configuration's and the rule files').  Caller frees with
 * setup_free().
 */
struct setup	*check_load(const char *path, GString *errors);
/* The same, reading no password file (conf_load_public()). */
struct setup	*check_load_public(const char *path, GString *errors);
void		 setup_free(struct setup *);
/* The business calendar c describes; caller frees with cal_free(). */
struct cal	*check_calendar(const struct conf *);

#endif
