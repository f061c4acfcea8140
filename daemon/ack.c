/*
 * ack.c: see ack.h.
 */
#include "config.h"

#include <string.h>

#include "ack.h"
#include "autoreply.h"
#include "letter.h"
#include "notify.h"

static struct tpl_vars *variables(struct store *, const struct setup *,
		    const struct case_decision *, const struct store_case *,
		    GError **);
static char	*rate_limited(struct store *, const struct setup *,
		    const struct msg *, int64_t, GError **);
static gboolean	 queue(struct store *, const struct setup *,
		    const struct store_case *, const char *, const char *,
		    const struct msg *, int64_t, GError **);

const char *
ack_refusal(const struct msg *m, const struct conf *c)
{
	const char	*loop = msg_header(m, "X-Loop");
	char		*ours = g_strdup_printf("recoursd@%s", c->org_domain);
	gboolean	 looped = loop != NULL && strstr(loop, ours) != NULL;
	const char	*why;

	g_free(ours);
	if (looped)
		return "it carries our own X-Loop";
	/* Such mail opens no case (case.c); no other path answers it either. */
	if ((why = autoreply_automatic(m)) != NULL)
		return why;
	if (m->from.addr == NULL || *m->from.addr == '\0')
		return "it has no sender to answer";
	return NULL;
}

/* The case's variables and what is missing; NULL on error. */
static struct tpl_vars *
variables(struct store *st, const struct setup *s,
    const struct case_decision *d, const struct store_case *c, GError **err)
{
	struct tpl_vars	*v = letter_vars(st, s, c, c->lang, err);
	guint		 i;

	if (v == NULL)
		return NULL;
	tpl_vars_set_list(v, "missing_fields", NULL);
	for (i = 0; d->missing != NULL && i < d->missing->len; i++)
		tpl_vars_append(v, "missing_fields",
		    g_ptr_array_index(d->missing, i));
	return v;
}

/* Queue it, threaded to m; To: the Reply-To when there is one. */
static gboolean
queue(struct store *st, const struct setup *s, const struct store_case *c,
    const char *subject, const char *body, const struct msg *m, int64_t now,
    GError **err)
{
	struct notify_mail n;
	GString		*refs = g_string_new(NULL);
	char		*id = NULL;
	guint		 i;
	gboolean	 ok;

	for (i = 0; i < m->references->len; i++)
		g_string_append_printf(refs, "%s%s", i ? " " : "",
		    (const char *)g_ptr_array_index(m->references, i));
	memset(&n, 0, sizeof(n));
	n.kind = "ack";
	n.case_id = c->id;
	n.lang = c->lang;
	n.to = m->reply_to.addr != NULL ? m->reply_to.addr : m->from.addr;
	n.to_name = m->reply_to.addr != NULL ? m->reply_to.name : m->from.name;
	n.subject = subject;
	n.body = body;
	n.auto_submitted = "auto-replied";
	n.in_reply_to = m->message_id;
	n.references = refs->str;
	/* Our Message-ID is kept: a reply to it is threaded to the case. */
	ok = notify_send(st, s->conf, &n, now, &id, err) &&
	    store_event_add(st, c->id, now, "recoursd", "ack", id, err);
	g_string_free(refs, TRUE);
	g_free(id);
	return ok;
}

/*
 * More than limits.acks_per_hour acknowledgements to one address in an
 * hour: an auto-responder without RFC 3834 headers, most likely.  Why
 * (caller frees), or NULL.
 */
static char *
rate_limited(struct store *st, const struct setup *s, const struct msg *m,
    int64_t now, GError **err)
{
	const char	*to = m->reply_to.addr != NULL ? m->reply_to.addr :
	    m->from.addr;
	int64_t		 n = store_outbox_recent(st, to, "ack", now - 3600, err);

	if (n < s->conf->limits.acks_per_hour)
		return NULL;
	return g_strdup_printf("%" G_GINT64_FORMAT " acknowledgements to %s "
	    "within the hour already (limits.acks_per_hour): a mail loop?", n,
	    to);
}

gboolean
ack_queue(struct store *st, const struct setup *s,
    const struct case_decision *d, const struct msg *m, int64_t now,
    gboolean *queued, GError **err)
{
	struct store_case c;
	const char	*why;
	struct tpl_vars	*v = NULL;
	char		*subject = NULL, *body = NULL;
	gboolean	 ok;

	*queued = FALSE;
	if (d->action != CASE_OPEN || !d->type->ack)
		return TRUE;
	if ((why = ack_refusal(m, s->conf)) != NULL)
		return store_event_add(st, d->existing.id, now, "recoursd",
		    "no-ack", why, err);
	if (!s->conf->has_smtp)
		return store_event_add(st, d->existing.id, now, "recoursd",
		    "no-ack", "no smtp server is configured", err);
	if ((why = rate_limited(st, s, m, now, err)) != NULL) {
		gboolean ok2 = store_event_add(st, d->existing.id, now,
		    "recoursd", "no-ack", why, err);

		g_free((char *)why);
		return ok2;
	}
	if (err != NULL && *err != NULL)
		return FALSE;
	if (!store_case_by_id(st, d->existing.id, &c, err))
		return FALSE;
	ok = (v = variables(st, s, d, &c, err)) != NULL &&
	    letter_render(s, LETTER_ACK, d->type->ack_template, c.lang, v,
	    &subject, &body, err) &&
	    queue(st, s, &c, subject, body, m, now, err);
	if (v != NULL)
		tpl_vars_free(v);
	store_case_clear(&c);
	g_free(subject);
	g_free(body);
	*queued = ok;
	return ok;
}
