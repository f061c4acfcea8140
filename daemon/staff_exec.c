/*
 * staff_exec.c: a reply's commands, checked then run, from the command
 * table (staff_cmd.h); what is common to all commands is here, what is
 * a command's own is in its hooks.
 */
#include "config.h"

#include <string.h>

#include "approval.h"
#include "letter.h"
#include "post.h"
#include "staff_int.h"
#include "timer.h"

static char	*refusal(struct staff_check *, const struct staff_cmd *,
		    const char *, enum case_state *, GError **);
static enum case_state target(const struct rules_type *,
		    const struct staff_cmd *, const char *);
static gboolean	 run_one(struct staff_run *, const struct staff_cmd *,
		    const char *, const struct store_case *, GError **);
static gboolean	 move(struct staff_run *, const struct store_case *,
		    enum case_state, GError **);
static void	 ask_letter(struct staff_run *, const struct staff_step *);
static int	 letter_weight(int);
static gboolean	 tell_party(struct staff_run *, const struct store_case *,
		    struct tpl_vars *, GError **);

gboolean
staff_proposes(const struct staff_cmd *cmd, const struct rules_type *type)
{
	return (cmd->flags & STAFF_PROPOSAL) != 0 && approval_required(type);
}

gboolean
staff_given(const struct staff_check *k, const char *name)
{
	guint	 i;

	for (i = 0; i < k->given->len; i++)
		if (strcmp(((const struct staff_cmd *)g_ptr_array_index(
		    k->given, i))->name, name) == 0)
			return TRUE;
	return FALSE;
}

/* Where cmd moves the case: a decision whose outcome is not final does not. */
static enum case_state
target(const struct rules_type *type, const struct staff_cmd *cmd,
    const char *text)
{
	const struct rules_outcome *o;

	if (type != NULL && (cmd->flags & STAFF_OUTCOME) != 0 &&
	    (o = rules_outcome(type, text, NULL)) != NULL && !o->final)
		return CASE_NSTATES;
	return cmd->to;
}

/*
 * Why cmd is refused after the commands above it (caller frees); NULL
 * when it passes, and *cur is the state it leaves the case in.
 */
static char *
refusal(struct staff_check *k, const struct staff_cmd *cmd, const char *text,
    enum case_state *cur, GError **err)
{
	enum case_state	 to;
	char		*why;

	if (cmd == NULL)
		return g_strdup("commande inconnue");
	k->cmd = cmd;
	if ((cmd->flags & STAFF_TEXT) != 0 && *text == '\0')
		return g_strdup("il manque le texte de la commande");
	if (cmd->check != NULL && (why = cmd->check(k, text, err)) != NULL)
		return why;
	to = target(k->type, cmd, text);
	if ((cmd->states & (1u << *cur)) == 0 || (to != CASE_NSTATES &&
	    (k->type == NULL || !case_state_move_ok(*cur, to,
	    k->type->states))))
		return g_strdup("impossible dans l'état actuel du dossier");
	if (cmd->allowed != NULL && (why = cmd->allowed(k, text, err)) != NULL)
		return why;
	if (to != CASE_NSTATES && !staff_proposes(cmd, k->type))
		*cur = to;
	return NULL;
}

gboolean
staff_check_all(struct staff_check *k, GPtrArray *lines, GString *receipt,
    GError **err)
{
	enum case_state	 cur = CASE_RECEIVED;
	const struct staff_cmd *cmd;
	const char	*line, *text;
	char		*why = NULL;
	guint		 i;

	case_state_parse(k->c->state, &cur);
	for (i = 0; why == NULL && i < lines->len; i++) {
		line = g_ptr_array_index(lines, i);
		cmd = staff_cmd_lookup(line, &text);
		if ((why = refusal(k, cmd, text, &cur, err)) == NULL) {
			g_ptr_array_add(k->given, (gpointer)cmd);
			continue;
		}
		g_string_append_printf(receipt, "Erreur : « #%s » : %s (état : "
		    "%s).\nRien n'a été fait.\n\n", line, why,
		    case_state_name(cur));
		staff_cmd_help(receipt);
	}
	g_free(why);
	return why == NULL && (err == NULL || *err == NULL);
}

/* The case moves to state to; an event says from where. */
static gboolean
move(struct staff_run *r, const struct store_case *c, enum case_state to,
    GError **err)
{
	char	*what = case_state_move_text(c->state, case_state_name(to));
	gboolean ok;

	ok = store_case_set_state(r->st, c->id, case_state_name(to),
	    to == CASE_CLOSED, r->now, err) && store_event_add(r->st, c->id,
	    r->now, r->actor, "state", what, err);
	g_free(what);
	return ok;
}

/*
 * One command: its hooks, its state move, its deadlines, its event, what
 * it tells the complainant.
 */
static gboolean
run_one(struct staff_run *r, const struct staff_cmd *cmd, const char *text,
    const struct store_case *c, GError **err)
{
	struct staff_step step = { .cmd = cmd, .c = c, .type = rules_type(
	    r->s->rules, c->type), .text = text, .detail = text };
	enum case_state	 to;
	gboolean	 ok;

	ok = cmd->prepare == NULL || cmd->prepare(r, &step, err);
	if (!ok || step.done)
		goto out;
	to = target(step.type, cmd, step.text);
	ok = (to == CASE_NSTATES || move(r, c, to, err)) &&
	    (cmd->run == NULL || cmd->run(r, &step, err)) &&
	    (step.type == NULL || timer_command(r->st, r->s, c, step.type,
	    cmd->name, to != CASE_NSTATES ? case_state_name(to) : NULL,
	    r->now, err)) &&
	    store_event_add(r->st, c->id, r->now, r->actor, cmd->name,
	    step.detail, err);
	ask_letter(r, &step);
	g_string_append_printf(r->receipt, "Fait : #%s%s%s\n", cmd->name,
	    *step.text ? " " : "", step.text);
out:
	g_free(step.own_text);
	g_free(step.own_detail);
	return ok;
}

/* What the step tells the complainant: the weightiest letter wins. */
static void
ask_letter(struct staff_run *r, const struct staff_step *step)
{
	int		 letter = step->cmd->letter;
	const char	*said;

	if (letter == LETTER_INFO_REQUEST) {
		g_free(r->missing);
		r->missing = g_strdup(step->text);
	} else if (letter != STAFF_NO_LETTER) {
		/* The outcome is named by the letter, not by its keyword. */
		said = step->text;
		if (letter == LETTER_DECISION && step->type != NULL &&
		    (r->outcome = rules_outcome(step->type, step->text,
		    &said)) == NULL)
			said = step->text;
		g_string_append_printf(r->to_complainant, "%s\n\n", said);
	}
	if (letter != STAFF_NO_LETTER && (r->letter == STAFF_NO_LETTER ||
	    letter_weight(letter) > letter_weight(r->letter)))
		r->letter = letter;
}

gboolean
staff_run_all(struct staff_run *r, GPtrArray *lines, int64_t case_id,
    GError **err)
{
	struct store_case cur;
	const char	*text;
	gboolean	 ok = TRUE;
	guint		 i;

	for (i = 0; ok && i < lines->len; i++) {
		const struct staff_cmd *cmd = staff_cmd_lookup(
		    g_ptr_array_index(lines, i), &text);

		/* Each move starts from the state the previous one left. */
		if (!store_case_by_id(r->st, case_id, &cur, err))
			return FALSE;
		ok = run_one(r, cmd, text, &cur, err);
		store_case_clear(&cur);
	}
	return ok;
}

/* Which of two letters a reply sends when its commands name both. */
static int
letter_weight(int letter)
{
	switch (letter) {
	case LETTER_DECISION:
		return 4;
	case LETTER_INADMISSIBLE:
		return 3;
	case LETTER_COMPLEXITY:
		return 2;
	default:
		return 1;
	}
}

gboolean
staff_send_letter(struct staff_run *r, int64_t case_id, const char *text,
    GError **err)
{
	struct store_case c;
	struct tpl_vars	*v;
	char		**items;
	gboolean	 ok = FALSE;
	size_t		 i;

	if (!store_case_by_id(r->st, case_id, &c, err))
		return FALSE;
	if ((v = letter_vars(r->st, r->s, &c, c.lang, err)) != NULL) {
		tpl_vars_set(v, "text", *text != '\0' ? text : NULL);
		tpl_vars_set(v, "staff.name", r->who->name);
		tpl_vars_set_list(v, "missing_fields", NULL);
		items = g_strsplit(r->missing != NULL ? r->missing : "", ";", -1);
		for (i = 0; items[i] != NULL; i++)
			if (*g_strstrip(items[i]) != '\0')
				tpl_vars_append(v, "missing_fields", items[i]);
		g_strfreev(items);
		tpl_vars_set(v, "decision.outcome", r->outcome != NULL ?
		    r->outcome->label : NULL);
		ok = post_or_mail(r->st, r->s, r->letter, &c, v, "no",
		    r->now, err) && (r->letter != LETTER_DECISION ||
		    tell_party(r, &c, v, err));
		tpl_vars_free(v);
	}
	store_case_clear(&c);
	return ok;
}

/*
 * The decision, to the other party too (#partie: the firm the claim is
 * about) when the type says so: OPQTECC tells both "des suites données".
 */
static gboolean
tell_party(struct staff_run *r, const struct store_case *c,
    struct tpl_vars *v, GError **err)
{
	const struct rules_type *type = rules_type(r->s->rules, c->type);
	char	*party;
	gboolean ok = TRUE, paper;

	if (type == NULL || !type->inform_party)
		return TRUE;
	if (!post_party(r->st, r->s, LETTER_OUTCOME_PARTY, c, v, r->now, &paper,
	    err))
		return FALSE;
	if (paper) {
		g_string_append(r->receipt, "La décision part aussi sur papier "
		    "à l'autre partie (#adresse-partie).\n");
		return TRUE;
	}
	if ((party = staff_other_party(r->st, c->id, err)) == NULL) {
		g_string_append(r->receipt, "Attention : aucune autre partie "
		    "n'est enregistrée (#partie ADRESSE) : elle n'a pas reçu la "
		    "décision.\n");
		return err == NULL || *err == NULL;
	}
	ok = letter_send(r->st, r->s, LETTER_OUTCOME_PARTY, c, v, party, NULL,
	    "no", r->now, err);
	g_string_append_printf(r->receipt, "La décision a été envoyée aussi à "
	    "l'autre partie, %s.\n", party);
	g_free(party);
	return ok;
}
