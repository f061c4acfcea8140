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

/*
 * The administrator hears of messages set aside at most once an hour,
 * each named once: those set aside since the last such alert.
 */
#define SET_ASIDE_EVERY	3600
#define SET_ASIDE_NAMED	50

static char *
set_aside_text(const struct conf *c, GArray *rows, char **subject)
{
	gboolean en = strcmp(c->language, "en") == 0;
	GString	*b = g_string_new(NULL);
	guint	 i;

	*subject = g_strdup_printf(en ? "[recoursd] %u message(s) set aside" :
	    "[recoursd] %u message(s) mis de côté", rows->len);
	g_string_append(b, en ? "recoursd could not process these messages. "
	    "They are kept; the others went on.\n\n" : "recoursd n'a pas pu "
	    "traiter ces messages.  Ils sont conservés ; les autres ont été "
	    "traités.\n\n");
	for (i = 0; i < rows->len; i++) {
		const struct store_inbound_row *r = &g_array_index(rows,
		    struct store_inbound_row, i);

		g_string_append_printf(b, "  %" G_GINT64_FORMAT "  %s  %s: %s\n",
		    r->id, r->mailbox, r->state, r->reason != NULL ? r->reason :
		    "?");
	}
	if (rows->len == SET_ASIDE_NAMED)
		g_string_append(b, "  ...\n");
	g_string_append(b, en ? "\nSee them with: recoursctl quarantine list\n"
	    "Once the cause is fixed: recoursctl reprocess ID\n" :
	    "\nLes voir : recoursctl quarantine list\nUne fois la cause "
	    "corrigée : recoursctl reprocess ID\n");
	return g_string_free(b, FALSE);
}

int
health_set_aside(struct store *st, const struct conf *c, int64_t now,
    GError **err)
{
	int64_t	 last;
	GArray	*rows;
	char	*subject, *body;
	gboolean queued = FALSE, ok;

	if (c->admin == NULL || !c->has_smtp)
		return 0;
	last = store_outbox_last(st, "alert-set-aside");
	if (last > 0 && now - last < SET_ASIDE_EVERY)
		return 0;
	if ((rows = store_inbound_set_aside(st, last, SET_ASIDE_NAMED,
	    err)) == NULL)
		return -1;
	if (rows->len == 0) {
		g_array_unref(rows);
		return 0;
	}
	body = set_aside_text(c, rows, &subject);
	g_array_unref(rows);
	ok = store_begin(st, err) && notify_queue(st, c, "alert-set-aside", 0,
	    NULL, subject, body, now, &queued, err) && store_commit(st, err);
	if (!ok)
		store_rollback(st);
	g_free(subject);
	g_free(body);
	return ok ? queued : -1;
}
