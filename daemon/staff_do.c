/*
 * staff_do.c: what staff commands do beyond moving the case and being
 * written as an event, the prepare and run hooks of the command table
 * (staff_cmd.h).
 */
#include "config.h"

#include <string.h>

#include "approval.h"
#include "letter.h"
#include "notify.h"
#include "staff_int.h"
#include "text.h"
#include "timer.h"
#include "transmit.h"

static gboolean	 set_missing(struct store *, int64_t, const char *,
		    GError **);

/* #aide: the list of commands, and nothing else. */
gboolean
staff_do_help(struct staff_run *r, struct staff_step *step, GError **err)
{
	(void)err;
	staff_cmd_help(r->receipt);
	step->done = TRUE;
	return TRUE;
}

/* #note: the rest of the reply stays internal. */
gboolean
staff_do_note(struct staff_run *r, struct staff_step *step, GError **err)
{
	(void)step;
	(void)err;
	r->note = TRUE;
	return TRUE;
}

/* #type TYPE. */
gboolean
staff_do_type(struct staff_run *r, struct staff_step *step, GError **err)
{
	return store_case_set_type(r->st, step->c->id, step->text, err);
}

/*
 * #decision on a type whose decisions wait for an approver: not yet a
 * decision, only a proposal, until an uninvolved approver approves it.
 */
gboolean
staff_do_decision(struct staff_run *r, struct staff_step *step, GError **err)
{
	if (!staff_proposes(step->cmd, step->type))
		return TRUE;
	g_string_append_printf(r->receipt, "Proposé : #decision %s\n"
	    "La décision attend l'approbation d'une personne non "
	    "impliquée (#approuver) ; rien n'est transmis avant.\n",
	    step->text);
	step->done = TRUE;
	return approval_propose(r->st, r->s, step->c, r->who, step->text,
	    r->now, err);
}

/*
 * #approuver: the decision proposed is the one made, with its text; the
 * event names who proposed it.
 */
gboolean
staff_do_approve(struct staff_run *r, struct staff_step *step, GError **err)
{
	if (!approval_pending(r->st, step->c->id, &step->own_text,
	    &step->own_detail, err))
		return FALSE;
	step->text = step->own_text;
	step->detail = step->own_detail;
	return TRUE;
}

/*
 * #notification-decision: the contested decision was notified on that
 * day; the case is in time or not by the type's admissibility rule.
 */
gboolean
staff_do_notified(struct staff_run *r, struct staff_step *step, GError **err)
{
	const struct rules_type *t = step->type;
	const struct store_case *c = step->c;
	GDateTime	*start, *due;
	GDate		 day;
	char		*limit, *detail;
	gboolean	 late, ok;

	if (t == NULL || !t->has_admissibility || !text_parse_day(step->text,
	    &day)) {
		g_string_append(r->receipt, "(ce type n'a pas de délai de "
		    "recevabilité)\n");
		return TRUE;
	}
	start = g_date_time_new(cal_zone(r->s->cal), g_date_get_year(&day),
	    g_date_get_month(&day), g_date_get_day(&day), 0, 0, 0);
	due = cal_due(r->s->cal, start, &t->admissibility.within, NULL);
	late = c->opened_at >= g_date_time_to_unix(due);
	limit = cal_format(due);
	detail = g_strdup_printf("decision notified %s: %s the limit %s",
	    step->text, late ? "lodged AFTER" : "lodged before", limit);
	ok = store_case_set_out_of_time(r->st, c->id, late, err) &&
	    store_event_add(r->st, c->id, r->now, r->actor, "admissibility",
	    detail, err);
	g_string_append_printf(r->receipt, "Recevabilité : %s (limite %s).\n",
	    late ? "HORS DÉLAI" : "dans le délai", limit);
	g_free(detail);
	g_free(limit);
	g_date_time_unref(due);
	g_date_time_unref(start);
	return ok;
}

/* #clore: no deadline of a closed case runs. */
gboolean
staff_do_close(struct staff_run *r, struct staff_step *step, GError **err)
{
	return store_timers_cancel(r->st, step->c->id, r->now, err);
}

/*
 * #complet: nothing is missing; a case that was incomplete starts now,
 * its deadlines with it.
 */
gboolean
staff_do_complete(struct staff_run *r, struct staff_step *step, GError **err)
{
	const struct store_case *c = step->c;

	return store_case_set_missing(r->st, c->id, NULL, err) &&
	    (strcmp(c->state, "incomplete") != 0 || timer_restart(r->st, r->s,
	    c->id, step->type, r->now, err));
}

/* #incomplet "a; b": the case's missing items, one per line. */
gboolean
staff_do_incomplete(struct staff_run *r, struct staff_step *step,
    GError **err)
{
	return set_missing(r->st, step->c->id, step->text, err);
}

static gboolean
set_missing(struct store *st, int64_t case_id, const char *text,
    GError **err)
{
	char	**items = g_strsplit(text, ";", -1);
	GString	*lines = g_string_new(NULL);
	gboolean ok;
	size_t	 i;

	for (i = 0; items[i] != NULL; i++)
		if (*g_strstrip(items[i]) != '\0')
			g_string_append_printf(lines, "%s%s", lines->len ? "\n" :
			    "", items[i]);
	ok = store_case_set_missing(st, case_id, lines->len ? lines->str : NULL,
	    err);
	g_string_free(lines, TRUE);
	g_strfreev(items);
	return ok;
}

void
staff_timer_free(struct store_timer *t)
{
	if (t == NULL)
		return;
	g_free(t->deadline);
	g_free(t->kind);
	g_free(t->state);
	g_free(t);
}

struct store_timer *
staff_last_missed(struct store *st, int64_t case_id, GError **err)
{
	GArray	*timers = store_case_timers(st, case_id, err);
	struct store_timer *m = NULL;
	guint	 i;

	for (i = 0; timers != NULL && i < timers->len; i++) {
		const struct store_timer *t = &g_array_index(timers,
		    struct store_timer, i);

		if (strcmp(t->state, "missed") != 0 || (m != NULL &&
		    m->due_at > t->due_at))
			continue;
		staff_timer_free(m);
		m = g_new0(struct store_timer, 1);
		*m = *t;
		m->deadline = g_strdup(t->deadline);
		m->kind = g_strdup(t->kind);
		m->state = g_strdup(t->state);
	}
	if (timers != NULL)
		g_array_unref(timers);
	return m;
}

char *
staff_other_party(struct store *st, int64_t case_id, GError **err)
{
	GArray	*events = store_case_events(st, case_id, err);
	char	*party = NULL;
	guint	 i;

	for (i = 0; events != NULL && i < events->len; i++) {
		const struct store_event *e = &g_array_index(events,
		    struct store_event, i);

		if (strcmp(e->kind, "partie") == 0) {
			g_free(party);
			party = g_strdup(e->detail);
		}
	}
	if (events != NULL)
		g_array_unref(events);
	return party;
}

/*
 * #justifier: the overrun of the deadline missed last, justified to the
 * complainant and to the other party (#partie) when there is one.
 */
gboolean
staff_do_justify(struct staff_run *r, struct staff_step *step, GError **err)
{
	const struct store_case *c = step->c;
	struct store_timer *m = staff_last_missed(r->st, c->id, err);
	struct tpl_vars	*v;
	char		*party, *due;
	gboolean	 ok;

	if (m == NULL || (v = letter_vars(r->st, r->s, c, c->lang,
	    err)) == NULL) {
		staff_timer_free(m);
		return FALSE;
	}
	due = letter_date(r->s, m->due_at, c->lang);
	tpl_vars_set(v, "deadline.name", m->deadline);
	tpl_vars_set(v, "deadline.due", due);
	tpl_vars_set(v, "text", step->text);
	party = staff_other_party(r->st, c->id, err);
	ok = letter_to_complainant(r->st, r->s, LETTER_OVERRUN, c, v, "no",
	    r->now, err) && (party == NULL || letter_send(r->st, r->s,
	    LETTER_OVERRUN, c, v, party, NULL, "no", r->now, err));
	g_string_append_printf(r->receipt, "La justification du dépassement "
	    "a été envoyée au plaignant%s%s.\n", party != NULL ? " et à " : "",
	    party != NULL ? party : "");
	g_free(party);
	g_free(due);
	tpl_vars_free(v);
	staff_timer_free(m);
	return ok;
}

/* #transmettre ADDRESS [TEXT]: the case file, by mail, to address. */
gboolean
staff_do_transmit(struct staff_run *r, struct staff_step *step, GError **err)
{
	const char	*text = step->text;
	size_t		 len = strcspn(text, " \t\n");
	char		*address = g_strndup(text, len), *summary = NULL;
	const char	*words = text + len;
	gboolean	 ok;

	while (g_ascii_isspace(*words))
		words++;
	ok = transmit_case(r->st, r->s, step->c, address, *words ? words : NULL,
	    r->who->name, r->now, &summary, err);
	if (summary != NULL)
		g_string_append(r->receipt, summary);
	g_free(summary);
	g_free(address);
	return ok;
}

/*
 * #assigner ADDRESS: the member of staff given the case is told, with the
 * complainant's messages and a token of their own, so that their reply
 * carries commands.  Nobody is told of a case they gave themselves.
 */
gboolean
staff_do_assign(struct staff_run *r, struct staff_step *step, GError **err)
{
	const struct setup *s = r->s;
	const struct store_case *c = step->c;
	const struct conf_staff *to = conf_staff(s->conf, step->text);
	struct tpl_vars	*v;
	char		*texts, *subject = NULL, *body = NULL;
	gboolean	 ok;

	if (to == NULL || to == r->who || !s->conf->has_smtp ||
	    s->conf->staff_key == NULL)
		return TRUE;
	if ((v = letter_vars(r->st, s, c, s->conf->language, err)) == NULL)
		return FALSE;
	texts = store_case_texts(r->st, c->id, err);
	tpl_vars_set(v, "assigned_by", r->who->name);
	tpl_vars_set(v, "message.body", texts);
	if ((ok = letter_render(s, LETTER_ASSIGNED, NULL, s->conf->language, v,
	    &subject, &body, err))) {
		ok = notify_member(r->st, s->conf, letter_name(LETTER_ASSIGNED),
		    c->id, c->ref, to, subject, body, r->now, err);
		g_string_append_printf(r->receipt, "%s en est informé(e).\n",
		    to->name);
	}
	tpl_vars_free(v);
	g_free(texts);
	g_free(subject);
	g_free(body);
	return ok;
}
