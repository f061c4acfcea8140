/*
 * letter_tpl.h: the kinds of letter recoursd writes and their templates.
 * Data only.
 *
 * Each kind of letter has a template name (templates/LANG/NAME.txt) and
 * the variables it offers (its schema, template.h).  Every template is
 * loaded and checked with the rules (check_load()): the French one of
 * each kind must exist, an English one is used when present.  The
 * acknowledgement's template is named per case type (ack_template); the
 * others have fixed names.
 */
#ifndef RECOURSD_LETTER_TPL_H
#define RECOURSD_LETTER_TPL_H

#include <glib.h>

#include "setup.h"
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

#endif
