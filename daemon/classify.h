/*
 * classify.h: a message's type from its subject.  Pure.
 *
 * Subjects and tags are folded the same way (text_fold()): accents and case removed,
 * every run of characters that is not a letter or a digit turned into one
 * space.  A tag matches where its folded words stand as whole words in
 * the folded subject: "[Réclamation]", "RECLAMATION :", "Re: TR: ma
 * réclamation" all contain "reclamation"; "réclamationS" (without a tag
 * for the plural) or "reclammation" do not.  Reply and forward prefixes
 * (Re:, TR:, Fwd:, AW:...) therefore need no special case.  When tags of
 * several types match, the type with the highest priority wins, then the
 * one whose tag comes first in the subject.
 */
#ifndef RECOURSD_CLASSIFY_H
#define RECOURSD_CLASSIFY_H

#include <glib.h>

#include "rules.h"

struct classify_result {
	const struct rules_type	*type;		/* NULL: no tag (triage) */
	const char		*tag;		/* folded, borrowed from rules */
	gboolean		 by_default;	/* the role's default type */
};

/* The type for subject on a mailbox of role (may be NULL). */
void		 classify_subject(const struct rules *, const char *subject,
		    const char *role, struct classify_result *);

/*
 * A case reference (PREFIX-YYYY-NNNN with a known prefix) in subject, or
 * NULL.  Caller frees.
 */
char		*classify_find_ref(const struct rules *, const char *subject);

#endif
