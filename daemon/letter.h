/*
 * letter.h: the mails recoursd writes from templates, to complainants
 * and to staff.
 *
 * Each kind of letter has a template name (templates/LANG/NAME.txt) and
 * the variables it offers (its schema, template.h).  Every template is
 * loaded and checked with the rules (check_load()): the French one of
 * each kind must exist, an English one is used when present.  The
 * acknowledgement's template is named per case type (ack_template); the
 * others have fixed names.
 *
 * Complainants get their letters in the case's language (fixed when the
 * case opens, see letter_language()); staff in the organisation's.
 */
#ifndef RECOURSD_LETTER_H
#define RECOURSD_LETTER_H

#include <glib.h>

#include "check.h"
#include "compose.h"
#include "msg.h"
#include "store.h"
#include "template.h"

enum letter_kind {
	LETTER_ACK,		/* acknowledgement: per type, ack_template */
	LETTER_INFO_REQUEST,	/* #incomplet: what is missing */
	LETTER_COMPLEXITY,	/* #complexe: the answer will take longer */
	LETTER_PROGRESS,	/* a progress notice deadline fell due */
	LETTER_INADMISSIBLE,	/* #irrecevable */
	LETTER_DECISION,	/* #decision: decision and closure */
	LETTER_OVERRUN,		/* the overall limit passed: justification */
	LETTER_OUTCOME_PARTY,	/* the decision, to the other party */
	LETTER_TRANSMISSION,	/* #transmettre: the case file, outside */
	LETTER_ASSIGNED,	/* staff: #assigner gave you this case */
	LETTER_APPROVAL,	/* staff: a decision waits for #approuver */
	LETTER_STAFF_NEW,	/* staff: a new case */
	LETTER_STAFF_MESSAGE,	/* staff: a new message in a case */
	LETTER_TRIAGE,		/* staff: a case to classify */
	LETTER_REMINDER,	/* staff: a deadline comes */
	LETTER_ESCALATION,	/* staff: a deadline passed */
	LETTER_POST,		/* staff: a letter on paper to post */
	LETTER_POST_REMINDER,	/* staff: not posted, or no receipt back */
	LETTER_OPENED,		/* staff: the case they opened (#ouvrir) */
	LETTER_NKINDS
};

/* "decision": its template's name (the acknowledgement: the default). */
const char	*letter_name(enum letter_kind);
/* The variables it offers, ended by { NULL }. */
const struct tpl_decl *letter_schema(enum letter_kind);

/*
 * Load and check every template the rules and letters need into
 * s->templates; one "file:line: message" line per problem to errors.
 */
void		 letter_load(struct setup *, GString *errors);

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
