/*
 * notify.c: see notify.h.
 */
#include "config.h"

#include <string.h>

#include "compose.h"
#include "notify.h"

gboolean
notify_queue(struct store *st, const struct conf *c, const char *kind,
    int64_t case_id, const char *to, const char *subject, const char *body,
    int64_t now, gboolean *queued, GError **err)
{
	struct compose_mail m;
	struct store_outbox o;
	GTimeZone	*tz = g_time_zone_new_identifier("Europe/Paris");
	GBytes		*data;
	char		*id = NULL;
	gboolean	 ok;

	*queued = FALSE;
	if (to == NULL)
		to = c->admin;
	if (to == NULL || !c->has_smtp) {
		if (tz != NULL)
			g_time_zone_unref(tz);
		return TRUE;
	}
	memset(&m, 0, sizeof(m));
	m.from_name = c->org_name;
	m.from_addr = c->org_address;
	m.to_addr = to;
	m.subject = subject;
	m.body = body;
	m.lang = c->language;
	m.auto_submitted = "auto-generated";
	m.domain = c->org_domain;
	m.date = now;
	m.tz = tz;
	data = compose_message(&m, &id, err);
	if (tz != NULL)
		g_time_zone_unref(tz);
	if (data == NULL)
		return FALSE;
	memset(&o, 0, sizeof(o));
	o.kind = kind;
	o.case_id = case_id;
	o.mail_from = c->org_address;
	o.rcpt = to;
	o.message_id = id;
	o.data = data;
	o.queued_at = now;
	ok = store_outbox_add(st, &o, NULL, err);
	*queued = ok;
	g_bytes_unref(data);
	g_free(id);
	return ok;
}
