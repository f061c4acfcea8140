/*
 * notify.c: see notify.h.
 */
#include "config.h"

#include <string.h>

#include <gmime/gmime.h>

#include "compose.h"
#include "log.h"
#include "notice.h"
#include "notify.h"
#include "outbox.h"

static char	*message_id(const struct conf *, const struct notify_mail *);

/*
 * n's Message-ID, or a new one; one that carries a staff token goes only
 * to the address the token is bound to.
 */
static char *
message_id(const struct conf *c, const struct notify_mail *n)
{
	if (n->message_id == NULL)
		return g_mime_utils_generate_message_id(c->org_domain);
	if (notice_id_for(c, n->message_id, n->to))
		return g_strdup(n->message_id);
	log_warnx("notify: %s to %s: a staff token bound to another address: "
	    "a new Message-ID instead", n->kind, n->to);
	return g_mime_utils_generate_message_id(c->org_domain);
}

gboolean
notify_send(struct store *st, const struct conf *c,
    const struct notify_mail *n, int64_t now, char **message_id_out,
    GError **err)
{
	struct compose_mail m;
	struct store_outbox o;
	char		*id, *letter, *in_reply_to, *refs;
	gboolean	 ok;

	memset(&m, 0, sizeof(m));
	m.from_name = c->org_name;
	m.from_addr = c->org_address;
	m.reply_to = n->reply_to != NULL ? n->reply_to : n->reply_to_us ?
	    c->reply_address : NULL;
	m.to_name = n->to_name;
	m.to_addr = n->to;
	m.subject = n->subject;
	m.body = n->body;
	m.lang = n->lang != NULL ? n->lang : c->language;
	m.auto_submitted = n->auto_submitted != NULL ? n->auto_submitted :
	    "auto-generated";
	/* A staff token is never quoted: it would reach whoever is copied. */
	in_reply_to = notice_public_ids(c, n->in_reply_to);
	refs = notice_public_ids(c, n->references);
	m.in_reply_to = in_reply_to;
	m.references = refs;
	m.domain = c->org_domain;
	m.date = now;
	/* Fixed now: threading and bounces find the letter by it. */
	id = message_id(c, n);
	m.message_id = id;
	m.files = n->files;
	m.nfiles = n->nfiles;
	letter = outbox_intent_encode(&m);
	memset(&o, 0, sizeof(o));
	o.kind = n->kind;
	o.case_id = n->case_id;
	o.mail_from = c->org_address;
	o.rcpt = n->to;
	o.message_id = id;
	o.letter = letter;
	o.queued_at = now;
	/*
	 * Files that will not outlive the call (an export) are read now;
	 * a letter that cannot be built still fails alone.
	 */
	if (n->files_temporary)
		ok = outbox_add_composed(st, &o, &m, err);
	else
		ok = store_outbox_add(st, &o, NULL, err);
	g_free(letter);
	g_free(refs);
	g_free(in_reply_to);
	if (ok && message_id_out != NULL)
		*message_id_out = id;
	else
		g_free(id);
	return ok;
}

gboolean
notify_queue(struct store *st, const struct conf *c, const char *kind,
    int64_t case_id, const char *to, const char *subject, const char *body,
    int64_t now, gboolean *queued, GError **err)
{
	return notify_staff(st, c, kind, case_id, NULL, to, subject, body, now,
	    queued, err);
}

gboolean
notify_staff(struct store *st, const struct conf *c, const char *kind,
    int64_t case_id, const char *ref, const char *to, const char *subject,
    const char *body, int64_t now, gboolean *queued, GError **err)
{
	struct notify_mail n;
	char		*id = NULL, *reply_to = NULL;

	*queued = FALSE;
	if (to == NULL)
		to = c->admin;
	if (to == NULL || !c->has_smtp)
		return TRUE;
	memset(&n, 0, sizeof(n));
	n.kind = kind;
	n.case_id = case_id;
	n.to = to;
	n.subject = subject;
	n.body = body;
	if (ref != NULL && c->staff_key != NULL) {
		id = notice_ids(c, ref, to, now, &reply_to);
		n.message_id = id;
		n.reply_to_us = TRUE;
		n.reply_to = reply_to;
	}
	*queued = notify_send(st, c, &n, now, NULL, err);
	g_free(reply_to);
	g_free(id);
	return *queued;
}

gboolean
notify_member(struct store *st, const struct conf *c, const char *kind,
    int64_t case_id, const char *ref, const struct conf_staff *to,
    const char *subject, const char *body, int64_t now, GError **err)
{
	struct notify_mail n;
	char	*reply_to, *id = notice_ids(c, ref, to->address, now,
	    &reply_to);
	gboolean ok;

	memset(&n, 0, sizeof(n));
	n.kind = kind;
	n.case_id = case_id;
	n.to = to->address;
	n.to_name = to->name;
	n.subject = subject;
	n.body = body;
	n.message_id = id;
	n.reply_to_us = TRUE;
	n.reply_to = reply_to;
	ok = notify_send(st, c, &n, now, NULL, err);
	g_free(reply_to);
	g_free(id);
	return ok;
}
