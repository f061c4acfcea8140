/*
 * purge.c: see purge.h.
 */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "purge.h"
#include "spool.h"

/*
 * What a purged case keeps of its events: what recoursd did (its own
 * name as actor), and the details that are made by recoursd, name no one,
 * and are read by the indicators (state changes, deadlines met, the
 * cause staff chose, a category).
 */
static const char *const kept_details[] = { "state", "complete",
    "deadline-met", "deadline-missed", "reminder", "notice",
    "deadlines-restarted", "ack", "cause", NULL };
static const struct store_keep kept = { "recoursd", kept_details };

static gboolean	 purge_one(struct store *, int64_t, gboolean, const char *,
		    const char *, int64_t, struct purge_report *, GError **);
static GDateTime *cutoff(const struct conf *, const struct rules_type *,
		    const struct cfg_period *, GDateTime *, char **);
static gboolean	 purge_type(struct store *, const struct conf *,
		    const struct rules *, const struct rules_type *,
		    const struct cfg_period *, GDateTime *, const char *,
		    int64_t, struct purge_report *, GError **);
static gboolean	 is_digest(const char *);
static void	 sweep(struct store *, const char *, gboolean, int64_t,
		    struct purge_report *);
static void	 remove_files(struct store *, const struct conf *, int64_t,
		    struct purge_report *);

/* One case, and its "purged" event with what went. */
static gboolean
purge_one(struct store *st, int64_t id, gboolean delete, const char *actor,
    const char *period, int64_t now, struct purge_report *r, GError **err)
{
	struct store_purged before = r->erased;
	struct store_case c;
	char	*detail;
	gboolean ok;

	if (!store_case_by_id(st, id, &c, err))
		return FALSE;
	ok = store_purge_case(st, id, delete, &kept, now, &r->erased, err);
	detail = g_strdup_printf("%s after %s closed: %" G_GINT64_FORMAT
	    " message(s), %" G_GINT64_FORMAT " attachment(s), %" G_GINT64_FORMAT
	    " letter(s), %" G_GINT64_FORMAT " event(s); server copies queued "
	    "for deletion: %" G_GINT64_FORMAT, delete ? "deleted" : "anonymised",
	    period, r->erased.messages - before.messages,
	    r->erased.attachments - before.attachments,
	    r->erased.letters - before.letters, r->erased.events - before.events,
	    r->erased.imap_copies - before.imap_copies);
	ok = ok && store_event_add(st, id, now, actor, "purged", detail, err);
	if (ok)
		g_ptr_array_add(r->refs, g_strdup(c.ref));
	g_free(detail);
	store_case_clear(&c);
	return ok;
}

/*
 * When cases of type (NULL: of the types without a retention of their
 * own) are kept until: their retention, or older when it is longer.
 * period gets the one applied; caller unrefs and frees.
 */
static GDateTime *
cutoff(const struct conf *conf, const struct rules_type *type,
    const struct cfg_period *older, GDateTime *local, char **period)
{
	const struct cfg_period *keep = type != NULL ? &type->retention :
	    &conf->retention;
	GDateTime	*cut = cfg_period_before(keep, local), *o;

	if (older != NULL) {
		o = cfg_period_before(older, local);
		if (g_date_time_compare(o, cut) < 0) {
			g_date_time_unref(cut);
			cut = o;
			keep = older;
		} else
			g_date_time_unref(o);
	}
	*period = cfg_period_format(keep);
	return cut;
}

/* The closed cases of type (as cutoff() says), each with its event. */
static gboolean
purge_type(struct store *st, const struct conf *conf,
    const struct rules *rules, const struct rules_type *type,
    const struct cfg_period *older, GDateTime *local, const char *actor,
    int64_t now, struct purge_report *r, GError **err)
{
	char	*period;
	GDateTime *cut = cutoff(conf, type, older, local, &period);
	GArray	*due = store_purge_due(st, g_date_time_to_unix(cut),
	    type != NULL ? type->name : NULL, err);
	gboolean ok = due != NULL;
	guint	 i;

	for (i = 0; ok && i < due->len; i++) {
		const struct store_due *d = &g_array_index(due,
		    struct store_due, i);
		const struct rules_type *t = rules_type(rules, d->type);

		if (type == NULL && t != NULL && t->has_retention)
			continue;	/* its own pass */
		ok = purge_one(st, d->id, conf->retention_delete, actor, period,
		    now, r, err);
	}
	if (due != NULL)
		g_array_unref(due);
	g_date_time_unref(cut);
	g_free(period);
	return ok;
}

gboolean
purge_run(struct store *st, const struct conf *conf, const struct rules *rules,
    GTimeZone *tz, const struct cfg_period *older, gboolean dry_run,
    const char *actor, int64_t now, struct purge_report *r, GError **err)
{
	GDateTime	*t = g_date_time_new_from_unix_utc(now);
	GDateTime	*local = g_date_time_to_timezone(t, tz);
	char		*period;
	GDateTime	*cut = cutoff(conf, NULL, older, local, &period);
	guint		 i;
	gboolean	 ok;

	memset(r, 0, sizeof(*r));
	r->refs = g_ptr_array_new_with_free_func(g_free);
	r->cutoff = g_date_time_format(cut, "%Y-%m-%d %H:%M");
	r->period = g_strdup(period);
	ok = store_begin(st, err);
	for (i = 0; ok && i < rules->types->len; i++) {
		const struct rules_type *type = g_ptr_array_index(rules->types,
		    i);

		if (type->has_retention)
			ok = purge_type(st, conf, rules, type, older, local,
			    actor, now, r, err);
	}
	ok = ok && purge_type(st, conf, rules, NULL, older, local, actor, now,
	    r, err);
	ok = ok && store_purge_unlinked(st, g_date_time_to_unix(cut),
	    conf->retention_delete, now, &r->erased, err);
	if (ok && (r->refs->len > 0 || r->erased.messages > 0 ||
	    r->erased.letters > 0)) {
		char	*detail = g_strdup_printf("retention %s: %u case(s) and "
		    "%" G_GINT64_FORMAT " message(s) in all, closed or received "
		    "before %s", period, r->refs->len, r->erased.messages,
		    r->cutoff);

		ok = store_event_add(st, 0, now, actor, "purge", detail, err);
		g_free(detail);
	}
	if (ok && !dry_run)
		ok = store_commit(st, err);
	else
		store_rollback(st);
	if (ok && !dry_run)
		remove_files(st, conf, g_get_real_time() / G_USEC_PER_SEC, r);
	g_free(period);
	g_date_time_unref(cut);
	g_date_time_unref(local);
	g_date_time_unref(t);
	return ok;
}

/* A spool file's name is its digest: 64 lowercase hex digits. */
static gboolean
is_digest(const char *name)
{
	size_t	 i;

	for (i = 0; name[i] != '\0'; i++)
		if (!g_ascii_isxdigit(name[i]) || g_ascii_isupper(name[i]))
			return FALSE;
	return i == 64;
}

/*
 * Remove the files of dir/xx/ that no row names.  Only files older than a
 * day: the spool writes a file before the row that names it is committed
 * (spool.h), so a younger one may be about to be named.
 */
static void
sweep(struct store *st, const char *dir, gboolean attachments,
    int64_t now, struct purge_report *r)
{
	GDir		*top, *sub;
	const char	*name, *file;
	GStatBuf	 sb;

	if ((top = g_dir_open(dir, 0, NULL)) == NULL)
		return;
	while ((name = g_dir_read_name(top)) != NULL) {
		char	*subdir = g_build_filename(dir, name, NULL);

		if ((sub = g_dir_open(subdir, 0, NULL)) != NULL) {
			while ((file = g_dir_read_name(sub)) != NULL) {
				char	*path = g_build_filename(subdir, file, NULL);

				if (is_digest(file) && g_stat(path, &sb) == 0 &&
				    sb.st_mtime < now - 86400 &&
				    store_digest_in_use(st, file, attachments,
				    NULL) == 0 && unlink(path) == 0)
					r->files++;
				g_free(path);
			}
			g_dir_close(sub);
		}
		g_free(subdir);
	}
	g_dir_close(top);
}

/*
 * After the commit, so that a failed purge loses nothing.  A sweep rather
 * than this run's digests: a crash between the commit and the removal
 * leaves files that the next run still finds.  now is the real time, as
 * the files' own, whatever the clock of the cases says.
 */
static void
remove_files(struct store *st, const struct conf *conf, int64_t now,
    struct purge_report *r)
{
	char	*raw = g_build_filename(conf->spool, "raw", NULL);
	char	*attachments = spool_attachment_dir(conf->spool);

	sweep(st, raw, FALSE, now, r);
	sweep(st, attachments, TRUE, now, r);
	g_free(raw);
	g_free(attachments);
}

void
purge_report_clear(struct purge_report *r)
{
	if (r->refs != NULL)
		g_ptr_array_unref(r->refs);
	g_free(r->cutoff);
	g_free(r->period);
}
