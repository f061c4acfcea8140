/*
 * rules.h: the rule files administrators tune (see recoursd.rules(5)).
 *
 * Every *.conf file of the rules directory is read in name order; each
 * may define case types, and one may define the triage type and the
 * per-role defaults.  Everything is checked when the files are loaded,
 * with "file:line: message" errors, all of them in one run: unknown keys,
 * duplicate names and prefixes, a tag shared by two types of the same
 * priority, bad durations and patterns.  A running daemon keeps its last
 * good rules when new ones have errors.
 */
#ifndef RECOURSD_RULES_H
#define RECOURSD_RULES_H

#include <glib.h>

#include "cfg.h"

#include "calendar.h"

/* What mail to a closed case does. */
enum rules_on_closed {
	RULES_REOPEN,		/* the case is reopened */
	RULES_NEW_CASE,		/* a new case, linked to the closed one */
	RULES_ANSWER_CLOSED	/* kept in the case, staff told; no reopening */
};

struct rules_field {
	char		*name;
	char		*label;		/* what the acknowledgement asks for */
	GRegex		*pattern;	/* found in subject or body: present */
};

/* When an appeal must be lodged, counted from a decision's notification. */
struct rules_admissibility {
	struct cal_duration within;
	GRegex		*date_pattern;	/* group 1: DD/MM/YYYY; may be NULL */
};

/* A named deadline of a case, and what happens around it. */
struct rules_deadline {
	char		*name;		/* "ack", "response", "overall"... */
	struct cal_duration within;
	gboolean	 has_remind;
	struct cal_duration remind_before; /* hours or days before due */
	char		*met_by;	/* "ack" (sent), a state, "#command" */
	char		*starts_with;	/* "#command": counted from when staff
					   give it; NULL: from the opening */
	char		*applies_with;	/* "#command": exists once staff give
					   it, counted from the opening */
	char		*cancelled_by;	/* a state or "#command" staff reach:
					   the deadline no longer applies */
	gboolean	 escalate;	/* a miss is mailed to escalate_to */
	gboolean	 notice;	/* due: the complainant gets a progress
					   notice, unless met_by is reached */
};

/* An outcome a decision may have (OPQTECC: warning, no further action...). */
struct rules_outcome {
	char		*name;		/* the first word of "#decision NAME ..." */
	char		*label;		/* in the letters */
	gboolean	 final;		/* FALSE: told, but the case goes on */
};

struct rules_type {
	char		*name;		/* "claim": used in #type commands */
	char		*label_fr;
	char		*label_en;
	char		*prefix;	/* "REC": references REC-2026-0042 */
	GPtrArray	*tags;		/* folded (see classify.h), char * */
	int		 priority;	/* higher wins when tags of two match */
	GPtrArray	*roles;		/* mailbox roles accepting it; empty: all */
	GPtrArray	*approver_roles; /* staff roles; not empty: a decision
					   waits for an uninvolved approver */
	GPtrArray	*fields;	/* struct rules_field *: required */
	gboolean	 has_admissibility;
	struct rules_admissibility admissibility;
	enum rules_on_closed on_closed;
	gboolean	 ack;		/* acknowledge a new case by mail */
	char		*ack_template;	/* template name, per language */
	gboolean	 has_response;
	struct cal_duration response;	/* the answer is due within this */
	GPtrArray	*deadlines;	/* struct rules_deadline * */
	char		*notify;	/* staff reminders go here; NULL: admin */
	char		*escalate_to;	/* missed deadlines go here; NULL: admin */
	guint		 states;	/* bit set of case states it uses */
	GPtrArray	*outcomes;	/* struct rules_outcome *; empty: free */
	gboolean	 inform_party;	/* the decision to the #partie too */
	GPtrArray	*causes;	/* what #cause may say; empty: free */
	gboolean	 has_retention;	/* its own, else recoursd.conf's */
	struct cfg_period retention;	/* kept after closing */
	int		 max_per_month;	/* objective; -1: none */
	double		 deadlines_met;	/* objective, percent; -1: none */
	GPtrArray	*paper;		/* letter names sent on paper */
	GPtrArray	*registered;	/* of those, by registered letter */
	char		*signed_by;	/* staff role signing paper; NULL */
	gboolean	 has_received_within;
	struct cal_duration received_within; /* #recu-le no earlier */
	const char	*file;		/* interned, for messages */
	int		 line;
};

struct rules {
	GPtrArray	*types;		/* struct rules_type *, in file order */
	struct rules_type *triage;	/* the type of untagged mail */
	GHashTable	*role_default;	/* role -> struct rules_type * */
};

/*
 * Load every *.conf in dir.  NULL with one "file:line: message" line per
 * problem appended to errors.  Caller frees with rules_free().
 */
struct rules	*rules_load(const char *dir, GString *errors);
void		 rules_free(struct rules *);

/* Borrowed; NULL when unknown. */
const struct rules_type *rules_type(const struct rules *, const char *name);
const struct rules_type *rules_type_by_prefix(const struct rules *,
		    const char *prefix);
gboolean	 rules_role_accepts(const struct rules_type *, const char *role);
/*
 * The outcome text starts with (its first word, any case), or NULL; rest
 * gets what follows it.  Borrowed.
 */
const struct rules_outcome *rules_outcome(const struct rules_type *,
		    const char *text, const char **rest);
/* "expert, classement, avertissement"; caller frees. */
char		*rules_outcome_names(const struct rules_type *);

#endif
