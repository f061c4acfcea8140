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

/* NULL with "file:line: message" lines appended to errors on failure. */
struct conf	*check_load(const char *path, GString *errors);

/* The business calendar the configuration describes; caller frees. */
struct cal	*check_calendar(const struct conf *);

#endif
