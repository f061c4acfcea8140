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
#define MOVE_ARROW	" -> "

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

char *
case_state_move_text(const char *from, const char *to)
{
	return g_strdup_printf("%s%s%s", from, MOVE_ARROW, to);
}

/* The text ends in " -> state", in any ASCII case (as SQL's LIKE read it). */
gboolean
case_state_move_into(const char *text, const char *state)
{
	size_t	 n, k, a = strlen(MOVE_ARROW);

	if (text == NULL)
		return FALSE;
	n = strlen(text);
	k = strlen(state);
	return n >= a + k && strncmp(text + n - k - a, MOVE_ARROW, a) == 0 &&
	    g_ascii_strcasecmp(text + n - k, state) == 0;
}

gboolean
case_state_move_ok(enum case_state from, enum case_state to, guint states)
{
	return from < CASE_NSTATES && to < CASE_NSTATES &&
	    (moves[from] & S(to)) != 0 && (states & S(to)) != 0;
}
