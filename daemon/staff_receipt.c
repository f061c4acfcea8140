/*
 * staff_receipt.c: what staff are told of their replies: the receipt of
 * what their commands did, or why their reply was refused.
 */
#include "config.h"

#include <string.h>

#include "log.h"
#include "notice.h"
#include "notify.h"
#include "staff_int.h"

static gboolean	 alerted_lately(struct store *, int64_t, int64_t,
		    GError **);

gboolean
staff_send_receipt(struct store *st, const struct setup *s,
    const struct store_case *c, const char *to, const char *in_reply_to,
    const char *body, int64_t now, GError **err)
{
	struct notify_mail n;
	char	*reply_to, *id, *subject;
	gboolean ok;

	id = notice_ids(s->conf, c->ref, to, now, &reply_to);
	subject = g_strdup_printf("[%s] Compte rendu de vos commandes", c->ref);
	memset(&n, 0, sizeof(n));
	n.kind = "receipt";
	n.case_id = c->id;
	n.to = to;
	n.subject = subject;
	n.body = body;
	n.in_reply_to = in_reply_to;
	n.message_id = id;
	n.reply_to_us = TRUE;
	n.reply_to = reply_to;
	ok = notify_send(st, s->conf, &n, now, NULL, err);
	g_free(subject);
	g_free(reply_to);
	g_free(id);
	return ok;
}

/* Whether staff were alerted of a refused reply in case_id in a day. */
static gboolean
alerted_lately(struct store *st, int64_t case_id, int64_t now, GError **err)
{
	GArray	*events = store_case_events(st, case_id, err);
	gboolean alerted = FALSE;
	guint	 i;

	for (i = 0; events != NULL && i < events->len; i++) {
		const struct store_event *e = &g_array_index(events,
		    struct store_event, i);

		if (strcmp(e->kind, "staff-alerted") == 0 && e->at > now - 86400)
			alerted = TRUE;
	}
	if (events != NULL)
		g_array_unref(events);
	return alerted;
}

/* Refused replies get a receipt with a fresh token to answer. */
gboolean
staff_refuse(struct store *st, const struct setup *s,
    const struct store_case *c, const char *to, const struct msg *m,
    enum staff_auth v, int64_t now, GError **err)
{
	char	*actor = g_strdup_printf("staff <%s>", to), *detail, *text;
	gboolean ok;

	log_warnx("security: %s: a reply from %s refused, %s: not relayed, "
	    "commands not run", c->ref, to, staff_auth_why(v));
	detail = g_strdup_printf("%s: not relayed, commands not run",
	    staff_auth_why(v));
	text = v == STAFF_AUTH_EXPIRED ? g_strdup_printf("La notification à "
	    "laquelle vous répondez est trop ancienne (plus de %d jours) : "
	    "rien n'a été fait ni transmis.\nRépondez à une notification "
	    "récente de ce dossier, par exemple à ce compte rendu.\n",
	    s->conf->staff_token_days) : g_strdup("Votre réponse n'est pas "
	    "rattachée à une notification de ce dossier qui vous était "
	    "adressée, ou n'a pas été authentifiée par notre serveur : rien "
	    "n'a été fait ni transmis.\nRépondez à ce compte rendu ou à la "
	    "dernière notification reçue pour ce dossier.\n");
	ok = store_event_add(st, c->id, now, actor, "staff-refused", detail,
	    err);
	if (ok && !alerted_lately(st, c->id, now, err))
		ok = (err == NULL || *err == NULL) && staff_send_receipt(st, s,
		    c, to, m->message_id, text, now, err) &&
		    store_event_add(st, c->id, now, "recoursd", "staff-alerted",
		    to, err);
	g_free(text);
	g_free(detail);
	g_free(actor);
	return ok;
}
