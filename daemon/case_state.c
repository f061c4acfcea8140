/*
 * case_state.c: see case_state.h.
 */
#include "config.h"

#include <string.h>

#include "case_state.h"

static const char *const names[CASE_NSTATES] = {
	[CASE_RECEIVED] = "received",
	[CASE_INCOMPLETE] = "incomplete",
	[CASE_UNDER_REVIEW] = "under_review",
	[CASE_ADMISSIBLE] = "admissible",
	[CASE_INADMISSIBLE] = "inadmissible",
	[CASE_DECIDED] = "decided",
	[CASE_CLOSED] = "closed",
	[CASE_REOPENED] = "reopened",
};

#define S(x)	(1u << (x))

/* The moves out of each state. */
static const guint moves[CASE_NSTATES] = {
	[CASE_RECEIVED] = S(CASE_INCOMPLETE) | S(CASE_UNDER_REVIEW) |
	    S(CASE_ADMISSIBLE) | S(CASE_INADMISSIBLE) | S(CASE_DECIDED) |
	    S(CASE_CLOSED),
	[CASE_INCOMPLETE] = S(CASE_RECEIVED) | S(CASE_UNDER_REVIEW) |
	    S(CASE_INADMISSIBLE) | S(CASE_CLOSED),
	[CASE_UNDER_REVIEW] = S(CASE_INCOMPLETE) | S(CASE_ADMISSIBLE) |
	    S(CASE_INADMISSIBLE) | S(CASE_DECIDED) | S(CASE_CLOSED),
	[CASE_ADMISSIBLE] = S(CASE_UNDER_REVIEW) | S(CASE_DECIDED) |
	    S(CASE_CLOSED),
	[CASE_INADMISSIBLE] = S(CASE_CLOSED) | S(CASE_REOPENED),
	[CASE_DECIDED] = S(CASE_CLOSED) | S(CASE_REOPENED),
	[CASE_CLOSED] = S(CASE_REOPENED),
	[CASE_REOPENED] = S(CASE_UNDER_REVIEW) | S(CASE_ADMISSIBLE) |
	    S(CASE_INADMISSIBLE) | S(CASE_DECIDED) | S(CASE_CLOSED),
};

const char *
case_state_name(enum case_state s)
{
	return s < CASE_NSTATES ? names[s] : "?";
}

gboolean
case_state_parse(const char *text, enum case_state *out)
{
	int	 i;

	for (i = 0; i < CASE_NSTATES; i++)
		if (strcmp(text, names[i]) == 0) {
			*out = (enum case_state)i;
			return TRUE;
		}
	return FALSE;
}

gboolean
case_state_move_ok(enum case_state from, enum case_state to, guint states)
{
	return from < CASE_NSTATES && to < CASE_NSTATES &&
	    (moves[from] & S(to)) != 0 && (states & S(to)) != 0;
}
