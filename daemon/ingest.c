/*
 * ingest.c: see ingest.h.
 *
 * Fetch threads only store raw bytes; the parse thread (ingest_parse.c)
 * parses them from the durable row or spool file, and the main thread
 * records the result here.  A parse failure or a limit exceeded
 * quarantines the row with its reason: the raw message stays in the
 * spool and recoursctl can show and reprocess it.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

#include "ack.h"
#include "autoreply.h"
#include "case.h"
#include "channel.h"
#include "clock.h"
#include "digest.h"
#include "imap.h"
#include "ingest.h"
#include "ingest_int.h"
#include "log.h"
#include "msg.h"
#include "letter.h"
#include "notify.h"
#include "spool.h"
#include "staff.h"
#include "store.h"
#include "timer.h"
#include "undelivered.h"

struct ingest {
	const struct setup	*setup;
	const struct conf	*conf;		/* setup->conf */
	struct store		*store;		/* main thread's, borrowed */
	ingest_queued_fn	*queued;
	void			*queued_data;
	GPtrArray		*fetchers;
	struct ingest_parser	*parser;
	gint			 wake_queued;	/* atomic */
};

static void	 on_stored(void *);
static gboolean	 process_cb(gpointer);
static gboolean	 start_fetchers(struct ingest *, GError **);
static void	 stop_fetchers(struct ingest *);
static char	*join_ids(GPtrArray *);
static gint64	 file_size(const char *);
static gboolean	 spool_file(const char *, const char *, char *, int64_t *,
		    GError **);
static gboolean	 spool_fd(const char *, int, const char *, char *, int64_t *,
		    GError **);
static gboolean	 record_parsed(struct store *, int64_t, const struct msg *,
		    int64_t *, GError **);
static gboolean	 apply(struct store *, const struct setup *,
		    const struct ingest_prepared *, int64_t, GError **);
static gboolean	 is_still_new(struct store *, int64_t, gboolean *, GError **);
static gboolean	 apply_alone(struct store *, const struct setup *,
		    const struct ingest_prepared *, int64_t, GError **);
static gboolean	 route(struct store *, const struct setup *,
		    const struct ingest_prepared *, int64_t, int64_t,
		    GError **);
static gboolean	 route_bounce(struct store *, const struct setup *,
		    const struct ingest_prepared *, int64_t, int64_t,
		    gboolean *, GError **);
static gboolean	 route_case(struct store *, const struct setup *,
		    const struct ingest_prepared *, int64_t, int64_t,
		    GError **);
static void	 log_route(const struct ingest_prepared *,
		    const struct case_decision *, gboolean);
static int	 process_pending(struct ingest *, GError **);
static gboolean	 submit_next(struct ingest *, int64_t *, GError **);
static gboolean	 record_batch(struct ingest *, struct ingest_batch *,
		    GError **);

struct ingest *
ingest_start(const struct setup *setup, struct store *st,
    ingest_queued_fn *queued, void *data, GError **err)
{
	struct ingest	*in;

	in = g_new0(struct ingest, 1);
	in->queued = queued;
	in->queued_data = data;
	in->setup = setup;
	in->conf = setup->conf;
	in->store = st;
	in->fetchers = g_ptr_array_new();
	if ((in->parser = ingest_parser_start(in->conf->database, err)) == NULL)
		goto fail;
	/*
	 * Rows stored before a crash or a stop are processed first.  A
	 * store error leaves them for later: it never stops the start.
	 */
	ingest_retry(in);
	if (!start_fetchers(in, err))
		goto fail;
	in->queued(in->queued_data);
	return in;
fail:
	ingest_stop(in);
	return NULL;
}

static gboolean
start_fetchers(struct ingest *in, GError **err)
{
	guint	 i;

	for (i = 0; i < in->conf->mailboxes->len; i++) {
		struct imap_fetcher *f;

		f = imap_fetcher_start(in->conf,
		    g_ptr_array_index(in->conf->mailboxes, i), on_stored, in,
		    err);
		if (f == NULL)
			return FALSE;
		g_ptr_array_add(in->fetchers, f);
	}
	return TRUE;
}

static void
stop_fetchers(struct ingest *in)
{
	guint	 i;

	for (i = 0; i < in->fetchers->len; i++)
		imap_fetcher_stop(g_ptr_array_index(in->fetchers, i));
	g_ptr_array_set_size(in->fetchers, 0);
}

/* The mailboxes may have changed: restart every fetcher on the new one. */
gboolean
ingest_reload(struct ingest *in, const struct setup *setup)
{
	GError	*err = NULL;

	stop_fetchers(in);
	in->setup = setup;
	in->conf = setup->conf;
	if (!start_fetchers(in, &err)) {
		log_warnx("reload: %s", err->message);
		g_error_free(err);
		stop_fetchers(in);
		return FALSE;
	}
	return TRUE;
}

gboolean
ingest_mailbox_status(struct ingest *in, guint i, const char **name,
    struct imap_status *st)
{
	const struct conf_mailbox *mb;

	if (i >= in->fetchers->len)
		return FALSE;
	mb = g_ptr_array_index(in->conf->mailboxes, i);
	*name = mb->name;
	imap_fetcher_status(g_ptr_array_index(in->fetchers, i), st);
	return TRUE;
}

void
ingest_stop(struct ingest *in)
{
	if (in == NULL)
		return;
	stop_fetchers(in);
	g_ptr_array_free(in->fetchers, TRUE);
	ingest_parser_stop(in->parser);
	g_free(in);
}

/* On a fetch thread: ask the main loop to process, once per burst. */
static void
on_stored(void *data)
{
	struct ingest	*in = data;

	if (g_atomic_int_compare_and_exchange(&in->wake_queued, 0, 1))
		g_idle_add(process_cb, in);
}

static gboolean
process_cb(gpointer data)
{
	struct ingest	*in = data;

	g_atomic_int_set(&in->wake_queued, 0);
	ingest_retry(in);
	in->queued(in->queued_data);	/* acknowledgements, at once */
	return G_SOURCE_REMOVE;
}

int
ingest_retry(struct ingest *in)
{
	GError	*err = NULL;
	int	 n;

	if ((n = process_pending(in, &err)) < 0) {
		log_warnx("ingest: %s; the messages wait for the next try",
		    err->message);
		g_error_free(err);
		return 0;
	}
	return n;
}

/*
 * Record what ingest_prepare() found, inside the caller's transaction.  FALSE
 * only on a store error: a message that does not parse is quarantined,
 * which is success.
 */
static gboolean
apply(struct store *st, const struct setup *s, const struct ingest_prepared *p,
    int64_t now, GError **err)
{
	int64_t	 row;
	gboolean still_new;

	if (p->skip || p->mailbox == NULL)
		return TRUE;
	/*
	 * Parsed without the lock: the daemon and recoursctl reprocess may
	 * both have prepared the row.  Under the write lock, the first one
	 * applies it and the other finds it no longer new.
	 */
	if (!is_still_new(st, p->id, &still_new, err))
		return FALSE;
	if (!still_new)
		return TRUE;
	if (p->reason != NULL) {
		if (!store_inbound_set_state(st, p->id, "quarantined", p->reason,
		    now, err))
			return FALSE;
		log_warnx("ingest: %s: inbound %" G_GINT64_FORMAT
		    " quarantined: %s", p->mailbox, p->id, p->reason);
		return TRUE;
	}
	if (!record_parsed(st, p->id, p->m, &row, err) ||
	    !route(st, s, p, row, now, err) ||
	    !store_inbound_set_state(st, p->id, "processed", NULL, now, err))
		return FALSE;
	return TRUE;
}

/*
 * A bounce of a message we sent joins that case: an event, and staff are
 * told the complainant did not receive it.  A bounce never opens a case
 * and is never answered.  TRUE with *handled when m was a bounce.
 */
static gboolean
route_bounce(struct store *st, const struct setup *s,
    const struct ingest_prepared *p, int64_t row, int64_t now,
    gboolean *handled, GError **err)
{
	struct store_outbox o;
	struct store_case c;
	GPtrArray	*ids;
	char		*why;
	gboolean	 ok = TRUE, queued;
	guint		 i;

	if (!(*handled = autoreply_is_bounce(p->m)))
		return TRUE;
	ids = autoreply_our_ids(p->m, s->conf->org_domain);
	for (i = 0; ok && i < ids->len; i++) {
		if (!store_outbox_by_message_id(st, g_ptr_array_index(ids, i),
		    &o, err) || o.case_id == 0 ||
		    !store_case_by_id(st, o.case_id, &c, err)) {
			g_free((char *)o.rcpt);
			g_free((char *)o.kind);
			continue;
		}
		why = g_strdup_printf("bounced (report from %s)",
		    p->m->from.addr != NULL ? p->m->from.addr : "?");
		ok = store_message_set_case(st, row, c.id, err) &&
		    undelivered_record(st, s, &c, o.kind, o.rcpt, why, now,
		    &queued, err);
		g_free(why);
		g_free((char *)o.rcpt);
		g_free((char *)o.kind);
		store_case_clear(&c);
	}
	if (ids->len == 0)
		log_info("ingest: %s: inbound %" G_GINT64_FORMAT ": a bounce of "
		    "nothing we sent: kept, no case", p->mailbox, p->id);
	g_ptr_array_unref(ids);
	return ok;
}

/*
 * The message's case: opened, joined, or the same message again; none
 * for automatic mail that threads to no case.  A bounce is automatic
 * mail too.
 */
static gboolean
route(struct store *st, const struct setup *s, const struct ingest_prepared *p,
    int64_t row, int64_t now, GError **err)
{
	gboolean	 bounce;

	if (!route_bounce(st, s, p, row, now, &bounce, err))
		return FALSE;
	if (bounce)
		return store_message_set_automatic(st, row,
		    autoreply_automatic(p->m), err);
	return route_case(st, s, p, row, now, err);
}

static gboolean
route_case(struct store *st, const struct setup *s,
    const struct ingest_prepared *p, int64_t row, int64_t now, GError **err)
{
	const struct conf_mailbox *mb = conf_mailbox(s->conf, p->mailbox);
	struct case_decision d;
	gboolean	 ok, queued = FALSE;

	gboolean	 staff = FALSE, notified = FALSE, opened;

	/* Staff opening a case for a call or a letter (#ouvrir). */
	if (!channel_open(st, s, p->m, p->id, row, p->mailbox, now, &opened,
	    err))
		return FALSE;
	if (opened)
		return TRUE;
	ok = case_decide(st, s, p->m, mb != NULL ? mb->role : NULL, now, &d,
	    err);
	d.lang = letter_language(s, p->m);
	ok = ok && case_apply(st, &d, p->m, row, p->mailbox, now, err) &&
	    staff_reply(st, s, &d, p->m, now, &staff, err) &&
	    (staff || ack_queue(st, s, &d, p->m, now, &queued, err)) &&
	    staff_notify(st, s, &d, p->m, now, &notified, err) &&
	    (d.action != CASE_OPEN ||
	    timer_schedule(st, s, d.existing.id, d.type, now, err)) &&
	    (!d.completes || timer_restart(st, s, d.existing.id, d.type, now,
	    err));
	if (ok)
		log_route(p, &d, queued);
	case_decision_clear(&d);
	return ok;
}

/* What route_case() did, with why a message leaves its case as it is. */
static void
log_route(const struct ingest_prepared *p, const struct case_decision *d,
    gboolean queued)
{
	if (d->action == CASE_NONE) {
		log_info("ingest: %s: inbound %" G_GINT64_FORMAT ": automatic "
		    "mail (%s) from %s: kept, no case", p->mailbox, p->id,
		    d->automatic, p->m->from.addr != NULL ? p->m->from.addr :
		    "?");
		return;
	}
	log_info("ingest: %s: inbound %" G_GINT64_FORMAT ": %s %s%s%s%s%s%s%s",
	    p->mailbox, p->id, d->action == CASE_OPEN ? "opened" :
	    d->action == CASE_JOIN ? "joins" : "already in",
	    d->existing.ref, d->missing != NULL && d->missing->len > 0 ?
	    " (incomplete)" : "", d->out_of_time ? " (out of time)" : "",
	    queued ? ", acknowledgement queued" : "",
	    d->automatic != NULL ? ", automatic mail: " : "",
	    d->automatic != NULL ? d->automatic : "",
	    d->automatic == NULL && d->sender == CASE_BY_THIRD_PARTY ?
	    ", from a third party: the case does not move" : "");
}

static gboolean
is_still_new(struct store *st, int64_t id, gboolean *still_new, GError **err)
{
	struct store_inbound_row r;

	*still_new = FALSE;
	if (!store_inbound_get(st, id, &r, err))
		return err == NULL || *err == NULL;
	*still_new = strcmp(r.state, "new") == 0;
	store_inbound_row_clear(&r);
	return TRUE;
}

/*
 * Apply p in a savepoint of the caller's transaction.  When that fails
 * for the message's own sake, only its work is undone and the row is set
 * aside ('failed', with the error as its reason): one message, one fate.
 * FALSE only when the store itself fails (disk, lock), with nothing of p
 * kept.
 */
static gboolean
apply_alone(struct store *st, const struct setup *s,
    const struct ingest_prepared *p, int64_t now, GError **err)
{
	GError	*e = NULL;

	if (!store_savepoint(st, err))
		return FALSE;
	if (apply(st, s, p, now, &e))
		return store_release(st, TRUE, err);
	if (e == NULL)
		g_set_error(&e, STORE_ERROR, STORE_ERROR_SQL,
		    "processing failed without a reason");
	if (store_error_transient(e)) {
		g_propagate_error(err, e);
		return FALSE;
	}
	log_warnx("ingest: %s: inbound %" G_GINT64_FORMAT " set aside: %s",
	    p->mailbox, p->id, e->message);
	if (!store_release(st, FALSE, err) ||
	    !store_inbound_set_state(st, p->id, "failed", e->message, now,
	    err)) {
		g_error_free(e);
		return FALSE;
	}
	g_error_free(e);
	return TRUE;
}

/*
 * A batch: at most BATCH rows, and BATCH_BYTES of messages past the
 * first.  AHEAD batches are handed to the parse thread ahead of the one
 * being recorded, so that a slow message does not leave either thread
 * idle; the batches in flight stay small in memory.
 */
#define BATCH		64
#define BATCH_BYTES	(8 << 20)
#define AHEAD		2

/*
 * Every 'new' row, in a pipeline of batches: the parse thread reads and
 * parses the next batches while this thread records one in a single
 * transaction, each message on its own (apply_alone()) while the commit
 * and its fsync are shared.  A store error leaves the rest 'new' for the
 * next call.  Nothing is in flight on return.
 */
static int
process_pending(struct ingest *in, GError **err)
{
	struct ingest_batch *b;
	GError		*e = NULL;
	int64_t		 after = 0;
	guint		 inflight = 0;
	int		 n = 0;
	gboolean	 ok = TRUE, more = TRUE;

	for (;;) {
		/* The rows in flight are still 'new', but none above after. */
		while (ok && more && inflight <= AHEAD)
			if ((more = submit_next(in, &after, &e)))
				inflight++;
		if (inflight == 0)
			break;
		b = ingest_parser_wait(in->parser);
		inflight--;
		if (ok && (ok = record_batch(in, b, err)))
			n += (int)b->ids->len;
		ingest_parser_release(in->parser, b);
	}
	if (ok && e != NULL) {
		g_propagate_error(err, e);
		return -1;
	}
	g_clear_error(&e);
	return ok ? n : -1;
}

/* The next batch above *after, handed to the parse thread; FALSE: none. */
static gboolean
submit_next(struct ingest *in, int64_t *after, GError **err)
{
	GArray	*ids;

	if ((ids = store_inbound_new_after(in->store, *after, BATCH,
	    BATCH_BYTES, err)) == NULL)
		return FALSE;
	if (ids->len == 0) {
		g_array_unref(ids);
		return FALSE;
	}
	*after = g_array_index(ids, int64_t, ids->len - 1);
	ingest_parser_submit(in->parser, in->conf, ids);
	return TRUE;
}

/* One transaction for the batch, one savepoint for each message in it. */
static gboolean
record_batch(struct ingest *in, struct ingest_batch *b, GError **err)
{
	guint	 i;
	gboolean ok;

	if (b->error != NULL) {
		g_propagate_error(err, b->error);
		b->error = NULL;
		return FALSE;
	}
	ok = store_begin(in->store, err);
	for (i = 0; ok && i < b->ids->len; i++)
		ok = apply_alone(in->store, in->setup, &b->p[i], clock_now(),
		    err);
	if (ok)
		return store_commit(in->store, err);
	store_rollback(in->store);
	return FALSE;
}

gboolean
ingest_process_one(struct store *st, const struct setup *s, int64_t id,
    GError **err)
{
	struct ingest_prepared	 p;
	gboolean	 ok;

	ok = ingest_prepare(st, s->conf, id, &p, err) && store_begin(st, err);
	if (ok && !apply_alone(st, s, &p, clock_now(), err)) {
		store_rollback(st);
		ok = FALSE;
	} else if (ok)
		ok = store_commit(st, err);
	ingest_prepared_clear(&p);
	return ok;
}

/* Message-IDs separated by spaces, as References has them; caller frees. */
static char *
join_ids(GPtrArray *ids)
{
	GString	*s = g_string_new(NULL);
	guint	 i;

	for (i = 0; i < ids->len; i++)
		g_string_append_printf(s, "%s%s", i > 0 ? " " : "",
		    (const char *)g_ptr_array_index(ids, i));
	return g_string_free(s, FALSE);
}

/* The message row and its attachments; inside the caller's transaction. */
static gboolean
record_parsed(struct store *st, int64_t inbound_id, const struct msg *m,
    int64_t *id, GError **err)
{
	struct store_message sm;
	char	*to, *cc, *refs, *reply_to = NULL;
	guint	 i;
	gboolean ok;

	to = msg_addresses_string(m->to);
	cc = msg_addresses_string(m->cc);
	refs = join_ids(m->references);
	if (m->reply_to.addr != NULL)
		reply_to = m->reply_to.name != NULL && *m->reply_to.name != '\0' ?
		    g_strdup_printf("%s <%s>", m->reply_to.name, m->reply_to.addr) :
		    g_strdup(m->reply_to.addr);
	memset(&sm, 0, sizeof(sm));
	sm.inbound_id = inbound_id;
	sm.direction = "in";
	sm.message_id = m->message_id;
	sm.in_reply_to = m->in_reply_to;
	sm.references = refs;
	sm.subject = m->subject;
	sm.from_name = m->from.name;
	sm.from_addr = m->from.addr;
	sm.reply_to = reply_to;
	sm.to_addrs = to;
	sm.cc_addrs = cc;
	sm.date = m->date;
	sm.body = m->body;
	sm.flags = m->tnef_problem;
	ok = store_message_add(st, &sm, id, err);
	for (i = 0; ok && i < m->attachments->len; i++) {
		const struct msg_attachment *a = g_ptr_array_index(m->attachments, i);

		ok = store_attachment_add(st, *id, a->filename, a->content_type,
		    a->size, a->sha256, err);
	}
	g_free(to);
	g_free(cc);
	g_free(refs);
	g_free(reply_to);
	return ok;
}

/*
 * Small files go into the row, like fetched messages; a big one is
 * streamed to the spool first.
 */
gboolean
ingest_inject(struct store *st, const struct setup *s, const char *mailbox,
    const char *file, int64_t *id, GError **err)
{
	const struct conf *conf = s->conf;
	struct store_inbound in;
	enum store_added added;
	char	*data = NULL;
	char	 sha[65];
	gsize	 len = 0;

	memset(&in, 0, sizeof(in));
	if (!spool_init(conf->spool, err))
		return FALSE;
	if (strcmp(file, "-") == 0) {
		/* From an MTA's pipe: of unknown size, streamed. */
		if (!spool_fd(conf->spool, STDIN_FILENO, "stdin", sha, &in.size,
		    err))
			return FALSE;
	} else if (!g_file_test(file, G_FILE_TEST_IS_REGULAR)) {
		g_set_error(err, G_FILE_ERROR, G_FILE_ERROR_NOENT,
		    "%s: not a regular file", file);
		return FALSE;
	} else if (file_size(file) < conf->limits.stream_threshold) {
		if (!g_file_get_contents(file, &data, &len, err))
			return FALSE;
		digest_data(data, len, sha);
		in.raw = data;
		in.size = (int64_t)len;
	} else if (!spool_file(conf->spool, file, sha, &in.size, err))
		return FALSE;
	in.mailbox = mailbox;
	in.sha256 = sha;
	in.source = "inject";
	in.now = clock_now();
	if (!store_begin(st, err) ||
	    !store_inbound_add(st, &in, &added, id, err)) {
		store_rollback(st);
		g_free(data);
		return FALSE;
	}
	g_free(data);
	return store_commit(st, err);
}

static gint64
file_size(const char *path)
{
	GStatBuf	 sb;

	return g_stat(path, &sb) == 0 ? (gint64)sb.st_size : 0;
}

/* Copy a big file into the spool, durably, under its digest. */
static gboolean
spool_file(const char *spool, const char *file, char *sha, int64_t *size,
    GError **err)
{
	gboolean ok;
	int	 fd;

	if ((fd = open(file, O_RDONLY | O_CLOEXEC)) == -1) {
		g_set_error(err, G_FILE_ERROR, g_file_error_from_errno(errno),
		    "%s: %s", file, g_strerror(errno));
		return FALSE;
	}
	ok = spool_fd(spool, fd, file, sha, size, err);
	close(fd);
	return ok;
}

/* What fd holds, to its end, into the spool; name for errors. */
static gboolean
spool_fd(const char *spool, int fd, const char *name, char *sha,
    int64_t *size, GError **err)
{
	struct spool_writer *w;
	char	 buf[65536];
	ssize_t	 n;

	if ((w = spool_writer_new(spool, err)) == NULL)
		return FALSE;
	while ((n = read(fd, buf, sizeof(buf))) > 0 || (n == -1 &&
	    errno == EINTR))
		if (n > 0 && !spool_writer_write(w, buf, (size_t)n, err))
			break;
	if (n != 0) {
		if (n < 0)
			g_set_error(err, G_FILE_ERROR,
			    g_file_error_from_errno(errno), "%s: %s", name,
			    g_strerror(errno));
		spool_writer_abort(w);
		return FALSE;
	}
	return spool_writer_commit(w, sha, size, err);
}
