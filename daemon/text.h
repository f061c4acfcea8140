/*
 * text.h: text helpers shared by modules of every layer.  Pure: no
 * module of recoursd below it.
 */
#ifndef RECOURSD_TEXT_H
#define RECOURSD_TEXT_H

#include <glib.h>

/*
 * s folded for matching words: accents and case removed, every run of
 * characters that is not a letter or a digit one space, one space at
 * both ends: " reclamation dossier 12 ".  Caller frees.
 */
char		*text_fold(const char *s);

/*
 * "18/11/2026" (JJ/MM/AAAA, nothing after it) as a day in *day (when not
 * NULL); FALSE when it is not a valid one.
 */
gboolean	 text_parse_day(const char *, GDate *day);

#endif
