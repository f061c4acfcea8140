/*
 * ctl_daemon.c: recoursctl's commands about the installation and the
 * running daemon: version, status, reload, wake.  The daemon answers on
 * its control socket (control_proto.h); status says what it can from the
 * database when the daemon does not answer.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "ctl.h"
#include "report.h"
#include "store.h"
#include "timer.h"

static gboolean	 status_queues(struct ctl *, gboolean);
static void	 status_daemon(struct ctl *, gboolean);
static void	 print_daemon_line(struct ctl *, char **, gboolean, int *);
static int	 simple_request(struct ctl *, int, const char *, int);

int
ctl_cmd_version(struct ctl *ctl, int argc, char **argv)
{
	(void)ctl;
	(void)argc;
	(void)argv;
	printf("recoursctl %s (database schema %d)\n", PACKAGE_VERSION,
	    store_schema_latest());
	return CTL_OK;
}

int
ctl_cmd_status(struct ctl *ctl, int argc, char **argv)
{
	static const char *const states[] = {
		"new", "processed", "quarantined", "failed", "duplicate"
	};
	gboolean json = ctl_take_json(&argc, argv);
	GError	*err = NULL;
	int64_t	 n;
	size_t	 i;

	if (argc != 1)
		return ctl_usage(ctl);
	for (i = 0; i < G_N_ELEMENTS(states); i++) {
		if (!store_inbound_count(ctl->store, states[i], &n, &err))
			return ctl_fail(err);
		if (json)
			printf("%s\"%s\": %" G_GINT64_FORMAT, i ? ", " : "{",
			    states[i], n);
		else
			printf("%-12s %" G_GINT64_FORMAT "\n", states[i], n);
	}
	/* Processed, but opening no case: a count of its own. */
	if (!store_automatic_count(ctl->store, &n, &err))
		return ctl_fail(err);
	if (json)
		printf(", \"automatic\": %" G_GINT64_FORMAT, n);
	else
		printf("%-12s %" G_GINT64_FORMAT "\n", "automatic", n);
	if (!status_queues(ctl, json))
		return CTL_ERROR;
	status_daemon(ctl, json);
	if (json)
		printf("}\n");
	return CTL_OK;
}

/* What waits: letters not sent yet, the next timer (from the database). */
static gboolean
status_queues(struct ctl *ctl, gboolean json)
{
	GError	*err = NULL;
	int64_t	 n, oldest, next = timer_next(ctl->store);
	char	*a, *b;

	if (!store_outbox_backlog(ctl->store, &n, &oldest, &err)) {
		fprintf(stderr, "\nrecoursctl: %s\n", err->message);
		g_error_free(err);
		return FALSE;
	}
	if (json) {
		printf(", \"outbox_waiting\": %" G_GINT64_FORMAT ", "
		    "\"outbox_oldest\": %" G_GINT64_FORMAT ", \"next_timer\": %"
		    G_GINT64_FORMAT, n, oldest, next);
		return TRUE;
	}
	a = n > 0 ? ctl_local_time(ctl, oldest) : g_strdup("-");
	b = next > 0 ? ctl_local_time(ctl, next) : g_strdup("none");
	printf("%-12s %" G_GINT64_FORMAT " letter(s) waiting, the oldest "
	    "queued %s\n%-12s %s\n", "outbox", n, a, "next timer", b);
	g_free(a);
	g_free(b);
	return TRUE;
}

/*
 * The running daemon's own view (each mailbox's connection); only a
 * note when it does not answer, since the rest came from the database.
 */
static void
status_daemon(struct ctl *ctl, gboolean json)
{
	char	*reply, **lines;
	int	 i, n = 0;

	if (ctl_call_daemon(ctl, "status", 10, &reply) != 1) {
		if (json)
			printf(", \"daemon\": null");
		else
			printf("%-12s not running, or not answering\n", "daemon");
		return;
	}
	lines = g_strsplit(reply, "\n", -1);
	if (json)
		printf(", \"daemon\": {\"mailboxes\": [");
	for (i = 0; lines[i] != NULL; i++) {
		char	**f = g_strsplit(lines[i], "\t", -1);

		print_daemon_line(ctl, f, json, &n);
		g_strfreev(f);
	}
	if (json)
		printf("]}");
	g_strfreev(lines);
	g_free(reply);
}

/*
 * One line of the daemon's status: "daemon" or "mailbox" and its fields;
 * *n counts the mailboxes printed (JSON commas).
 */
static void
print_daemon_line(struct ctl *ctl, char **f, gboolean json, int *n)
{
	char	*t, *name, *why;

	if (g_strv_length(f) == 3 && strcmp(f[0], "daemon") == 0 && !json) {
		t = ctl_local_time(ctl, g_ascii_strtoll(f[2], NULL, 10));
		printf("%-12s running, pid %s, since %s\n", "daemon", f[1], t);
		g_free(t);
	}
	if (g_strv_length(f) != 6 || strcmp(f[0], "mailbox") != 0)
		return;
	if (json) {
		name = report_json_str(f[1]);
		why = report_json_str(*f[5] != '\0' ? f[5] : NULL);
		printf("%s{\"name\": %s, \"connected\": %s, \"idle\": %s, "
		    "\"last_fetch\": %s, \"last_error\": %s}", (*n)++ ? ", " :
		    "", name, strcmp(f[2], "connected") == 0 ? "true" : "false",
		    strcmp(f[3], "idle") == 0 ? "true" : "false", f[4], why);
		g_free(name);
		g_free(why);
		return;
	}
	t = strcmp(f[4], "0") != 0 ? ctl_local_time(ctl, g_ascii_strtoll(f[4],
	    NULL, 10)) : g_strdup("never");
	printf("%-12s %s: %s%s, last fetch %s%s%s\n", "mailbox", f[1], f[2],
	    strcmp(f[2], "connected") == 0 ? strcmp(f[3], "idle") == 0 ?
	    " (IDLE)" : " (polling)" : "", t, *f[5] != '\0' ?
	    ", last error: " : "", f[5]);
	g_free(t);
}

/* A request that takes no argument and prints the daemon's answer. */
static int
simple_request(struct ctl *ctl, int argc, const char *what, int timeout)
{
	char	*reply;
	int	 rc;

	if (argc != 1)
		return ctl_usage(ctl);
	if ((rc = ctl_call_daemon(ctl, what, timeout, &reply)) == -1)
		fprintf(stderr, "recoursctl: recoursd does not answer; is it "
		    "running?\n");
	if (rc == 1)
		printf("%s\n", reply);
	g_free(reply);
	return rc == 1 ? CTL_OK : CTL_ERROR;
}

int
ctl_cmd_reload(struct ctl *ctl, int argc, char **argv)
{
	(void)argv;
	return simple_request(ctl, argc, "reload", 30);
}

int
ctl_cmd_wake(struct ctl *ctl, int argc, char **argv)
{
	(void)argv;
	return simple_request(ctl, argc, "wake", 10);
}
