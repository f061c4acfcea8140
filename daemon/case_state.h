/*
 * case_state.h: the states of a case and the moves between them.
 *
 *	received ──▶ incomplete ──▶ under_review ──▶ admissible ──▶ decided ──▶ closed
 *	    │             ▲              │  ╰──────▶ inadmissible ───────────────▲  │
 *	    ╰─────────────┴──────────────┴───────────────────────────────────────╯  │
 *	                                   reopened ◀────────────────────────────────╯
 *
 * A type's rules may list the states it uses; a move into a state the
 * type does not use is refused.
 */
#ifndef RECOURSD_CASE_STATE_H
#define RECOURSD_CASE_STATE_H

#include <glib.h>

enum case_state {
	CASE_RECEIVED,
	CASE_INCOMPLETE,
	CASE_UNDER_REVIEW,
	CASE_ADMISSIBLE,
	CASE_INADMISSIBLE,
	CASE_DECIDED,
	CASE_CLOSED,
	CASE_REOPENED,
	CASE_NSTATES
};

#define CASE_ALL_STATES	((1u << CASE_NSTATES) - 1)

const char	*case_state_name(enum case_state);
gboolean	 case_state_parse(const char *, enum case_state *);
/* Is from -> to a move of the state machine, in a type using states? */
gboolean	 case_state_move_ok(enum case_state from, enum case_state to,
		    guint states);
/*
 * A move as its event records it (kinds "state" and "complete"):
 * "from -> to"; caller frees.
 */
char		*case_state_move_text(const char *from, const char *to);
/* Whether the text of a move's event says it went into state. */
gboolean	 case_state_move_into(const char *text, const char *state);

#endif
