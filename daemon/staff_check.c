/*
 * staff_check.c: why a staff command is refused, the check and allowed
 * hooks of the command table (staff_cmd.h).  Each returns the reason, in
 * the receipt's words (caller frees), or NULL.
 */
#include "config.h"

#include <string.h>

#include "approval.h"
#include "staff_int.h"
#include "text.h"
#include "undelivered.h"

static gboolean	 action_due_ok(const char *);
static gboolean	 proposed(const struct staff_check *);

/* #type TYPE: one of the rules'. */
char *
staff_check_type(const struct staff_check *k, const char *text,
    GError **err)
{
	(void)err;
	if (rules_type(k->s->rules, text) == NULL)
		return g_strdup("type inconnu des règles");
	return NULL;
}

/* #assigner ADDRESS: a member of staff. */
char *
staff_check_assignee(const struct staff_check *k, const char *text,
    GError **err)
{
	(void)err;
	if (conf_staff(k->s->conf, text) == NULL)
		return g_strdup("cette adresse n'est pas celle d'un membre du "
		    "personnel");
	return NULL;
}

/* #decision OUTCOME TEXT: it starts with one of its type's outcomes. */
char *
staff_check_outcome(const struct staff_check *k, const char *text,
    GError **err)
{
	const struct rules_type *type = k->type;
	char	*names, *why;

	(void)err;
	if (type == NULL || type->outcomes->len == 0 ||
	    rules_outcome(type, text, NULL) != NULL)
		return NULL;
	names = rules_outcome_names(type);
	why = g_strdup_printf("la décision commence par son issue, l'une de : "
	    "%s (« #decision %s TEXTE »)", names, ((struct rules_outcome *)
	    g_ptr_array_index(type->outcomes, 0))->name);
	g_free(names);
	return why;
}

/* #cause CAUSE: one of the type's, when it lists them. */
char *
staff_check_cause(const struct staff_check *k, const char *text,
    GError **err)
{
	const struct rules_type *type = k->type;
	GString	*why;
	guint	 i;

	(void)err;
	if (type == NULL || type->causes->len == 0)
		return NULL;
	for (i = 0; i < type->causes->len; i++)
		if (strcmp(g_ptr_array_index(type->causes, i), text) == 0)
			return NULL;
	why = g_string_new("la cause est l'une de : ");
	for (i = 0; i < type->causes->len; i++)
		g_string_append_printf(why, "%s%s", i ? ", " : "",
		    (char *)g_ptr_array_index(type->causes, i));
	return g_string_free(why, FALSE);
}

/* #partie, #implique, #transmettre: an address, then words or nothing. */
char *
staff_check_address(const struct staff_check *k, const char *text,
    GError **err)
{
	(void)k;
	(void)err;
	if (!g_regex_match_simple("^[^@\\s<>\"]+@[^@\\s<>\"]+\\.[^@\\s<>\"]+"
	    "(\\s|$)", text, 0, 0))
		return g_strdup("ce n'est pas une adresse électronique");
	return NULL;
}

/* #notification-decision JJ/MM/AAAA. */
char *
staff_check_day(const struct staff_check *k, const char *text, GError **err)
{
	(void)k;
	(void)err;
	if (!text_parse_day(text, NULL))
		return g_strdup("la date doit s'écrire JJ/MM/AAAA");
	return NULL;
}

/* "TEXT" or "TEXT échéance JJ/MM/AAAA": a due date, if any, is a date. */
static gboolean
action_due_ok(const char *text)
{
	const char	*due = strstr(text, "échéance");
	char		*day;
	gboolean	 ok;

	if (due == NULL)
		return TRUE;
	day = g_strdup(due + strlen("échéance"));
	ok = text_parse_day(g_strstrip(day), NULL);
	g_free(day);
	return ok;
}

/* #action-corrective TEXT [échéance JJ/MM/AAAA]. */
char *
staff_check_due(const struct staff_check *k, const char *text, GError **err)
{
	(void)k;
	(void)err;
	if (!action_due_ok(text))
		return g_strdup("l'échéance doit s'écrire « échéance JJ/MM/AAAA "
		    "»");
	return NULL;
}

/* #action-soldee, #efficacite: after a corrective action. */
char *
staff_allowed_action(const struct staff_check *k, const char *text,
    GError **err)
{
	(void)text;
	if (!staff_given(k, "action-corrective") && store_case_reached(k->st,
	    k->c->id, "#action-corrective", err) <= 0)
		return g_strdup("aucune action corrective n'est enregistrée");
	return NULL;
}

/* #approuver: a proposal waits, and who replied may approve it. */
char *
staff_allowed_approval(const struct staff_check *k, const char *text,
    GError **err)
{
	(void)text;
	return approval_refusal(k->st, k->s, k->c, k->who, err);
}

/* #justifier: a deadline of the case was missed. */
char *
staff_allowed_overrun(const struct staff_check *k, const char *text,
    GError **err)
{
	struct store_timer *missed;

	(void)text;
	if ((missed = staff_last_missed(k->st, k->c->id, err)) == NULL)
		return g_strdup("aucune échéance du dossier n'est dépassée");
	staff_timer_free(missed);
	return NULL;
}

/* Whether a #decision above still waits for an #approuver above. */
static gboolean
proposed(const struct staff_check *k)
{
	gboolean waits = FALSE;
	guint	 i;

	for (i = 0; i < k->given->len; i++) {
		const struct staff_cmd *cmd = g_ptr_array_index(k->given, i);

		if (staff_proposes(cmd, k->type))
			waits = TRUE;
		if (strcmp(cmd->name, "approuver") == 0)
			waits = FALSE;
	}
	return waits;
}

/*
 * #clore: no decision waits for approval, and no letter failed to reach
 * the complainant unless #informe says they were told otherwise.
 */
char *
staff_allowed_closing(const struct staff_check *k, const char *text,
    GError **err)
{
	char	*pending = NULL, *author = NULL;
	gboolean waits;

	(void)text;
	waits = proposed(k) || (!staff_given(k, "approuver") &&
	    approval_pending(k->st, k->c->id, &pending, &author, err));
	g_free(pending);
	g_free(author);
	if (waits)
		return g_strdup("une décision attend son approbation "
		    "(#approuver)");
	if (staff_given(k, "informe"))
		return NULL;
	return undelivered_blocks_closing(k->st, k->c->id, err);
}
