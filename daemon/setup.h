/*
 * setup.h: what the daemon runs on, once loaded and checked (check.h):
 * the configuration, the rules, the calendar and the templates.  Data
 * only; every module that decides or writes reads it from here.
 */
#ifndef RECOURSD_SETUP_H
#define RECOURSD_SETUP_H

#include <glib.h>

#include "calendar.h"
#include "conf.h"
#include "rules.h"
#include "template.h"

struct setup {
	struct conf	*conf;
	struct rules	*rules;		/* from conf->rules */
	struct cal	*cal;		/* from conf's calendar group */
	GHashTable	*templates;	/* "fr/accuse-reception" -> struct tpl */
};

/* The template name in lang, else in French; NULL if neither. */
const struct tpl *setup_template(const struct setup *, const char *lang,
		    const char *name);

void		 setup_free(struct setup *);

#endif
