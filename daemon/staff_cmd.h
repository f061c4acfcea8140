/*
 * staff_cmd.h: the staff commands, one const table (staff_cmd.c).
 *
 * A command is a line "#name text" at the top of a staff reply.  Its row
 * says what text it needs, in which states of the case it may be given,
 * the state it moves the case to, the letter it sends the complainant,
 * and its hooks; the same row drives the checks, the run, #aide, the
 * notifications' list of commands and recoursctl check (met_by and the
 * like must name a command).  A reply runs in two passes (staff_exec.c):
 * every command is checked first, in order, as if those before it had
 * run; only when all pass are they run, in order.  For each command:
 *
 *	check	why its text is refused (before its state move is judged)
 *	allowed	why the case refuses it now (after its move is found valid)
 *	prepare	before anything: may do the whole command, or change what
 *		it acts on (#approuver acts on the proposal it approves)
 *	run	after the state move, before its deadlines and its event
 *
 * Every hook is optional.  Adding a command is one row below and, when
 * it does more than move the case and be written as an event, one hook.
 * This header is data: the hooks' arguments are declared in staff_int.h,
 * which only the staff_*.c files that run commands read.
 */
#ifndef RECOURSD_STAFF_CMD_H
#define RECOURSD_STAFF_CMD_H

#include <glib.h>

#include "case_state.h"

struct staff_check;		/* the commands of a reply being checked */
struct staff_run;		/* ... being run */
struct staff_step;		/* one command being run */

#define STAFF_NO_LETTER	(-1)

/* Flags. */
#define STAFF_TEXT	0x01	/* it needs a text */
#define STAFF_ADDRESS	0x02	/* its text starts with an address: <a@b> is a@b */
#define STAFF_OUTCOME	0x04	/* it moves the case only if its outcome is final */
#define STAFF_PROPOSAL	0x08	/* on a type with approvers, it only proposes */

typedef char	*staff_check_fn(const struct staff_check *, const char *text,
		    GError **);
typedef gboolean staff_run_fn(struct staff_run *, struct staff_step *,
		    GError **);

struct staff_cmd {
	const char	*name;		/* without '#' */
	unsigned	 flags;
	guint		 states;	/* it may be given in (1 << state) */
	enum case_state	 to;		/* it moves the case to; CASE_NSTATES: no */
	int		 letter;	/* enum letter_kind; STAFF_NO_LETTER */
	staff_check_fn	*check;		/* why (caller frees) or NULL */
	staff_check_fn	*allowed;	/* why (caller frees) or NULL */
	staff_run_fn	*prepare;
	staff_run_fn	*run;
	const char	*help;		/* for #aide, in French */
};

extern const struct staff_cmd	 staff_cmds[];
extern const size_t		 staff_ncmds;

/* The command written "name text", its text in *text; NULL if none. */
const struct staff_cmd *staff_cmd_lookup(const char *line, const char **text);
/* Whether #name is a staff command (for met_by in the rules). */
gboolean	 staff_cmd_exists(const char *name);
/* "  #name    help": the line of #aide for cmd; caller frees. */
char		*staff_cmd_usage(const struct staff_cmd *);
/* #aide: every command, one a line. */
void		 staff_cmd_help(GString *);
/*
 * "#transmettre <a@b.fr> text": mail clients put an address between
 * brackets; the commands that take one get it bare.
 */
void		 staff_cmd_unbracket(GPtrArray *lines);

/* The hooks of the table: checks (staff_check.c). */
staff_check_fn	 staff_check_type, staff_check_assignee, staff_check_outcome,
		 staff_check_cause, staff_check_address, staff_check_day,
		 staff_check_due;
/* Letters on paper (staff_post.c). */
/* The post commands: post_refusal() under the command's own name. */
staff_check_fn	 staff_check_post;
staff_run_fn	 staff_do_post;
staff_check_fn	 staff_allowed_action, staff_allowed_approval,
		 staff_allowed_overrun, staff_allowed_closing;
/* What commands do (staff_do.c). */
staff_run_fn	 staff_do_help, staff_do_note, staff_do_type, staff_do_decision,
		 staff_do_approve, staff_do_notified, staff_do_close,
		 staff_do_complete, staff_do_incomplete, staff_do_justify,
		 staff_do_transmit, staff_do_assign;

#endif
