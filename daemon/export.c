/*
 * export.c: see export.h.
 */
#include "config.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <stdio.h>
#include <string.h>

#include "export.h"
#include "spool.h"

static GQuark	 export_quark(void);
static void	 mbox_append(GString *, GBytes *, int64_t);
static GBytes	*raw_of(struct store *, const struct setup *,
		    const struct store_mail *);
static gboolean	 write_file(const char *, const char *, gsize, GError **);

static GQuark
export_quark(void)
{
	return g_quark_from_static_string("recoursd-export");
}

static gboolean
write_file(const char *path, const char *data, gsize len, GError **err)
{
	return g_file_set_contents(path, data, (gssize)len, err);
}

/* mboxrd: a "From " line, LF line ends, ">From " quoted. */
static void
mbox_append(GString *mbox, GBytes *raw, int64_t at)
{
	GDateTime	*t = g_date_time_new_from_unix_utc(at);
	char		*when = g_date_time_format(t, "%a %b %e %H:%M:%S %Y");
	gsize		 len;
	const char	*p = g_bytes_get_data(raw, &len), *end = p + len;

	g_string_append_printf(mbox, "From recoursd %s\n", when);
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *stop = nl != NULL ? nl : end;
		const char *q = p;

		while (q < stop && *q == '>')
			q++;
		if ((size_t)(stop - q) >= 5 && strncmp(q, "From ", 5) == 0)
			g_string_append_c(mbox, '>');
		g_string_append_len(mbox, p, (stop > p && stop[-1] == '\r') ?
		    stop - p - 1 : stop - p);
		g_string_append_c(mbox, '\n');
		p = nl != NULL ? nl + 1 : end;
	}
	g_string_append_c(mbox, '\n');
	g_free(when);
	g_date_time_unref(t);
}

/* The raw bytes of a message: the row's blob, the spool, or the outbox. */
static GBytes *
raw_of(struct store *st, const struct setup *s, const struct store_mail *m)
{
	char	*path, *data = NULL;
	gsize	 len;
	GBytes	*raw;

	if (m->outgoing)
		return store_outbox_data(st, m->id, NULL);
	if ((raw = store_inbound_raw(st, m->id, NULL)) != NULL)
		return raw;
	path = spool_raw_path(s->conf->spool, m->sha256);
	if (g_file_get_contents(path, &data, &len, NULL))
		raw = g_bytes_new_take(data, len);
	g_free(path);
	return raw;
}

gboolean
export_case(struct store *st, const struct setup *s, const char *ref,
    const char *dir, GError **err)
{
	struct store_case c;
	GArray		*mail = NULL, *files = NULL, *events = NULL;
	GString		*mbox = g_string_new(NULL), *log = g_string_new(NULL);
	char		*path = NULL, *adir = NULL, *src, *dst;
	guint		 i;
	gboolean	 ok = FALSE;

	if (!store_case_by_ref(st, ref, &c, err)) {
		if (err == NULL || *err == NULL)
			g_set_error(err, export_quark(), 0, "%s: no such case",
			    ref);
		goto out0;
	}
	if (g_file_test(dir, G_FILE_TEST_EXISTS)) {
		g_set_error(err, export_quark(), 0, "%s: already exists; give a "
		    "new directory", dir);
		goto out;
	}
	adir = g_build_filename(dir, "attachments", NULL);
	if (g_mkdir_with_parents(adir, 0750) != 0) {
		g_set_error(err, export_quark(), 0, "%s: %s", dir,
		    g_strerror(errno));
		goto out;
	}
	if ((mail = store_case_mail(st, c.id, err)) == NULL ||
	    (files = store_case_attachments(st, c.id, err)) == NULL ||
	    (events = store_case_events(st, c.id, err)) == NULL)
		goto out;
	for (i = 0; i < mail->len; i++) {
		const struct store_mail *m = &g_array_index(mail,
		    struct store_mail, i);
		GBytes	*raw = raw_of(st, s, m);

		if (raw != NULL) {
			mbox_append(mbox, raw, m->at);
			g_bytes_unref(raw);
		}
	}
	path = g_build_filename(dir, "messages.mbox", NULL);
	if (!write_file(path, mbox->str, mbox->len, err))
		goto out;
	for (i = 0; i < files->len; i++) {
		const struct store_file *f = &g_array_index(files,
		    struct store_file, i);
		char	 sub[3] = { f->sha256[0], f->sha256[1], '\0' };
		char	*name = g_strdup_printf("%02u-%s", i + 1, f->name);
		char	*data = NULL;
		gsize	 len;

		src = g_build_filename(s->conf->spool, "attachments", sub,
		    f->sha256, NULL);
		dst = g_build_filename(adir, name, NULL);
		ok = g_file_get_contents(src, &data, &len, err) &&
		    write_file(dst, data, len, err);
		g_free(data);
		g_free(src);
		g_free(dst);
		g_free(name);
		if (!ok)
			goto out;
	}
	g_string_append_printf(log, "Dossier %s (%s), %s\nObjet : %s\n"
	    "Plaignant : %s <%s>\n\n", c.ref, c.type, c.state, c.subject ?
	    c.subject : "", c.complainant_name ? c.complainant_name : "",
	    c.complainant_addr ? c.complainant_addr : "");
	for (i = 0; i < events->len; i++) {
		const struct store_event *e = &g_array_index(events,
		    struct store_event, i);
		GDateTime *u = g_date_time_new_from_unix_utc(e->at);
		GDateTime *l = g_date_time_to_timezone(u, cal_zone(s->cal));
		char	*when = g_date_time_format(l, "%Y-%m-%d %H:%M:%S %z");

		g_string_append_printf(log, "%s  %-16s %s\n    %s\n    hash %s\n",
		    when, e->kind, e->actor, e->detail ? e->detail : "", e->hash);
		g_free(when);
		g_date_time_unref(l);
		g_date_time_unref(u);
	}
	g_free(path);
	path = g_build_filename(dir, "events.txt", NULL);
	ok = write_file(path, log->str, log->len, err);
out:
	store_case_clear(&c);
out0:
	if (mail != NULL)
		g_array_unref(mail);
	if (files != NULL)
		g_array_unref(files);
	if (events != NULL)
		g_array_unref(events);
	g_string_free(mbox, TRUE);
	g_string_free(log, TRUE);
	g_free(path);
	g_free(adir);
	return ok;
}
