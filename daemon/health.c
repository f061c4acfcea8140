/*
 * health.c: see health.h.
 */
#include "config.h"

#include <string.h>

#include "compose.h"
#include "health.h"
#include "log.h"

static gboolean	 queue_alert(struct store *, const struct conf *,
		    const struct store_health *, gboolean, int64_t, GError **);
static char	*alert_text(const struct conf *, const struct store_health *,
		    gboolean, int64_t, char **);

/* The alert's subject and body, in the configured language. */
static char *
alert_text(const struct conf *c, const struct store_health *h,
    gboolean down, int64_t now, char **subject)
{
	const struct conf_mailbox *mb = conf_mailbox(c, h->mailbox);
	gboolean en = strcmp(c->language, "en") == 0;
	const char *host = mb != NULL ? mb->host : "?";
	int64_t	 secs = now - h->state.failing_since;
	char	*span = secs < 120 ? g_strdup_printf("%" G_GINT64_FORMAT " s",
	    secs) : g_strdup_printf("%" G_GINT64_FORMAT " min", secs / 60);
	char	*text;

	if (down && en) {
		*subject = g_strdup_printf("[recoursd] mailbox %s unreachable "
		    "for %s", h->mailbox, span);
		text = g_strdup_printf("recoursd cannot read the mailbox %s on "
		    "%s for %s.\n\nLast error: %s\n\nNo message is lost: "
		    "those that arrive meanwhile will be read when it works "
		    "again, and you will be told.\n", h->mailbox, host, span,
		    h->last_error != NULL ? h->last_error : "?");
	} else if (down) {
		*subject = g_strdup_printf("[recoursd] boîte %s injoignable "
		    "depuis %s", h->mailbox, span);
		text = g_strdup_printf("recoursd ne parvient plus à lire la "
		    "boîte %s sur %s depuis %s.\n\nDernière erreur : %s\n\n"
		    "Aucun message n'est perdu : ceux qui arrivent entre-temps "
		    "seront lus dès son retour, qui vous sera signalé.\n",
		    h->mailbox, host, span,
		    h->last_error != NULL ? h->last_error : "?");
	} else {
		*subject = g_strdup_printf(en ? "[recoursd] mailbox %s works "
		    "again" : "[recoursd] boîte %s de nouveau accessible",
		    h->mailbox);
		text = g_strdup_printf(en ? "recoursd reads the mailbox %s on %s "
		    "again.\n" : "recoursd lit de nouveau la boîte %s sur %s.\n",
		    h->mailbox, host);
	}
	g_free(span);
	return text;
}

/* The alert as an outbox row, and the mailbox marked, atomically. */
static gboolean
queue_alert(struct store *st, const struct conf *c,
    const struct store_health *h, gboolean down, int64_t now, GError **err)
{
	struct compose_mail m;
	struct store_outbox o;
	char	*subject, *body, *id = NULL;
	GBytes	*data;
	gboolean ok;

	body = alert_text(c, h, down, now, &subject);
	memset(&m, 0, sizeof(m));
	m.from_name = c->org_name;
	m.from_addr = c->org_address;
	m.to_addr = c->admin;
	m.subject = subject;
	m.body = body;
	m.lang = c->language;
	m.auto_submitted = "auto-generated";
	m.domain = c->org_domain;
	m.date = now;
	data = compose_message(&m, &id, err);
	g_free(subject);
	g_free(body);
	if (data == NULL)
		return FALSE;
	memset(&o, 0, sizeof(o));
	o.kind = down ? "alert-down" : "alert-up";
	o.mail_from = c->org_address;
	o.rcpt = c->admin;
	o.message_id = id;
	o.data = data;
	o.queued_at = now;
	ok = store_begin(st, err) && store_outbox_add(st, &o, NULL, err) &&
	    store_mailbox_set_alerted(st, h->mailbox, down, err) &&
	    store_commit(st, err);
	if (!ok)
		store_rollback(st);
	g_bytes_unref(data);
	g_free(id);
	return ok;
}

int
health_check(struct store *st, const struct conf *c, int64_t now,
    GError **err)
{
	GArray	*rows;
	guint	 i;
	int	 n = 0;

	if ((rows = store_mailbox_all(st, err)) == NULL)
		return -1;
	for (i = 0; n >= 0 && i < rows->len; i++) {
		const struct store_health *h = &g_array_index(rows,
		    struct store_health, i);
		gboolean down = h->state.failing_since != 0 &&
		    now - h->state.failing_since >= c->mailbox_alert_after;
		gboolean up = h->state.failing_since == 0 && h->state.alerted;

		if (conf_mailbox(c, h->mailbox) == NULL ||
		    (!(down && !h->state.alerted) && !up))
			continue;
		log_warnx("health: mailbox %s %s", h->mailbox, down ?
		    "is failing: alerting the administrator" : "works again");
		if (c->admin == NULL) {
			if (!store_mailbox_set_alerted(st, h->mailbox, down, err))
				n = -1;
			continue;
		}
		if (!queue_alert(st, c, h, down, now, err))
			n = -1;
		else
			n++;
	}
	g_array_unref(rows);
	return n;
}
