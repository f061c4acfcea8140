/*
 * rawlimits.c: the raw limits recoursd's ingest is measured against, each
 * printed as messages per second on one line "NAME RATE":
 *
 *   rawlimits fetch HOST PORT USER PASS      a minimal libetpan UID FETCH
 *                                            BODY.PEEK[] loop, 100 UIDs per
 *                                            command, bytes discarded
 *   rawlimits parse FILE...                  GMime parsing each file from disk
 *   rawlimits insert DBFILE FILE...          SQLite, WAL + synchronous=FULL,
 *                                            each file inserted as a blob,
 *                                            one transaction per row
 *
 * and, for tests/bench/ack-latency.sh:
 *
 *   rawlimits idle HOST PORT USER PASS N     a minimal libetpan IDLE client:
 *                                            prints "seen K T" (T: Unix time,
 *                                            ms) each time the server says
 *                                            something new, N times
 *   rawlimits smtp HOST PORT FROM TO N FILE  a minimal libetpan SMTP loop on
 *                                            one connection, FILE sent N
 *                                            times: "smtp RATE"
 *
 * and, for tests/bench/inject.sh:
 *
 *   rawlimits submit HOST PORT FROM TO N FILE  N submissions of FILE, one at
 *                                            a time, each on a connection
 *                                            of its own (connect, EHLO,
 *                                            MAIL, RCPT, DATA to the 250):
 *                                            "submit P50 P99" in ms
 *
 * Not part of make check: tests/bench/ingest.sh and ack-latency.sh run it.
 */
#include "config.h"

#include <fcntl.h>
#include <gmime/gmime.h>
#include <libetpan/libetpan.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/select.h>

static double
now(void)
{
	return (double)g_get_monotonic_time() / G_USEC_PER_SEC;
}

static int
bench_fetch(const char *host, const char *port, const char *user,
    const char *pass)
{
	struct mailimap_fetch_type *ft;
	mailimap	*imap = mailimap_new(0, NULL);
	uint32_t	 first, exists;
	double		 t0;
	long		 n = 0;

	mailimap_set_timeout(imap, 30);
	if (mailimap_socket_connect(imap, host, (uint16_t)atoi(port)) < 0 ||
	    mailimap_login(imap, user, pass) != MAILIMAP_NO_ERROR ||
	    mailimap_select(imap, "INBOX") != MAILIMAP_NO_ERROR) {
		fprintf(stderr, "rawlimits: cannot log in to %s:%s\n", host, port);
		return 1;
	}
	/* A fresh folder: UIDs 1..EXISTS, fetched by UID as recoursd does. */
	exists = imap->imap_selection_info->sel_exists;
	ft = mailimap_fetch_type_new_fetch_att_list_empty();
	mailimap_fetch_type_new_fetch_att_list_add(ft, mailimap_fetch_att_new_uid());
	mailimap_fetch_type_new_fetch_att_list_add(ft,
	    mailimap_fetch_att_new_body_peek_section(mailimap_section_new(NULL)));
	t0 = now();
	for (first = 1; first <= exists; first += 100) {
		struct mailimap_set *set = mailimap_set_new_interval(first,
		    MIN(first + 99, exists));
		clist	*result = NULL;

		if (mailimap_uid_fetch(imap, set, ft, &result) != MAILIMAP_NO_ERROR) {
			fprintf(stderr, "rawlimits: FETCH failed\n");
			return 1;
		}
		n += clist_count(result);
		mailimap_fetch_list_free(result);
		mailimap_set_free(set);
	}
	printf("fetch %.0f\n", (double)n / (now() - t0));
	mailimap_fetch_type_free(ft);
	mailimap_logout(imap);
	mailimap_free(imap);
	return 0;
}

static int
bench_parse(int argc, char **argv)
{
	double	 t0 = now();
	int	 i;

	g_mime_init();
	for (i = 0; i < argc; i++) {
		GMimeStream	*s = g_mime_stream_fs_open(argv[i], O_RDONLY, 0, NULL);
		GMimeParser	*p;
		GMimeMessage	*m;

		if (s == NULL)
			continue;
		p = g_mime_parser_new_with_stream(s);
		g_mime_parser_set_persist_stream(p, TRUE);
		m = g_mime_parser_construct_message(p, NULL);
		if (m != NULL)
			g_object_unref(m);
		g_object_unref(p);
		g_object_unref(s);
	}
	printf("parse %.0f\n", (double)argc / (now() - t0));
	return 0;
}

static int
bench_insert(const char *path, int argc, char **argv)
{
	sqlite3		*db;
	sqlite3_stmt	*st;
	double		 t0;
	int		 i;

	if (sqlite3_open(path, &db) != SQLITE_OK)
		return 1;
	sqlite3_exec(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
	    "CREATE TABLE t (id INTEGER PRIMARY KEY, body BLOB)", NULL, NULL, NULL);
	sqlite3_prepare_v2(db, "INSERT INTO t (body) VALUES (?)", -1, &st, NULL);
	t0 = now();
	for (i = 0; i < argc; i++) {
		char	*data = NULL;
		gsize	 len = 0;

		if (!g_file_get_contents(argv[i], &data, &len, NULL))
			continue;
		sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
		sqlite3_bind_blob(st, 1, data, (int)len, SQLITE_STATIC);
		sqlite3_step(st);
		sqlite3_reset(st);
		sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
		g_free(data);
	}
	printf("insert %.0f\n", (double)argc / (now() - t0));
	sqlite3_finalize(st);
	sqlite3_close(db);
	return 0;
}

static int
bench_idle(const char *host, const char *port, const char *user,
    const char *pass, int n)
{
	mailimap	*imap = mailimap_new(0, NULL);
	int		 k, fd;
	fd_set		 r;

	mailimap_set_timeout(imap, 600);
	if (mailimap_socket_connect(imap, host, (uint16_t)atoi(port)) < 0 ||
	    mailimap_login(imap, user, pass) != MAILIMAP_NO_ERROR ||
	    mailimap_select(imap, "INBOX") != MAILIMAP_NO_ERROR ||
	    !mailimap_has_idle(imap)) {
		fprintf(stderr, "rawlimits: cannot IDLE on %s:%s\n", host, port);
		return 1;
	}
	printf("ready\n");
	fflush(stdout);
	for (k = 1; k <= n; k++) {
		if (mailimap_idle(imap) != MAILIMAP_NO_ERROR)
			return 1;
		fd = mailimap_idle_get_fd(imap);
		FD_ZERO(&r);
		FD_SET(fd, &r);
		if (select(fd + 1, &r, NULL, NULL, NULL) < 0)
			return 1;
		printf("seen %d %.3f\n", k, (double)g_get_real_time() / 1000);
		fflush(stdout);
		if (mailimap_idle_done(imap) != MAILIMAP_NO_ERROR)
			return 1;
	}
	mailimap_logout(imap);
	mailimap_free(imap);
	return 0;
}

static int
bench_smtp(const char *host, const char *port, const char *from,
    const char *to, int n, const char *path)
{
	mailsmtp	*smtp = mailsmtp_new(0, NULL);
	gchar		*data;
	gsize		 len;
	double		 t0;
	int		 k;

	if (!g_file_get_contents(path, &data, &len, NULL))
		return 1;
	mailsmtp_set_timeout(smtp, 30);
	if (mailsmtp_socket_connect(smtp, host, (uint16_t)atoi(port)) !=
	    MAILSMTP_NO_ERROR || mailesmtp_ehlo(smtp) != MAILSMTP_NO_ERROR) {
		fprintf(stderr, "rawlimits: cannot connect to %s:%s\n", host, port);
		return 1;
	}
	t0 = now();
	for (k = 0; k < n; k++)
		if (mailesmtp_mail(smtp, from, 1, NULL) != MAILSMTP_NO_ERROR ||
		    mailesmtp_rcpt(smtp, to, 0, NULL) != MAILSMTP_NO_ERROR ||
		    mailsmtp_data(smtp) != MAILSMTP_NO_ERROR ||
		    mailsmtp_data_message(smtp, data, len) != MAILSMTP_NO_ERROR) {
			fprintf(stderr, "rawlimits: message %d refused\n", k);
			return 1;
		}
	printf("smtp %.1f\n", (double)n / (now() - t0));
	mailsmtp_quit(smtp);
	mailsmtp_free(smtp);
	g_free(data);
	return 0;
}

static int
cmp_double(const void *a, const void *b)
{
	double	 x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* One message on a fresh connection; its time in ms, or -1. */
static double
submit_one(const char *host, const char *port, const char *from,
    const char *to, const char *data, size_t len)
{
	mailsmtp	*smtp = mailsmtp_new(0, NULL);
	double		 t0 = now(), ms = -1;

	mailsmtp_set_timeout(smtp, 30);
	if (mailsmtp_socket_connect(smtp, host, (uint16_t)atoi(port)) ==
	    MAILSMTP_NO_ERROR && mailesmtp_ehlo(smtp) == MAILSMTP_NO_ERROR &&
	    mailesmtp_mail(smtp, from, 1, NULL) == MAILSMTP_NO_ERROR &&
	    mailesmtp_rcpt(smtp, to, 0, NULL) == MAILSMTP_NO_ERROR &&
	    mailsmtp_data(smtp) == MAILSMTP_NO_ERROR &&
	    mailsmtp_data_message(smtp, data, len) == MAILSMTP_NO_ERROR)
		ms = (now() - t0) * 1000;
	mailsmtp_quit(smtp);
	mailsmtp_free(smtp);
	return ms;
}

static int
bench_submit(const char *host, const char *port, const char *from,
    const char *to, int n, const char *path)
{
	double	*ms;
	gchar	*data;
	gsize	 len;
	int	 k;

	if (n <= 0 || !g_file_get_contents(path, &data, &len, NULL))
		return 1;
	ms = g_new(double, n);
	for (k = 0; k < n; k++)
		if ((ms[k] = submit_one(host, port, from, to, data, len)) < 0) {
			fprintf(stderr, "rawlimits: submission %d failed\n", k);
			return 1;
		}
	qsort(ms, (size_t)n, sizeof(double), cmp_double);
	printf("submit %.1f %.1f\n", ms[(n - 1) / 2], ms[(int)((n - 1) * 0.99 +
	    0.5)]);
	g_free(ms);
	g_free(data);
	return 0;
}

int
main(int argc, char *argv[])
{
	if (argc == 7 && strcmp(argv[1], "idle") == 0)
		return bench_idle(argv[2], argv[3], argv[4], argv[5],
		    atoi(argv[6]));
	if (argc == 8 && strcmp(argv[1], "smtp") == 0)
		return bench_smtp(argv[2], argv[3], argv[4], argv[5],
		    atoi(argv[6]), argv[7]);
	if (argc == 8 && strcmp(argv[1], "submit") == 0)
		return bench_submit(argv[2], argv[3], argv[4], argv[5],
		    atoi(argv[6]), argv[7]);
	if (argc == 6 && strcmp(argv[1], "fetch") == 0)
		return bench_fetch(argv[2], argv[3], argv[4], argv[5]);
	if (argc >= 3 && strcmp(argv[1], "parse") == 0)
		return bench_parse(argc - 2, argv + 2);
	if (argc >= 4 && strcmp(argv[1], "insert") == 0)
		return bench_insert(argv[2], argc - 3, argv + 3);
	fprintf(stderr, "usage: rawlimits fetch HOST PORT USER PASS | "
	    "parse FILE... | insert DB FILE... | idle HOST PORT USER PASS N | "
	    "smtp HOST PORT FROM TO N FILE | submit HOST PORT FROM TO N FILE\n");
	return 2;
}
