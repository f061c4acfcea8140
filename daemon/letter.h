/*
 * letter.h: the mails recoursd writes from templates, to complainants
 * and to staff (the kinds and their templates: letter_tpl.h).
 *
 * Complainants get their letters in the case's language (fixed when the
 * case opens, see letter_language()); staff in the organisation's.
 */
#ifndef RECOURSD_LETTER_H
#define RECOURSD_LETTER_H

#include <glib.h>

#include "compose.h"
#include "letter_tpl.h"
#include "msg.h"
#include "setup.h"
#include "store.h"
#include "template.h"

/*
 * The language to write to the author of m in: conf->language, unless
 * detect_language is set and m says or shows it is written in another
 * language we have templates for (Content-Language, then the words).
 */
const char	*letter_language(const struct setup *, const struct msg *);

/*
 * The variables every letter about case c offers, in lang: case.ref,
 * case.type, case.state, case.subject, case.opened, complainant.name,
 * complainant.address, org.name and deadline.response (from its timer
 * when the case has one, else from the type's response).  Add the
 * kind's own, then render.  Caller frees with tpl_vars_free().
 */
struct tpl_vars	*letter_vars(struct store *, const struct setup *,
		    const struct store_case *, const char *lang, GError **);

/*
 * "lundi 7 décembre 2026": the day at falls on, in lang; a deadline that
 * ends at 24:00 (00:00 the next day) names its last day.  Caller frees.
 */
char		*letter_date(const struct setup *, int64_t at, const char *lang);

/*
 * Render the letter of kind (name: the template, NULL for the kind's) in
 * lang, else in French.  Caller frees both.
 */
gboolean	 letter_render(const struct setup *, enum letter_kind,
		    const char *name, const char *lang,
		    const struct tpl_vars *, char **subject, char **body,
		    GError **);

/*
 * Render and queue a letter to the complainant of c in the case's
 * language, threaded to the last message received in the case; an event
 * names what was sent.  Nothing is queued (and TRUE) without SMTP.
 */
gboolean	 letter_to_complainant(struct store *, const struct setup *,
		    enum letter_kind, const struct store_case *,
		    const struct tpl_vars *, const char *auto_submitted,
		    int64_t now, GError **);

/* The same to another party of the case (the firm concerned...). */
gboolean	 letter_send(struct store *, const struct setup *,
		    enum letter_kind, const struct store_case *,
		    const struct tpl_vars *, const char *to, const char *to_name,
		    const char *auto_submitted, int64_t now, GError **);
/*
 * A letter with files attached, to someone outside the case's thread;
 * the files are read before it returns (they may be removed after).
 */
gboolean	 letter_send_files(struct store *, const struct setup *,
		    enum letter_kind, const struct store_case *,
		    const struct tpl_vars *, const char *to,
		    const struct compose_file *, guint nfiles, int64_t now,
		    GError **);

#endif
