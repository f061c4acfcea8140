/*
 * check.h: load the configuration and everything it names (rules,
 * templates) into a setup (setup.h) and check them together.  recoursd
 * at start-up and on SIGHUP, recoursd -n and recoursctl check all call
 * this one function, so a check that passes means the daemon will accept
 * the same files.  It reads data only: the letters' templates and
 * schemas (letter_tpl.h) and the staff command table (staff_cmd.h), not
 * what runs them.
 */
#ifndef RECOURSD_CHECK_H
#define RECOURSD_CHECK_H

#include <glib.h>

#include "calendar.h"
#include "conf.h"
#include "rules.h"
#include "setup.h"
#include "template.h"

/*
 * NULL with "file:line: message" lines appended to errors on failure (all
 * of them: the configuration's and the rule files').  Caller frees with
 * setup_free().
 */
struct setup	*check_load(const char *path, GString *errors);
/* The same, reading no password file (conf_load_public()). */
struct setup	*check_load_public(const char *path, GString *errors);
/* The business calendar c describes; caller frees with cal_free(). */
struct cal	*check_calendar(const struct conf *);

#endif
