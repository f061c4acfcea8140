/*
 * smtp.c: see smtp.h.  libetpan idioms: shared/research/idioms.md §2.7.
 */
#include "config.h"

#include <gio/gio.h>
#include <libetpan/libetpan.h>
#include <string.h>
#include <unistd.h>

#include "clock.h"
#include "compose.h"
#include "log.h"
#include "smtp.h"
#include "store.h"
#include "tls.h"

#define ROUND		20	/* rows per look at the outbox */
#define MAX_SLEEP	60	/* seconds, between looks at the outbox */
#define STORE_RETRY	5	/* seconds, after the store refused a write */

struct smtp_sender {
	const struct conf	*conf;
	GThread			*thread;
	GMutex			 lock;
	GCond			 cond;
	gboolean		 stop;		/* under lock */
	gboolean		 kicked;	/* under lock */
	struct tls_trust	*trust;
	struct store		*store;
	mailsmtp		*session;	/* kept while there is mail */
	GArray			*unwritten;	/* results the store refused */
};

/* How one row went. */
enum outcome { SENT, TEMPORARY, PERMANENT };

static gpointer	 sender_main(gpointer);
static void	 wait_until(struct smtp_sender *, int64_t);
static mailsmtp	*open_session(struct smtp_sender *, char **);
static enum outcome send_one(mailsmtp *, const struct store_outbox *, char **);
static enum outcome classify(mailsmtp *, int, const char *, char **);
static void	 record(struct smtp_sender *, const struct store_outbox *,
		    enum outcome, char *, GArray *);
static gboolean	 write_results(struct smtp_sender *);
static void	 results_free(struct smtp_sender *);
static void	 settle_in_doubt(struct smtp_sender *);
static gboolean	 claim(struct smtp_sender *, GArray *);
static int	 plain_connect(mailsmtp *, const char *, int, int);
static void	 deliver(struct smtp_sender *, GArray *);
static void	 close_session(struct smtp_sender *);

struct smtp_sender *
smtp_sender_start(const struct conf *conf, GError **err)
{
	struct smtp_sender *s;

	if (!conf->has_smtp)
		return NULL;
	s = g_new0(struct smtp_sender, 1);
	s->conf = conf;
	g_mutex_init(&s->lock);
	g_cond_init(&s->cond);
	if (conf->smtp.security != CONF_SEC_NONE &&
	    (s->trust = tls_trust_new(conf->smtp.ca_file, err)) == NULL)
		goto fail;
	if ((s->store = store_open(conf->database, STORE_LAZY_SYNC, err)) == NULL)
		goto fail;
	s->thread = g_thread_new("smtp", sender_main, s);
	return s;
fail:
	g_prefix_error(err, "smtp: ");
	smtp_sender_stop(s);
	return NULL;
}

void
smtp_sender_kick(struct smtp_sender *s)
{
	if (s == NULL)
		return;
	g_mutex_lock(&s->lock);
	s->kicked = TRUE;
	g_cond_signal(&s->cond);
	g_mutex_unlock(&s->lock);
}

void
smtp_sender_stop(struct smtp_sender *s)
{
	if (s == NULL)
		return;
	g_mutex_lock(&s->lock);
	s->stop = TRUE;
	g_cond_signal(&s->cond);
	g_mutex_unlock(&s->lock);
	if (s->thread != NULL)
		g_thread_join(s->thread);
	store_close(s->store);
	tls_trust_free(s->trust);
	g_mutex_clear(&s->lock);
	g_cond_clear(&s->cond);
	g_free(s);
}

/* Sleep until the Unix time at (at most MAX_SLEEP), a kick or a stop. */
static void
wait_until(struct smtp_sender *s, int64_t at)
{
	int64_t	 now = clock_now();
	gint64	 deadline;

	if (at == 0 || at > now + MAX_SLEEP)
		at = now + MAX_SLEEP;
	deadline = g_get_monotonic_time() + (at - now) * G_USEC_PER_SEC;
	g_mutex_lock(&s->lock);
	while (!s->stop && !s->kicked &&
	    g_cond_wait_until(&s->cond, &s->lock, deadline))
		;
	s->kicked = FALSE;
	g_mutex_unlock(&s->lock);
}

/*
 * Rows a stopped recoursd left with the server and no reply: failed as in
 * doubt (never sent twice by themselves), and reported.
 */
static void
settle_in_doubt(struct smtp_sender *s)
{
	GError	*err = NULL;
	int	 n = store_outbox_in_doubt(s->store, "in doubt: recoursd stopped "
	    "while the mail server had it, and may have delivered it: look "
	    "for its Message-ID in the server's log; recoursctl outbox retry "
	    "sends it again", &err);

	if (n < 0) {
		log_warnx("smtp: %s", err->message);
		g_error_free(err);
	} else if (n > 0)
		log_warnx("smtp: %d letter(s) were with the mail server when "
		    "recoursd stopped: marked failed, in doubt, and reported", n);
}

/*
 * The rows are the server's from now on: committed as 'sending' before
 * the first byte, so that a crash or a store that cannot record the
 * reply never sends one twice.
 */
static gboolean
claim(struct smtp_sender *s, GArray *rows)
{
	GError	*err = NULL;
	guint	 i;
	gboolean ok = store_begin(s->store, &err);

	for (i = 0; ok && i < rows->len; i++)
		ok = store_outbox_claim(s->store, g_array_index(rows,
		    struct store_outbox, i).id, &err);
	if (ok)
		ok = store_commit(s->store, &err);
	if (!ok) {
		store_rollback(s->store);
		log_warnx("smtp: nothing sent, the outbox cannot be written: %s",
		    err->message);
		g_error_free(err);
	}
	return ok;
}

static gpointer
sender_main(gpointer arg)
{
	struct smtp_sender *s = arg;
	GArray	*rows;
	GError	*err = NULL;
	gboolean stop;

	settle_in_doubt(s);
	for (;;) {
		g_mutex_lock(&s->lock);
		stop = s->stop;
		g_mutex_unlock(&s->lock);
		if (stop)
			break;
		/* The last round's replies first: nothing new before. */
		if (s->unwritten != NULL && !write_results(s)) {
			wait_until(s, clock_now() + STORE_RETRY);
			continue;
		}
		rows = store_outbox_due(s->store, clock_now(), ROUND, &err);
		if (rows == NULL) {
			log_warnx("smtp: %s", err->message);
			g_clear_error(&err);
			wait_until(s, 0);
			continue;
		}
		if (rows->len > 0 && claim(s, rows)) {
			deliver(s, rows);
			(void)write_results(s);
		} else if (rows->len > 0)
			wait_until(s, clock_now() + STORE_RETRY);
		else {
			close_session(s);	/* nothing more for now */
			wait_until(s, store_outbox_next_at(s->store));
		}
		g_array_unref(rows);
	}
	/* A last try; what stays unwritten is in doubt at the next start. */
	if (s->unwritten != NULL)
		(void)write_results(s);
	results_free(s);
	close_session(s);
	return NULL;
}

static void
close_session(struct smtp_sender *s)
{
	if (s->session == NULL)
		return;
	mailsmtp_quit(s->session);
	mailsmtp_free(s->session);
	s->session = NULL;
}

/*
 * mailsmtp_socket_connect() opens its stream without the session's
 * timeout: a server that accepts the connection and never greets held
 * the sender for the global 300 s default, every time.  Connect and
 * open the stream with the timeout ourselves, then read the greeting.
 */
static int
plain_connect(mailsmtp *smtp, const char *host, int port, int timeout)
{
	GSocketClient	*client = g_socket_client_new();
	GSocketConnection *conn;
	mailstream	*stream;
	int		 fd;

	g_socket_client_set_timeout(client, (guint)timeout);
	conn = g_socket_client_connect_to_host(client, host, (guint16)port,
	    NULL, NULL);
	g_object_unref(client);
	if (conn == NULL)
		return MAILSMTP_ERROR_CONNECTION_REFUSED;
	fd = dup(g_socket_get_fd(g_socket_connection_get_socket(conn)));
	g_object_unref(conn);
	if (fd == -1)
		return MAILSMTP_ERROR_CONNECTION_REFUSED;
	if ((stream = mailstream_socket_open_timeout(fd, timeout)) == NULL) {
		close(fd);
		return MAILSMTP_ERROR_MEMORY;
	}
	return mailsmtp_connect(smtp, stream);
}

/*
 * Connect, check the certificate ourselves (before any password), EHLO,
 * STARTTLS and EHLO again, AUTH PLAIN.  NULL and *why on failure.
 */
static mailsmtp *
open_session(struct smtp_sender *s, char **why)
{
	const struct conf_smtp *c = &s->conf->smtp;
	mailsmtp	*smtp = mailsmtp_new(0, NULL);
	GError		*err = NULL;
	int		 rc;

	mailsmtp_set_timeout(smtp, s->conf->imap.timeout);
	if (c->security == CONF_SEC_IMAPS)
		rc = mailsmtp_ssl_connect_with_callback(smtp, c->host,
		    (uint16_t)c->port, tls_sni_callback, c->host);
	else
		rc = plain_connect(smtp, c->host, c->port, s->conf->imap.timeout);
	if (rc == MAILSMTP_NO_ERROR)	/* every later wait, after TLS too */
		mailstream_low_set_timeout(mailstream_get_low(smtp->stream),
		    s->conf->imap.timeout);
	if (rc != MAILSMTP_NO_ERROR) {
		*why = g_strdup_printf("cannot connect to %s:%d", c->host, c->port);
		goto fail;
	}
	if (mailesmtp_ehlo(smtp) != MAILSMTP_NO_ERROR &&
	    mailsmtp_helo(smtp) != MAILSMTP_NO_ERROR) {
		*why = g_strdup_printf("%s refused EHLO and HELO", c->host);
		goto fail;
	}
	if (c->security == CONF_SEC_STARTTLS) {
		if ((smtp->esmtp & MAILSMTP_ESMTP_STARTTLS) == 0) {
			*why = g_strdup_printf("%s does not offer STARTTLS", c->host);
			goto fail;
		}
		if (mailsmtp_socket_starttls_with_callback(smtp,
		    tls_sni_callback, c->host) != MAILSMTP_NO_ERROR) {
			*why = g_strdup_printf("%s: STARTTLS failed", c->host);
			goto fail;
		}
		mailstream_low_set_timeout(mailstream_get_low(smtp->stream),
		    s->conf->imap.timeout);
	}
	if (c->security != CONF_SEC_NONE &&
	    !tls_verify_stream(s->trust, smtp->stream, c->host, &err)) {
		*why = g_strdup(err->message);
		g_error_free(err);
		goto fail;
	}
	if (c->security == CONF_SEC_STARTTLS &&
	    mailesmtp_ehlo(smtp) != MAILSMTP_NO_ERROR) {
		*why = g_strdup_printf("%s refused EHLO after STARTTLS", c->host);
		goto fail;
	}
	if (c->user != NULL && mailesmtp_auth_sasl(smtp, "PLAIN", c->host, NULL,
	    NULL, c->user, c->user, c->password, NULL) != MAILSMTP_NO_ERROR) {
		*why = g_strdup_printf("%s refused AUTH PLAIN for %s: %s", c->host,
		    c->user, smtp->response != NULL ? smtp->response : "");
		goto fail;
	}
	return smtp;
fail:
	mailsmtp_free(smtp);
	return NULL;
}

/*
 * By the server's numeric reply: 2xx (3xx after DATA), 4xx (or none: the
 * transport failed), 5xx.
 */
static enum outcome
classify(mailsmtp *smtp, int rc, const char *step, char **reply)
{
	int	 code = smtp->response_code;
	int	 good = strcmp(step, "DATA") == 0 ? 3 : 2;

	g_free(*reply);
	*reply = g_strdup_printf("%s: %d %s", step, code,
	    smtp->response != NULL ? g_strstrip(smtp->response) : "");
	if (rc == MAILSMTP_NO_ERROR && code / 100 == good)
		return SENT;
	if (rc == MAILSMTP_ERROR_STREAM || code == 0 || code / 100 == 4)
		return TEMPORARY;
	return code / 100 == 5 ? PERMANENT : TEMPORARY;
}

static enum outcome
send_one(mailsmtp *smtp, const struct store_outbox *o, char **reply)
{
	enum outcome	 r;
	gsize		 len;
	const char	*data = g_bytes_get_data(o->data, &len);

	/* libetpan formats commands with snprintf: nothing raw goes in. */
	if (!compose_address_ok(o->mail_from) || !compose_address_ok(o->rcpt)) {
		*reply = g_strdup("refused: not a plain e-mail address");
		return PERMANENT;
	}
	r = classify(smtp, mailsmtp_mail(smtp, o->mail_from), "MAIL", reply);
	if (r == SENT)
		r = classify(smtp, mailsmtp_rcpt(smtp, o->rcpt), "RCPT", reply);
	if (r == SENT)
		r = classify(smtp, mailsmtp_data(smtp), "DATA", reply);
	if (r == SENT)
		r = classify(smtp, mailsmtp_data_message(smtp, data, len),
		    "sent", reply);
	if (r != SENT && smtp->response_code != 0)
		mailsmtp_reset(smtp);
	return r;
}

/*
 * One row's new state, appended to results.  Backoff 1, 2, 4 ... minutes
 * up to an hour; a row older than smtp.max_age that still fails gives up.
 * Takes reply.
 */
static void
record(struct smtp_sender *s, const struct store_outbox *o, enum outcome r,
    char *reply, GArray *results)
{
	struct store_outbox u = *o;
	int64_t	 now = clock_now();
	int64_t	 backoff;

	u.attempts = o->attempts + 1;
	u.reply = reply;
	if (r == SENT) {
		u.state = "sent";
		u.sent_at = now;
		log_info("smtp: %s to %s: %s", o->message_id, o->rcpt, reply);
	} else if (r == PERMANENT ||
	    now - o->queued_at >= s->conf->smtp.max_age) {
		u.state = "failed";
		log_warnx("smtp: %s to %s failed after %d attempt(s): %s",
		    o->message_id, o->rcpt, u.attempts, reply);
	} else {
		backoff = MIN((int64_t)60 << MIN(u.attempts - 1, 6), 3600);
		u.next_at = now + backoff / 2 + g_random_int_range(0,
		    (gint32)(backoff / 2 + 1));
		log_warnx("smtp: %s to %s: will retry in %" G_GINT64_FORMAT
		    " s: %s", o->message_id, o->rcpt, u.next_at - now, reply);
	}
	g_array_append_val(results, u);
}

/*
 * The round's results (s->unwritten) in one transaction: one commit for
 * the round, not one per mail.  FALSE when the store refuses them: they
 * are kept to be written again, and their rows stay 'sending'.
 */
static gboolean
write_results(struct smtp_sender *s)
{
	GArray	*results = s->unwritten;
	GError	*err = NULL;
	guint	 i;
	gboolean ok = store_begin(s->store, &err);

	for (i = 0; ok && i < results->len; i++)
		ok = store_outbox_result(s->store, &g_array_index(results,
		    struct store_outbox, i), &err);
	if (ok)
		ok = store_commit(s->store, &err);
	if (!ok) {
		store_rollback(s->store);
		log_warnx("smtp: recording the results (kept, tried again in "
		    "%d s): %s", STORE_RETRY, err->message);
		g_error_free(err);
		return FALSE;
	}
	results_free(s);
	return TRUE;
}

static void
results_free(struct smtp_sender *s)
{
	guint	 i;

	if (s->unwritten == NULL)
		return;
	for (i = 0; i < s->unwritten->len; i++)
		g_free((char *)g_array_index(s->unwritten, struct store_outbox,
		    i).reply);
	g_array_unref(s->unwritten);
	s->unwritten = NULL;
}

/*
 * The round's rows on the open session, or a new one; a lost connection
 * fails only the row it was sending, and the next rows get a new one.
 */
static void
deliver(struct smtp_sender *s, GArray *rows)
{
	GArray	*results = g_array_new(FALSE, FALSE, sizeof(struct store_outbox));
	char	*why = NULL;
	guint	 i;

	if (s->session == NULL)
		s->session = open_session(s, &why);
	for (i = 0; i < rows->len; i++) {
		const struct store_outbox *o = &g_array_index(rows,
		    struct store_outbox, i);
		char		*reply = NULL;
		enum outcome	 r;

		if (s->session == NULL) {
			r = TEMPORARY;
			reply = g_strdup(why);
		} else
			r = send_one(s->session, o, &reply);
		record(s, o, r, reply, results);
		if (s->session != NULL && r == TEMPORARY &&
		    s->session->response_code == 0) {
			mailsmtp_free(s->session);	/* the connection is gone */
			g_free(why);
			why = NULL;
			s->session = open_session(s, &why);
		}
	}
	s->unwritten = results;	/* written by the caller */
	g_free(why);
}
