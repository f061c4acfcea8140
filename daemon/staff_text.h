/*
 * staff_text.h: reading a staff reply's text.  Pure.
 */
#ifndef RECOURSD_STAFF_TEXT_H
#define RECOURSD_STAFF_TEXT_H

#include <glib.h>

/*
 * The text above the quoted message and the signature, trimmed: cut at
 * the first "> ", "-- ", "-----Original Message-----", "De : ", "From: ",
 * "Le ... a écrit :", "On ... wrote:" line; caller frees.
 */
char		*staff_strip_quotes(const char *);
/* The same, also cutting at the first line extra matches (may be NULL). */
char		*staff_strip_quotes_with(const char *, const GRegex *extra);

/*
 * The '#' lines at the top of body (commands, without '#') and what
 * follows them; caller frees both.
 */
void		 staff_split(const char *body, GPtrArray **commands,
		    char **rest);

#endif
