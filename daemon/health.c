/*
 * health.c: see health.h.
 */
#include "config.h"

#include <string.h>

#include "health.h"
#include "log.h"
#include "notify.h"

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
	char	*subject, *body;
	gboolean ok, queued;

	body = alert_text(c, h, down, now, &subject);
	ok = store_begin(st, err) && notify_queue(st, c, down ? "alert-down" :
	    "alert-up", 0, c->admin, subject, body, now, &queued, err) &&
	    store_mailbox_set_alerted(st, h->mailbox, down, err) &&
	    store_commit(st, err);
	if (!ok)
		store_rollback(st);
	g_free(subject);
	g_free(body);
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
