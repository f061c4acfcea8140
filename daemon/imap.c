/*
 * imap.c: see imap.h.  libetpan idioms and traps: shared/research/
 * idioms.md §2.  One session per thread; timeouts on every network wait
 * (mailimap_set_timeout before connect); certificates verified by tls.c
 * before LOGIN, on implicit TLS and after STARTTLS; big bodies streamed to
 * the spool through the body handler, one UID per command, because
 * without a handler libetpan holds the whole literal in memory.
 */
#include "config.h"

#include <libetpan/libetpan.h>
#include <stdbool.h>
#include <string.h>
#include <time.h>

#include "clock.h"
#include "digest.h"
#include "imap.h"
#include "log.h"
#include "spool.h"
#include "store.h"
#include "tls.h"

struct imap_fetcher {
	const struct conf		*conf;
	const struct conf_mailbox	*mb;
	imap_stored_fn			*stored;
	void				*data;
	GThread				*thread;
	GMutex				 lock;
	GCond				 cond;
	gboolean			 stop;		/* under lock */
	mailstream			*idling;	/* under lock */
	struct tls_trust		*trust;
	struct store			*store;
	mailimap			*imap;
	uint32_t			 uidvalidity;
	uint32_t			 last_uid;
	int64_t				 failing_since;
	struct imap_status		 status;	/* under lock */
};

/* A UID waiting to be fetched, with its size from RFC822.SIZE. */
struct pending {		/* uid first: uid_cmp() */
	uint32_t	 uid;
	uint32_t	 size;
};

/* One fetched message on its way to the store. */
struct fetched {		/* uid first: uid_cmp() */
	uint32_t	 uid;
	const char	*raw;		/* NULL: streamed to the spool */
	int64_t		 size;
	char		 sha256[65];
};

/* Where the streaming body handler writes. */
struct stream_ctx {
	struct spool_writer	*writer;
	gboolean		 called;
	gboolean		 failed;
};

static gpointer	 fetcher_main(gpointer);
static int	 session(struct imap_fetcher *);
static int	 connect_verified(struct imap_fetcher *);
static int	 starttls(struct imap_fetcher *);
static int	 select_folder(struct imap_fetcher *);
static int	 sync_new(struct imap_fetcher *);
static GArray	*list_new(struct imap_fetcher *, int *);
static guint	 window(const struct imap_fetcher *, const GArray *, guint);
static gboolean	 is_big(const struct imap_fetcher *, const struct pending *);
static gboolean	 fetch_small(struct imap_fetcher *, const struct pending *,
		    guint, clist **, GArray *);
static struct fetched *find_small(GArray *, uint32_t, guint *);
static int	 fetch_window(struct imap_fetcher *, const struct pending *,
		    guint);
static int	 fetch_streamed(struct imap_fetcher *, uint32_t,
		    struct fetched *);
static bool	 body_handler(int, struct mailimap_msg_att_body_section *,
		    const char *, size_t, void *);
static gboolean	 record(struct imap_fetcher *, const struct fetched *,
		    guint);
static void	 after_stored(struct imap_fetcher *, const uint32_t *, guint);
static void	 reconcile_after(struct imap_fetcher *);
static void	 apply_after(struct imap_fetcher *, struct mailimap_set *);
static int	 add_flag(struct imap_fetcher *, struct mailimap_set *,
		    struct mailimap_flag *);
static int	 purge_copies(struct imap_fetcher *);
static gboolean	 delete_by_message_id(struct imap_fetcher *, GPtrArray *);
static int	 wait_for_news(struct imap_fetcher *);
static gboolean	 sleep_unless_stopped(struct imap_fetcher *, gint64);
static gboolean	 stopping(struct imap_fetcher *);
static void	 health(struct imap_fetcher *, const char *);
static void	 set_connected(struct imap_fetcher *, gboolean);
static void	 msg_att_get(struct mailimap_msg_att *, uint32_t *,
		    const char **, size_t *, uint32_t *);
static const char *server_said(mailimap *, int);
static int	 uid_cmp(gconstpointer, gconstpointer);
static struct mailimap_fetch_type *body_fetch_type(void);

struct imap_fetcher *
imap_fetcher_start(const struct conf *conf, const struct conf_mailbox *mb,
    imap_stored_fn *stored, void *data, GError **err)
{
	struct imap_fetcher *f;

	f = g_new0(struct imap_fetcher, 1);
	f->conf = conf;
	f->mb = mb;
	f->stored = stored;
	f->data = data;
	g_mutex_init(&f->lock);
	g_cond_init(&f->cond);
	if (mb->security != CONF_SEC_NONE &&
	    (f->trust = tls_trust_new(mb->ca_file, err)) == NULL)
		goto fail;
	if ((f->store = store_open(conf->database, 0, err)) == NULL)
		goto fail;
	f->thread = g_thread_new(mb->name, fetcher_main, f);
	return f;
fail:
	g_prefix_error(err, "mailbox %s: ", mb->name);
	imap_fetcher_stop(f);
	return NULL;
}

void
imap_fetcher_stop(struct imap_fetcher *f)
{
	if (f == NULL)
		return;
	g_mutex_lock(&f->lock);
	f->stop = TRUE;
	if (f->idling != NULL)
		mailstream_interrupt_idle(f->idling);
	g_cond_signal(&f->cond);
	g_mutex_unlock(&f->lock);
	if (f->thread != NULL)
		g_thread_join(f->thread);
	store_close(f->store);
	tls_trust_free(f->trust);
	g_free(f->status.last_error);
	g_mutex_clear(&f->lock);
	g_cond_clear(&f->cond);
	g_free(f);
}

void
imap_fetcher_status(struct imap_fetcher *f, struct imap_status *st)
{
	g_mutex_lock(&f->lock);
	*st = f->status;
	st->last_error = g_strdup(f->status.last_error);
	g_mutex_unlock(&f->lock);
}

/* Connected (and how it waits for news), or not. */
static void
set_connected(struct imap_fetcher *f, gboolean up)
{
	g_mutex_lock(&f->lock);
	f->status.connected = up;
	f->status.idle = up && mailimap_has_idle(f->imap);
	g_mutex_unlock(&f->lock);
}

static gboolean
stopping(struct imap_fetcher *f)
{
	gboolean	 s;

	g_mutex_lock(&f->lock);
	s = f->stop;
	g_mutex_unlock(&f->lock);
	return s;
}

/* Wait usec unless asked to stop; TRUE if it is time to stop. */
static gboolean
sleep_unless_stopped(struct imap_fetcher *f, gint64 usec)
{
	gint64		 until = g_get_monotonic_time() + usec;
	gboolean	 s;

	g_mutex_lock(&f->lock);
	while (!f->stop && g_cond_wait_until(&f->cond, &f->lock, until))
		;
	s = f->stop;
	g_mutex_unlock(&f->lock);
	return s;
}

/* Reconnect forever, with exponential backoff and jitter, until stopped. */
static gpointer
fetcher_main(gpointer arg)
{
	struct imap_fetcher *f = arg;
	struct store_mailbox st;
	unsigned int	 attempt = 0;
	gint64		 delay;

	if (store_mailbox_get(f->store, f->mb->name, &st, NULL))
		f->failing_since = st.failing_since;
	while (!stopping(f)) {
		if (session(f) == 0)
			attempt = 0;	/* a clean end: stop was asked */
		if (stopping(f))
			break;
		delay = MIN((gint64)f->conf->imap.backoff_max,
		    (gint64)1 << MIN(attempt, 20u)) * G_USEC_PER_SEC;
		delay = delay / 2 + g_random_int_range(0, (gint32)(delay / 2 + 1));
		attempt++;
		log_debug("imap: %s: reconnecting in %.1f s", f->mb->name,
		    (double)delay / G_USEC_PER_SEC);
		sleep_unless_stopped(f, delay);
	}
	return NULL;
}

/* The server's words for the last failure, for the log. */
static const char *
server_said(mailimap *imap, int rc)
{
	if (imap != NULL && imap->imap_response != NULL &&
	    *imap->imap_response != '\0')
		return imap->imap_response;
	switch (rc) {
	case MAILIMAP_ERROR_STREAM:
		return "connection lost or timed out";
	case MAILIMAP_ERROR_CONNECTION_REFUSED:
		return "connection refused";
	case MAILIMAP_ERROR_LOGIN:
		return "login refused";
	case MAILIMAP_ERROR_PARSE:
		return "unparsable server response";
	default:
		return "IMAP error";
	}
}

/* One connection's life; 0 when stopped cleanly, -1 on failure. */
static int
session(struct imap_fetcher *f)
{
	int	 rc = -1;

	f->imap = mailimap_new(0, NULL);
	mailimap_set_timeout(f->imap, f->conf->imap.timeout);
	if (connect_verified(f) == -1 || select_folder(f) == -1)
		goto out;
	health(f, NULL);
	set_connected(f, TRUE);
	reconcile_after(f);
	mailstream_setup_idle(f->imap->imap_stream);
	while (!stopping(f)) {
		if (sync_new(f) == -1 || purge_copies(f) == -1 ||
		    wait_for_news(f) == -1)
			goto out;
	}
	rc = 0;
	mailimap_logout(f->imap);
out:
	set_connected(f, FALSE);
	if (f->imap->imap_stream != NULL)
		mailstream_unsetup_idle(f->imap->imap_stream);
	mailimap_free(f->imap);
	f->imap = NULL;
	return rc;
}

/* Connect, verify the certificate, then log in; nothing secret before. */
static int
connect_verified(struct imap_fetcher *f)
{
	const struct conf_mailbox *mb = f->mb;
	GError	*err = NULL;
	int	 rc;

	if (mb->security == CONF_SEC_IMAPS)
		rc = mailimap_ssl_connect_with_callback(f->imap, mb->host,
		    (uint16_t)mb->port, tls_sni_callback, mb->host);
	else
		rc = mailimap_socket_connect(f->imap, mb->host,
		    (uint16_t)mb->port);
	if (rc != MAILIMAP_NO_ERROR_NON_AUTHENTICATED &&
	    rc != MAILIMAP_NO_ERROR_AUTHENTICATED && rc != MAILIMAP_NO_ERROR) {
		health(f, server_said(NULL, rc));
		return -1;
	}
	if (mb->security == CONF_SEC_STARTTLS && starttls(f) == -1)
		return -1;
	if (mb->security != CONF_SEC_NONE &&
	    !tls_verify_stream(f->trust, f->imap->imap_stream, mb->host, &err)) {
		health(f, err->message);
		g_error_free(err);
		return -1;
	}
	rc = mailimap_login(f->imap, mb->user, mb->password);
	if (rc != MAILIMAP_NO_ERROR) {
		health(f, server_said(f->imap, rc));
		return -1;
	}
	return 0;
}

/*
 * STARTTLS is required when configured: a server that does not offer it
 * is an error, never a plaintext fallback.  CAPABILITY is read again
 * afterwards, since libetpan keeps the pre-TLS list.
 */
static int
starttls(struct imap_fetcher *f)
{
	struct mailimap_capability_data *cap = NULL;
	int	 rc;

	if (mailimap_capability(f->imap, &cap) == MAILIMAP_NO_ERROR)
		mailimap_capability_data_free(cap);
	if (!mailimap_has_extension(f->imap, "STARTTLS")) {
		health(f, "the server does not offer STARTTLS");
		return -1;
	}
	rc = mailimap_socket_starttls_with_callback(f->imap, tls_sni_callback,
	    (void *)f->mb->host);
	if (rc != MAILIMAP_NO_ERROR) {
		health(f, server_said(f->imap, rc));
		return -1;
	}
	cap = NULL;
	if (mailimap_capability(f->imap, &cap) == MAILIMAP_NO_ERROR)
		mailimap_capability_data_free(cap);
	return 0;
}

/* SELECT; a changed UIDVALIDITY voids the UIDs we stored. */
static int
select_folder(struct imap_fetcher *f)
{
	struct store_mailbox st;
	GError	*err = NULL;
	uint32_t uv;
	int	 rc;

	rc = mailimap_select(f->imap, f->mb->folder);
	if (rc != MAILIMAP_NO_ERROR) {
		health(f, server_said(f->imap, rc));
		return -1;
	}
	uv = f->imap->imap_selection_info->sel_uidvalidity;
	if (!store_mailbox_get(f->store, f->mb->name, &st, &err))
		goto fail;
	if (st.uidvalidity != uv) {
		if (st.uidvalidity != 0)
			log_warnx("imap: %s: UIDVALIDITY changed from %u to %u: "
			    "re-reading the folder; messages already stored "
			    "are recognised by their digest", f->mb->name,
			    st.uidvalidity, uv);
		if (!store_mailbox_reset(f->store, f->mb->name, uv, &err))
			goto fail;
		st.last_uid = 0;
	}
	f->uidvalidity = uv;
	f->last_uid = st.last_uid;
	return 0;
fail:
	log_warnx("imap: %s: %s", f->mb->name, err->message);
	g_error_free(err);
	return -1;
}

static void
msg_att_get(struct mailimap_msg_att *att, uint32_t *uid, const char **body,
    size_t *len, uint32_t *size)
{
	clistiter	*it;

	for (it = clist_begin(att->att_list); it != NULL; it = clist_next(it)) {
		struct mailimap_msg_att_item *item = clist_content(it);
		struct mailimap_msg_att_static *s;

		if (item->att_type != MAILIMAP_MSG_ATT_ITEM_STATIC)
			continue;
		s = item->att_data.att_static;
		if (s->att_type == MAILIMAP_MSG_ATT_UID)
			*uid = s->att_data.att_uid;
		else if (s->att_type == MAILIMAP_MSG_ATT_RFC822_SIZE && size)
			*size = s->att_data.att_rfc822_size;
		else if (s->att_type == MAILIMAP_MSG_ATT_BODY_SECTION && body &&
		    s->att_data.att_body_section != NULL) {
			*body = s->att_data.att_body_section->sec_body_part;
			*len = s->att_data.att_body_section->sec_length;
		}
	}
}

/* struct pending and struct fetched both begin with their UID. */
static int
uid_cmp(gconstpointer a, gconstpointer b)
{
	uint32_t	 x = *(const uint32_t *)a;
	uint32_t	 y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

/*
 * UIDs above last_uid with their sizes.  "n:*" always returns the last
 * message even when its UID is below n (RFC 3501 §6.4.8): filtered out.
 */
static GArray *
list_new(struct imap_fetcher *f, int *rc_out)
{
	struct mailimap_fetch_type *ft;
	struct mailimap_set *set;
	clist		*result = NULL;
	clistiter	*it;
	GArray		*pending;
	int		 rc;

	set = mailimap_set_new_interval(f->last_uid + 1, 0);
	ft = mailimap_fetch_type_new_fetch_att_list_empty();
	mailimap_fetch_type_new_fetch_att_list_add(ft,
	    mailimap_fetch_att_new_uid());
	mailimap_fetch_type_new_fetch_att_list_add(ft,
	    mailimap_fetch_att_new_rfc822_size());
	rc = mailimap_uid_fetch(f->imap, set, ft, &result);
	mailimap_fetch_type_free(ft);
	mailimap_set_free(set);
	*rc_out = rc;
	if (rc != MAILIMAP_NO_ERROR)
		return NULL;
	pending = g_array_new(FALSE, FALSE, sizeof(struct pending));
	for (it = clist_begin(result); it != NULL; it = clist_next(it)) {
		struct pending p = { 0, 0 };

		msg_att_get(clist_content(it), &p.uid, NULL, NULL, &p.size);
		if (p.uid > f->last_uid)
			g_array_append_val(pending, p);
	}
	mailimap_fetch_list_free(result);
	g_array_sort(pending, uid_cmp);
	return pending;
}

/*
 * Fetch and store everything new, a window at a time: each window's rows
 * are committed together, one fsync for all of them.
 */
static int
sync_new(struct imap_fetcher *f)
{
	GArray	*pending;
	guint	 i, n;
	int	 rc = 0;

	if ((pending = list_new(f, &rc)) == NULL) {
		health(f, server_said(f->imap, rc));
		return -1;
	}
	for (i = 0; rc == 0 && i < pending->len && !stopping(f); i += n) {
		n = window(f, pending, i);
		rc = fetch_window(f, &g_array_index(pending, struct pending, i),
		    n);
	}
	g_array_free(pending, TRUE);
	if (rc == 0) {
		g_mutex_lock(&f->lock);
		f->status.last_fetch = clock_now();
		g_mutex_unlock(&f->lock);
	}
	return rc;
}

/*
 * How many messages from start make the next window: at most fetch_batch,
 * and at most WINDOW_BYTES of small ones, which are held in memory until
 * their commit (a big one goes to the spool, memory stays flat).
 */
#define WINDOW_BYTES	(8 << 20)

static gboolean
is_big(const struct imap_fetcher *f, const struct pending *p)
{
	return p->size >= f->conf->limits.stream_threshold;
}

static guint
window(const struct imap_fetcher *f, const GArray *pending, guint start)
{
	guint64	 bytes = 0;
	guint	 i;

	for (i = start; i < pending->len &&
	    i - start < (guint)f->conf->imap.fetch_batch; i++) {
		const struct pending *p = &g_array_index(pending,
		    struct pending, i);

		if (is_big(f, p))
			continue;
		if (i > start && bytes + p->size > WINDOW_BYTES)
			break;
		bytes += p->size;
	}
	return i - start;
}

static struct mailimap_fetch_type *
body_fetch_type(void)
{
	struct mailimap_fetch_type *ft;

	ft = mailimap_fetch_type_new_fetch_att_list_empty();
	mailimap_fetch_type_new_fetch_att_list_add(ft,
	    mailimap_fetch_att_new_uid());
	mailimap_fetch_type_new_fetch_att_list_add(ft,
	    mailimap_fetch_att_new_body_peek_section(mailimap_section_new(NULL)));
	return ft;
}

/*
 * The small messages of p[0..n) in one UID FETCH; *result keeps their
 * bytes.  Those the server returned go into small, in the order it sent
 * them.  FALSE: the command failed.
 */
static gboolean
fetch_small(struct imap_fetcher *f, const struct pending *p, guint n,
    clist **result, GArray *small)
{
	struct mailimap_fetch_type *ft;
	struct mailimap_set *set;
	clistiter	*it;
	guint		 i, asked = 0;
	int		 rc;

	set = mailimap_set_new_empty();
	for (i = 0; i < n; i++)
		if (!is_big(f, &p[i])) {
			mailimap_set_add_single(set, p[i].uid);
			asked++;
		}
	if (asked == 0) {
		mailimap_set_free(set);
		return TRUE;
	}
	ft = body_fetch_type();
	rc = mailimap_uid_fetch(f->imap, set, ft, result);
	mailimap_fetch_type_free(ft);
	mailimap_set_free(set);
	if (rc != MAILIMAP_NO_ERROR) {
		health(f, server_said(f->imap, rc));
		return FALSE;
	}
	for (it = clist_begin(*result); it != NULL; it = clist_next(it)) {
		struct fetched	 one;
		const char	*body = NULL;
		size_t		 len = 0;

		memset(&one, 0, sizeof(one));
		msg_att_get(clist_content(it), &one.uid, &body, &len, NULL);
		if (body == NULL || one.uid < p[0].uid || one.uid > p[n - 1].uid)
			continue;	/* a flag change, or not asked for */
		one.raw = body;
		one.size = (int64_t)len;
		g_array_append_val(small, one);
	}
	return TRUE;
}

/*
 * The fetched message of small (sorted by UID) with this UID, or NULL
 * (expunged since).  The UIDs asked for ascend: *next, where the search
 * resumes, only moves forward, so a window costs one pass.
 */
static struct fetched *
find_small(GArray *small, uint32_t uid, guint *next)
{
	struct fetched	*f;

	for (; *next < small->len; (*next)++) {
		f = &g_array_index(small, struct fetched, *next);
		if (f->uid >= uid)
			return f->uid == uid ? f : NULL;
	}
	return NULL;
}

/*
 * A window of messages, p[0..n): the small ones in one UID FETCH with
 * their bytes to go in the rows, each big one streamed to the spool.  All
 * are stored in one transaction, in UID order: one commit, one fsync.  A
 * failure half-way stores those fetched before it.
 */
static int
fetch_window(struct imap_fetcher *f, const struct pending *p, guint n)
{
	struct fetched	*got = g_new0(struct fetched, n), *one;
	GArray		*small = g_array_new(FALSE, FALSE, sizeof(*got));
	clist		*result = NULL;
	guint		 i, k = 0, next = 0;
	int		 rc = 0;

	if (!fetch_small(f, p, n, &result, small))
		rc = -1;
	g_array_sort(small, uid_cmp);	/* servers send them in any order */
	for (i = 0; rc == 0 && i < n; i++) {
		if (is_big(f, &p[i])) {
			if ((rc = fetch_streamed(f, p[i].uid, &got[k])) == 1)
				k++;
			rc = rc < 0 ? -1 : 0;
		} else if ((one = find_small(small, p[i].uid, &next)) != NULL) {
			got[k] = *one;
			digest_data(got[k].raw, (gsize)got[k].size,
			    got[k].sha256);
			k++;
		}
	}
	if (!record(f, got, k))
		rc = -1;
	if (result != NULL)
		mailimap_fetch_list_free(result);
	g_array_free(small, TRUE);
	g_free(got);
	return rc;
}

/* libetpan hands us the literal in chunks; straight to the spool file. */
static bool
body_handler(int type, struct mailimap_msg_att_body_section *section,
    const char *bytes, size_t len, void *data)
{
	struct stream_ctx *ctx = data;

	(void)type;
	(void)section;
	ctx->called = TRUE;
	if (!ctx->failed && !spool_writer_write(ctx->writer, bytes, len, NULL))
		ctx->failed = TRUE;
	return !ctx->failed;
}

/*
 * One big message, streamed to the spool with flat memory, durable there
 * before its row is committed: 1 and *one filled, 0 when the server has
 * it no more, -1 on failure.
 */
static int
fetch_streamed(struct imap_fetcher *f, uint32_t uid, struct fetched *one)
{
	struct mailimap_fetch_type *ft;
	struct mailimap_set *set;
	struct stream_ctx ctx;
	clist		*result = NULL;
	GError		*err = NULL;
	int		 rc;

	memset(&ctx, 0, sizeof(ctx));
	if ((ctx.writer = spool_writer_new(f->conf->spool, &err)) == NULL)
		goto fail;
	mailimap_set_msg_body_handler(f->imap, body_handler, &ctx);
	set = mailimap_set_new_single(uid);
	ft = body_fetch_type();
	rc = mailimap_uid_fetch(f->imap, set, ft, &result);
	mailimap_set_msg_body_handler(f->imap, NULL, NULL);
	mailimap_fetch_type_free(ft);
	mailimap_set_free(set);
	if (result != NULL)
		mailimap_fetch_list_free(result);
	if (rc != MAILIMAP_NO_ERROR || ctx.failed || !ctx.called) {
		spool_writer_abort(ctx.writer);
		if (ctx.failed)
			log_warnx("imap: %s: UID %u: cannot write to the spool",
			    f->mb->name, uid);
		else if (rc != MAILIMAP_NO_ERROR)
			health(f, server_said(f->imap, rc));
		return rc == MAILIMAP_NO_ERROR && !ctx.failed ? 0 : -1;
	}
	memset(one, 0, sizeof(*one));
	one->uid = uid;
	if (!spool_writer_commit(ctx.writer, one->sha256, &one->size, &err))
		goto fail;
	return 1;
fail:
	log_warnx("imap: %s: UID %u: %s", f->mb->name, uid, err->message);
	g_error_free(err);
	return -1;
}

/* Commit the rows, then (only then) touch the messages on the server. */
static gboolean
record(struct imap_fetcher *f, const struct fetched *got, guint n)
{
	struct store_inbound in;
	enum store_added added;
	GError		*err = NULL;
	uint32_t	*uids;
	int64_t		 id;
	guint		 i;

	if (n == 0)
		return TRUE;
	if (!store_begin(f->store, &err))
		goto fail;
	memset(&in, 0, sizeof(in));
	in.mailbox = f->mb->name;
	in.uidvalidity = f->uidvalidity;
	in.source = "imap";
	in.now = clock_now();
	for (i = 0; i < n; i++) {
		in.uid = got[i].uid;
		in.size = got[i].size;
		in.sha256 = got[i].sha256;
		in.raw = got[i].raw;
		if (!store_inbound_add(f->store, &in, &added, &id, &err)) {
			store_rollback(f->store);
			goto fail;
		}
	}
	if (!store_commit(f->store, &err))
		goto fail;
	f->last_uid = MAX(f->last_uid, got[n - 1].uid);
	log_debug("imap: %s: stored %u message(s), UID %u..%u", f->mb->name,
	    n, got[0].uid, got[n - 1].uid);
	f->stored(f->data);
	uids = g_new(uint32_t, n);
	for (i = 0; i < n; i++)
		uids[i] = got[i].uid;
	after_stored(f, uids, n);
	g_free(uids);
	return TRUE;
fail:
	log_warnx("imap: %s: %s", f->mb->name, err->message);
	g_error_free(err);
	return FALSE;
}

/* \Seen or a move, as configured; failure here loses nothing. */
static void
after_stored(struct imap_fetcher *f, const uint32_t *uids, guint n)
{
	struct mailimap_set *set;
	guint	 i;

	if (f->mb->after == CONF_AFTER_LEAVE || n == 0)
		return;
	set = mailimap_set_new_empty();
	for (i = 0; i < n; i++)
		mailimap_set_add_single(set, uids[i]);
	apply_after(f, set);
	mailimap_set_free(set);
}

/*
 * A crash between the commit and the \Seen or move leaves stored messages
 * untouched on the server.  Every UID up to last_uid is stored, so on each
 * connection the action is applied again to 1:last_uid (idempotent).
 */
static void
reconcile_after(struct imap_fetcher *f)
{
	struct mailimap_set *set;

	if (f->mb->after == CONF_AFTER_LEAVE || f->last_uid == 0)
		return;
	set = mailimap_set_new_interval(1, f->last_uid);
	apply_after(f, set);
	mailimap_set_free(set);
}

/*
 * UID STORE +FLAGS.SILENT (flag) on set.  libetpan leaves the store
 * attribute to the caller: freed here, with the flag, whatever happens.
 */
static int
add_flag(struct imap_fetcher *f, struct mailimap_set *set,
    struct mailimap_flag *flag)
{
	struct mailimap_flag_list *flags = mailimap_flag_list_new_empty();
	struct mailimap_store_att_flags *att;
	int	 rc;

	mailimap_flag_list_add(flags, flag);
	att = mailimap_store_att_flags_new_add_flags_silent(flags);
	rc = mailimap_uid_store(f->imap, set, att);
	mailimap_store_att_flags_free(att);
	return rc;
}

static void
apply_after(struct imap_fetcher *f, struct mailimap_set *set)
{
	int	 rc;

	if (f->mb->after == CONF_AFTER_SEEN)
		rc = add_flag(f, set, mailimap_flag_new_seen());
	else if (mailimap_has_extension(f->imap, "MOVE"))
		rc = mailimap_uid_move(f->imap, set, f->mb->move_to);
	else {
		rc = mailimap_uid_copy(f->imap, set, f->mb->move_to);
		if (rc == MAILIMAP_NO_ERROR)
			rc = add_flag(f, set, mailimap_flag_new_deleted());
		if (rc == MAILIMAP_NO_ERROR && mailimap_has_uidplus(f->imap))
			rc = mailimap_uid_expunge(f->imap, set);
	}
	if (rc != MAILIMAP_NO_ERROR)
		log_warnx("imap: %s: stored, but cannot %s on the server: %s",
		    f->mb->name, f->mb->after == CONF_AFTER_SEEN ?
		    "set \\Seen" : "move", server_said(f->imap, rc));
}

/*
 * Delete the server copies of purged messages, queued by recoursctl
 * purge: found by Message-ID in the watched folder and, when messages are
 * moved, in the folder they went to.  Checked at each wake-up (at least
 * every idle_restart); a failure leaves them queued for the next one.
 * -1 only when the watched folder cannot be selected again.
 */
static int
purge_copies(struct imap_fetcher *f)
{
	GArray		*ids = g_array_new(FALSE, FALSE, sizeof(int64_t));
	GPtrArray	*msgids;
	GError		*err = NULL;
	gboolean	 ok;
	guint		 i;
	int		 rc = 0;

	msgids = store_imap_purge_list(f->store, f->mb->name, ids, &err);
	if (msgids == NULL) {
		log_warnx("imap: %s: %s", f->mb->name, err->message);
		g_error_free(err);
		g_array_unref(ids);
		return 0;
	}
	if (msgids->len == 0)
		goto out;
	ok = delete_by_message_id(f, msgids);
	if (ok && f->mb->after == CONF_AFTER_MOVE) {
		int	 sel = mailimap_select(f->imap, f->mb->move_to);

		ok = sel == MAILIMAP_NO_ERROR && delete_by_message_id(f, msgids);
		if (sel != MAILIMAP_NO_ERROR)
			log_warnx("imap: %s: cannot select %s to delete purged "
			    "messages: %s", f->mb->name, f->mb->move_to,
			    server_said(f->imap, sel));
		rc = select_folder(f);
	}
	for (i = 0; ok && i < ids->len; i++)
		ok = store_imap_purge_done(f->store, g_array_index(ids, int64_t,
		    i), NULL);
	if (ok)
		log_info("imap: %s: the server copies of %u purged message(s) "
		    "are deleted", f->mb->name, msgids->len);
out:
	g_ptr_array_unref(msgids);
	g_array_unref(ids);
	return rc;
}

/* In the selected folder: search each Message-ID, delete what matches. */
static gboolean
delete_by_message_id(struct imap_fetcher *f, GPtrArray *msgids)
{
	struct mailimap_set *set = mailimap_set_new_empty();
	guint	 i, found = 0;
	int	 rc = MAILIMAP_NO_ERROR;

	for (i = 0; rc == MAILIMAP_NO_ERROR && i < msgids->len; i++) {
		struct mailimap_search_key *key;
		clist	*result = NULL;
		clistiter *it;

		/* libetpan frees the key's strings with free(). */
		key = mailimap_search_key_new_header(strdup("Message-ID"),
		    g_strdup_printf("<%s>", (char *)g_ptr_array_index(msgids,
		    i)));
		rc = mailimap_uid_search(f->imap, "UTF-8", key, &result);
		mailimap_search_key_free(key);
		if (rc != MAILIMAP_NO_ERROR)
			break;
		for (it = clist_begin(result); it != NULL; it = clist_next(it)) {
			mailimap_set_add_single(set, *(uint32_t *)clist_content(it));
			found++;
		}
		mailimap_search_result_free(result);
	}
	if (rc == MAILIMAP_NO_ERROR && found > 0) {
		rc = add_flag(f, set, mailimap_flag_new_deleted());
		/* Without UIDPLUS, EXPUNGE would take others' deletions too. */
		if (rc == MAILIMAP_NO_ERROR && mailimap_has_uidplus(f->imap))
			rc = mailimap_uid_expunge(f->imap, set);
	}
	mailimap_set_free(set);
	if (rc != MAILIMAP_NO_ERROR)
		log_warnx("imap: %s: cannot delete purged messages on the "
		    "server: %s", f->mb->name, server_said(f->imap, rc));
	return rc == MAILIMAP_NO_ERROR;
}

/*
 * IDLE when offered (re-issued every idle_restart seconds, RFC 2177),
 * else a NOOP every poll_interval.  Returns when there may be news.
 */
static int
wait_for_news(struct imap_fetcher *f)
{
	int	 rc, w = MAILSTREAM_IDLE_TIMEOUT;

	if (!mailimap_has_idle(f->imap)) {
		if (sleep_unless_stopped(f, (gint64)f->mb->poll_interval *
		    G_USEC_PER_SEC))
			return 0;
		rc = mailimap_noop(f->imap);
		goto done;
	}
	if ((rc = mailimap_idle(f->imap)) != MAILIMAP_NO_ERROR)
		goto done;
	/* Data already in libetpan's buffer will not wake poll(). */
	if (!f->imap->imap_selection_info->sel_has_exists) {
		g_mutex_lock(&f->lock);
		f->idling = f->stop ? NULL : f->imap->imap_stream;
		g_mutex_unlock(&f->lock);
		if (f->idling != NULL)
			w = mailstream_wait_idle(f->imap->imap_stream,
			    f->conf->imap.idle_restart);
		g_mutex_lock(&f->lock);
		f->idling = NULL;
		g_mutex_unlock(&f->lock);
	}
	rc = mailimap_idle_done(f->imap);
	if (w == MAILSTREAM_IDLE_ERROR || w == MAILSTREAM_IDLE_CANCELLED)
		rc = MAILIMAP_ERROR_STREAM;
done:
	if (rc != MAILIMAP_NO_ERROR) {
		health(f, server_said(f->imap, rc));
		return -1;
	}
	return 0;
}

/*
 * Record the mailbox's health (error NULL: it works): when it started
 * failing, and why.  health.c, on the main loop, decides the alerts.
 */
static void
health(struct imap_fetcher *f, const char *error)
{
	int64_t	 now = clock_now();

	if (error == NULL) {
		if (f->failing_since == 0)
			return;
		log_info("imap: %s: recovered after %" G_GINT64_FORMAT " s",
		    f->mb->name, now - f->failing_since);
		f->failing_since = 0;
	} else {
		g_mutex_lock(&f->lock);
		g_free(f->status.last_error);
		f->status.last_error = g_strdup(error);
		g_mutex_unlock(&f->lock);
		if (f->failing_since == 0)
			f->failing_since = now;
		log_warnx("imap: %s: %s:%d: %s", f->mb->name, f->mb->host,
		    f->mb->port, error);
	}
	if (!store_mailbox_health(f->store, f->mb->name, f->failing_since,
	    error, NULL))
		log_warnx("imap: %s: cannot record the mailbox health",
		    f->mb->name);
}
