/*
 * staff_post.c: the staff commands of letters on paper (post.h): their
 * check, which asks post_refusal() under the command's own name, and one
 * hook that does the whole command, so that a deadline starting
 * with #ar-recu counts from the date on the receipt, not from the reply.
 */
#include "config.h"

#include <string.h>

#include "post.h"
#include "staff_int.h"
#include "timer.h"

char *
staff_check_post(const struct staff_check *k, const char *text, GError **err)
{
	return post_refusal(k->st, k->s, k->c, k->cmd->name, text, k->now,
	    err);
}

gboolean
staff_do_post(struct staff_run *r, struct staff_step *step, GError **err)
{
	const char *name = step->cmd->name;
	int64_t	 receipt_at;
	gboolean ok;

	step->done = TRUE;
	ok = post_command(r->st, r->s, step->c, name, step->text, r->actor,
	    r->now, r->receipt, &receipt_at, err) && (step->type == NULL ||
	    timer_command(r->st, r->s, step->c, step->type, name, NULL,
	    receipt_at != 0 ? receipt_at : r->now, err)) &&
	    store_event_add(r->st,
	    step->c->id, r->now, r->actor, name, step->text, err);
	g_string_append_printf(r->receipt, "Fait : #%s%s%s\n", name,
	    *step->text ? " " : "", step->text);
	return ok;
}
