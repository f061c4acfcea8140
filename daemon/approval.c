/*
 * approval.c: see approval.h.
 */
#include "config.h"

#include <string.h>

#include "approval.h"
#include "letter.h"
#include "notify.h"

/* What the events of a case say about who is involved in it. */
struct involved {
	char		*assignee;	/* last #assigner */
	char		*author;	/* of the pending proposal */
	char		*proposal;	/* its text; NULL: none pending */
	GPtrArray	*named;		/* #implique addresses */
};

static gboolean	 read_involved(struct store *, int64_t, struct involved *,
		    GError **);
static void	 involved_clear(struct involved *);
static char	*refusal(const struct rules_type *, const struct involved *,
		    const struct conf_staff *);
static const char *actor_address(const char *);

gboolean
approval_required(const struct rules_type *t)
{
	return t != NULL && t->approver_roles->len > 0;
}

/* "staff <a@b>": a@b, borrowed from actor. */
static const char *
actor_address(const char *actor)
{
	const char	*lt = strchr(actor, '<');

	return lt != NULL ? lt + 1 : actor;
}

static gboolean
read_involved(struct store *st, int64_t case_id, struct involved *inv,
    GError **err)
{
	GArray	*events = store_case_events(st, case_id, err);
	guint	 i;

	memset(inv, 0, sizeof(*inv));
	inv->named = g_ptr_array_new_with_free_func(g_free);
	if (events == NULL)
		return FALSE;
	for (i = 0; i < events->len; i++) {
		const struct store_event *e = &g_array_index(events,
		    struct store_event, i);

		if (strcmp(e->kind, "assigner") == 0) {
			g_free(inv->assignee);
			inv->assignee = g_strdup(e->detail);
		} else if (strcmp(e->kind, "implique") == 0)
			g_ptr_array_add(inv->named, g_strdup(e->detail));
		else if (strcmp(e->kind, "decision-proposed") == 0) {
			g_free(inv->author);
			g_free(inv->proposal);
			inv->author = g_strndup(actor_address(e->actor),
			    strcspn(actor_address(e->actor), ">"));
			inv->proposal = g_strdup(e->detail);
		} else if (strcmp(e->kind, "approuver") == 0) {
			g_free(inv->proposal);
			inv->proposal = NULL;
		}
	}
	g_array_unref(events);
	return TRUE;
}

static void
involved_clear(struct involved *inv)
{
	g_free(inv->assignee);
	g_free(inv->author);
	g_free(inv->proposal);
	g_ptr_array_unref(inv->named);
}

gboolean
approval_pending(struct store *st, int64_t case_id, char **text,
    char **author, GError **err)
{
	struct involved	 inv;
	gboolean	 pending;

	if (!read_involved(st, case_id, &inv, err)) {
		involved_clear(&inv);
		return FALSE;
	}
	if ((pending = inv.proposal != NULL)) {
		*text = g_steal_pointer(&inv.proposal);
		*author = g_steal_pointer(&inv.author);
	}
	involved_clear(&inv);
	return pending;
}

/* Why who may not approve (caller frees), or NULL. */
static char *
refusal(const struct rules_type *t, const struct involved *inv,
    const struct conf_staff *who)
{
	guint	 i;

	if (inv->proposal == NULL)
		return g_strdup("aucune décision n'attend d'approbation");
	if (who->role == NULL || !g_ptr_array_find_with_equal_func(
	    t->approver_roles, who->role, g_str_equal, NULL))
		return g_strdup_printf("votre rôle (%s) ne peut pas approuver "
		    "une décision de ce type", who->role != NULL ? who->role :
		    "aucun");
	if (g_ascii_strcasecmp(who->address, inv->author) == 0)
		return g_strdup("l'auteur d'une décision ne peut pas "
		    "l'approuver");
	if (inv->assignee != NULL &&
	    g_ascii_strcasecmp(who->address, inv->assignee) == 0)
		return g_strdup("la personne chargée du dossier ne peut pas "
		    "approuver sa décision");
	for (i = 0; i < inv->named->len; i++)
		if (g_ascii_strcasecmp(who->address,
		    g_ptr_array_index(inv->named, i)) == 0)
			return g_strdup("vous êtes impliqué dans ce dossier "
			    "(#implique) : vous ne pouvez pas approuver");
	return NULL;
}

char *
approval_refusal(struct store *st, const struct setup *s,
    const struct store_case *c, const struct conf_staff *who, GError **err)
{
	const struct rules_type *t = rules_type(s->rules, c->type);
	struct involved	 inv;
	char		*why;

	if (!approval_required(t))
		return g_strdup("les décisions de ce type n'attendent pas "
		    "d'approbation");
	if (!read_involved(st, c->id, &inv, err)) {
		involved_clear(&inv);
		return g_strdup("erreur interne");
	}
	why = refusal(t, &inv, who);
	involved_clear(&inv);
	return why;
}

gboolean
approval_propose(struct store *st, const struct setup *s,
    const struct store_case *c, const struct conf_staff *author,
    const char *text, int64_t now, GError **err)
{
	const struct rules_type *t = rules_type(s->rules, c->type);
	struct involved	 inv;
	struct tpl_vars	*v;
	char		*actor = g_strdup_printf("staff <%s>", author->address);
	char		*subject = NULL, *body = NULL;
	gboolean	 ok;
	guint		 i;

	ok = store_event_add(st, c->id, now, actor, "decision-proposed", text,
	    err) && read_involved(st, c->id, &inv, err);
	g_free(actor);
	if (!ok)
		return FALSE;
	if ((v = letter_vars(st, s, c, s->conf->language, err)) == NULL) {
		involved_clear(&inv);
		return FALSE;
	}
	tpl_vars_set(v, "proposed_by", author->name);
	tpl_vars_set(v, "text", text);
	ok = letter_render(s, LETTER_APPROVAL, NULL, s->conf->language, v,
	    &subject, &body, err);
	tpl_vars_free(v);
	for (i = 0; ok && s->conf->has_smtp && s->conf->staff_key != NULL &&
	    i < s->conf->staff->len; i++) {
		const struct conf_staff *who = g_ptr_array_index(s->conf->staff,
		    i);
		char	*why = refusal(t, &inv, who);

		if (why != NULL) {
			g_free(why);
			continue;
		}
		ok = notify_member(st, s->conf, letter_name(LETTER_APPROVAL),
		    c->id, c->ref, who, subject, body, now, err);
	}
	involved_clear(&inv);
	g_free(subject);
	g_free(body);
	return ok;
}
