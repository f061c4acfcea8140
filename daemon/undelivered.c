/*
 * undelivered.c: see undelivered.h.
 */
#include "config.h"

#include <string.h>

#include "log.h"
#include "notify.h"
#include "undelivered.h"

/*
 * Mail to the complainant: the outbox kinds of ack.c, staff_notify.c,
 * letter.c.
 */
static const char *const to_complainant[] = { "ack", "relay",
    "demande-complements", "avis-complexite", "avis-avancement",
    "irrecevabilite", "decision", "depassement", NULL };

/* Notices about these would only feed a loop. */
static const char *const never_notice[] = { "undelivered-notice",
    "alert-down", "alert-up", NULL };

static gboolean
in(const char *kind, const char *const *kinds)
{
	return kind != NULL && g_strv_contains(kinds, kind);
}

gboolean
undelivered_record(struct store *st, const struct setup *s,
    const struct store_case *c, const char *kind, const char *rcpt,
    const char *why, int64_t now, gboolean *queued, GError **err)
{
	const struct rules_type *t = c != NULL ? rules_type(s->rules, c->type) :
	    NULL;
	gboolean complainant = in(kind, to_complainant);
	char	*detail, *subject, *body;
	gboolean ok = TRUE;

	*queued = FALSE;
	detail = g_strdup_printf("our %s to %s was not delivered: %s", kind,
	    rcpt, why);
	log_warnx("%s%s%s", c != NULL ? c->ref : "", c != NULL ? ": " : "",
	    detail);
	if (c != NULL)
		ok = store_event_add(st, c->id, now, "recoursd", complainant ?
		    "undelivered" : "undelivered-staff", detail, err);
	if (ok && !in(kind, never_notice)) {
		subject = g_strdup_printf("%s%s%sNon distribué : %s à %s",
		    c != NULL ? "[" : "", c != NULL ? c->ref : "",
		    c != NULL ? "] " : "", kind, rcpt);
		body = g_strdup_printf("Le message « %s » envoyé à %s n'a pas "
		    "été distribué.\n\nMotif : %s\n%s", kind, rcpt, why,
		    complainant ? "\nLe plaignant ne l'a pas reçu. Informez-le "
		    "par un autre moyen, puis répondez à ce message avec la "
		    "commande :\n  #informe COMMENT\nLe dossier ne peut pas "
		    "être clos avant.\n" : "");
		ok = notify_staff(st, s->conf, "undelivered-notice", c != NULL ?
		    c->id : 0, c != NULL ? c->ref : NULL, t != NULL ? t->notify :
		    NULL, subject, body, now, queued, err);
		g_free(subject);
		g_free(body);
	}
	g_free(detail);
	return ok;
}

/* One failed row, in its own transaction. */
static gboolean
report_one(struct store *st, const struct setup *s,
    const struct store_outbox *o, int64_t now, gboolean *queued, GError **err)
{
	struct store_case c;
	gboolean	 has_case = FALSE, ok;
	char		*why;

	if (!store_begin(st, err))
		return FALSE;
	if (o->case_id != 0 && !(has_case = store_case_by_id(st, o->case_id, &c,
	    err)) && err != NULL && *err != NULL) {
		store_rollback(st);
		return FALSE;
	}
	/* Never tried: it could not be written (outbox.c says why). */
	why = o->attempts == 0 ? g_strdup(o->reply != NULL ? o->reply : "?") :
	    g_strdup_printf("refused by our mail server after %d attempt(s): "
	    "%s", o->attempts, o->reply != NULL ? o->reply : "?");
	ok = store_outbox_set_reported(st, o->id, err) &&
	    undelivered_record(st, s, has_case ? &c : NULL, o->kind, o->rcpt,
	    why, now, queued, err) && store_commit(st, err);
	if (!ok)
		store_rollback(st);
	g_free(why);
	if (has_case)
		store_case_clear(&c);
	return ok;
}

int
undelivered_report(struct store *st, const struct setup *s, int64_t now,
    GError **err)
{
	GArray	*rows = store_outbox_unreported(st, err);
	int	 n = 0;
	guint	 i;

	if (rows == NULL)
		return -1;
	for (i = 0; i < rows->len; i++) {
		gboolean q = FALSE;

		if (!report_one(st, s, &g_array_index(rows, struct store_outbox,
		    i), now, &q, err)) {
			g_array_unref(rows);
			return -1;
		}
		n += q;
	}
	g_array_unref(rows);
	return n;
}

char *
undelivered_blocks_closing(struct store *st, int64_t case_id, GError **err)
{
	char	*detail = store_case_undelivered(st, case_id, err), *why;

	if (detail == NULL)
		return NULL;
	why = g_strdup_printf("le plaignant n'a pas reçu un message du dossier "
	    "(%s) : indiquez d'abord comment il a été informé avec #informe",
	    detail);
	g_free(detail);
	return why;
}
