/*
 * ctl_mail.c: recoursctl's commands about mail in and out: inject (an
 * MTA's pipe, or a person, hands recoursd a message), the messages set
 * aside (quarantine, reprocess), automatic mail, and the outbox.
 */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "clock.h"
#include "conf.h"
#include "ctl.h"
#include "ingest.h"
#include "report.h"
#include "store.h"

static void	 print_injected(int64_t, const char *);
static gboolean	 list_set_aside(struct ctl *, const char *, gboolean);
static void	 print_automatic(struct ctl *, const struct store_automatic *,
		    gboolean);

int
ctl_cmd_inject(struct ctl *ctl, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "mailbox", required_argument, NULL, 'm' },
		{ NULL, 0, NULL, 0 }
	};
	const char	*mailbox = NULL;
	GError		*err = NULL;
	char		*request, *reply = NULL;
	int64_t		 id;
	int		 ch, rc;

	optind = 0;	/* glibc: a fresh scan, including its permutation state */
	while ((ch = getopt_long(argc, argv, "m:", opts, NULL)) != -1) {
		if (ch != 'm')
			return CTL_USAGE;
		mailbox = optarg;
	}
	if (mailbox == NULL || optind != argc - 1)
		return ctl_usage(ctl);
	if (conf_mailbox(ctl->conf, mailbox) == NULL) {
		fprintf(stderr, "recoursctl: %s: no mailbox named \"%s\"\n",
		    ctl->conf->path, mailbox);
		return CTL_ERROR;
	}
	if (!ingest_inject(ctl->store, ctl->setup, mailbox, argv[optind], &id,
	    &err))
		return ctl_fail(err);
	printf("queued %s as inbound message %" G_GINT64_FORMAT "\n",
	    strcmp(argv[optind], "-") == 0 ? "stdin" : argv[optind], id);
	fflush(stdout);
	request = g_strdup_printf("inject %" G_GINT64_FORMAT, id);
	rc = ctl_call_daemon(ctl, request, 60, &reply);
	if (rc == 1)
		print_injected(id, reply);
	else	/* stderr: scripts read the id as the last word of stdout */
		fprintf(stderr, "recoursd %s: it processes the message %s\n",
		    rc == -1 ?
		    "is not running" : "did not take it", rc == -1 ?
		    "at its next start" : "within seconds");
	g_free(request);
	g_free(reply);
	/* Stored durably: whatever the daemon said, nothing is lost. */
	return CTL_OK;
}

/*
 * The daemon's "state\tref\treason" for an injected message: the case
 * reference alone when it was processed into one, else what happened.
 */
static void
print_injected(int64_t id, const char *reply)
{
	char	**f = g_strsplit(reply, "\t", 3);

	if (g_strv_length(f) != 3)
		printf("inbound message %" G_GINT64_FORMAT ": %s\n", id, reply);
	else if (strcmp(f[0], "processed") == 0 && *f[1] != '\0')
		printf("%s\n", f[1]);
	else
		printf("inbound message %" G_GINT64_FORMAT ": %s%s%s%s%s\n", id,
		    f[0], *f[2] != '\0' ? ": " : "", f[2], *f[1] != '\0' ?
		    ", case " : "", f[1]);
	g_strfreev(f);
}

/* What recoursd set aside: it could not parse it, or processing failed. */
static const char *const set_aside[] = { "quarantined", "failed", NULL };

int
ctl_cmd_quarantine(struct ctl *ctl, int argc, char **argv)
{
	gboolean json = ctl_take_json(&argc, argv);
	struct store_inbound_row r;
	GError	*err = NULL;
	int64_t	 id;
	guint	 i;

	if (argc == 3 && strcmp(argv[1], "show") == 0) {
		if (ctl_parse_id(argv[2], &id) == -1)
			return CTL_USAGE;
		if (!store_inbound_get(ctl->store, id, &r, &err)) {
			fprintf(stderr, "recoursctl: %s\n", err != NULL ?
			    err->message : "no such inbound message");
			g_clear_error(&err);
			return CTL_ERROR;
		}
		printf("id:         %" G_GINT64_FORMAT "\nmailbox:    %s\n"
		    "state:      %s\nreason:     %s\nmessage-id: %s\n"
		    "size:       %" G_GINT64_FORMAT "\nsha256:     %s\n",
		    r.id, r.mailbox, r.state, r.reason ? r.reason : "-",
		    r.message_id ? r.message_id : "-", r.size, r.sha256);
		store_inbound_row_clear(&r);
		return CTL_OK;
	}
	if (argc > 2 || (argc == 2 && strcmp(argv[1], "list") != 0))
		return ctl_usage(ctl);
	for (i = 0; set_aside[i] != NULL; i++)
		if (!list_set_aside(ctl, set_aside[i], json))
			return CTL_ERROR;
	return CTL_OK;
}

/* The inbound rows in state, one line each (JSON: one object). */
static gboolean
list_set_aside(struct ctl *ctl, const char *state, gboolean json)
{
	GArray	*rows;
	GError	*err = NULL;
	guint	 i;

	if ((rows = store_inbound_list(ctl->store, state, &err)) == NULL) {
		fprintf(stderr, "recoursctl: %s\n", err->message);
		g_error_free(err);
		return FALSE;
	}
	for (i = 0; i < rows->len; i++) {
		struct store_inbound_row *q = &g_array_index(rows,
		    struct store_inbound_row, i);
		char	*mb, *why;

		if (!json) {
			printf("%6" G_GINT64_FORMAT "  %-12s %-11s %s\n", q->id,
			    q->mailbox, q->state, q->reason ? q->reason : "");
			continue;
		}
		mb = report_json_str(q->mailbox);
		why = report_json_str(q->reason);
		printf("{\"id\": %" G_GINT64_FORMAT ", \"mailbox\": %s, "
		    "\"state\": \"%s\", \"reason\": %s}\n", q->id, mb,
		    q->state, why);
		g_free(mb);
		g_free(why);
	}
	g_array_unref(rows);
	return TRUE;
}

/*
 * recoursctl automatic [list] [--json]: the mail recoursd kept as
 * automatic, the case it joined if any, and why.
 */
int
ctl_cmd_automatic(struct ctl *ctl, int argc, char **argv)
{
	gboolean json = ctl_take_json(&argc, argv);
	GArray	*rows;
	GError	*err = NULL;
	guint	 i;

	if (argc > 2 || (argc == 2 && strcmp(argv[1], "list") != 0))
		return ctl_usage(ctl);
	if ((rows = store_automatic_list(ctl->store, &err)) == NULL)
		return ctl_fail(err);
	for (i = 0; i < rows->len; i++)
		print_automatic(ctl, &g_array_index(rows,
		    struct store_automatic, i), json);
	g_array_unref(rows);
	return CTL_OK;
}

/* One line (and the reason below it), or one JSON object. */
static void
print_automatic(struct ctl *ctl, const struct store_automatic *a,
    gboolean json)
{
	char	*when = ctl_local_time(ctl, a->received);
	char	*mb, *from, *sub, *ref, *why;

	if (!json) {
		printf("%6" G_GINT64_FORMAT "  %-16s %-12s %-14s %s\n        "
		    "%s: %s\n", a->inbound, when, a->mailbox != NULL ?
		    a->mailbox : "-", a->ref != NULL ? a->ref : "(no case)",
		    a->from_addr != NULL ? a->from_addr : "-", a->reason,
		    a->subject != NULL ? a->subject : "");
		g_free(when);
		return;
	}
	mb = report_json_str(a->mailbox);
	from = report_json_str(a->from_addr);
	sub = report_json_str(a->subject);
	ref = report_json_str(a->ref);
	why = report_json_str(a->reason);
	printf("{\"inbound\": %" G_GINT64_FORMAT ", \"received_at\": %"
	    G_GINT64_FORMAT ", \"mailbox\": %s, \"case\": %s, \"from\": %s, "
	    "\"subject\": %s, \"reason\": %s}\n", a->inbound, a->received, mb,
	    ref, from, sub, why);
	g_free(mb);
	g_free(from);
	g_free(sub);
	g_free(ref);
	g_free(why);
	g_free(when);
}

int
ctl_cmd_reprocess(struct ctl *ctl, int argc, char **argv)
{
	struct store_inbound_row r;
	GError	*err = NULL;
	int64_t	 id;
	gboolean found;

	if (argc != 2)
		return ctl_usage(ctl);
	if (ctl_parse_id(argv[1], &id) == -1)
		return CTL_USAGE;
	found = store_inbound_get(ctl->store, id, &r, &err);
	if (!found || !g_strv_contains(set_aside, r.state)) {
		fprintf(stderr, "recoursctl: %s\n", err != NULL ? err->message :
		    found ? "that message is not set aside (quarantined or "
		    "failed)" : "no such inbound message");
		g_clear_error(&err);
		store_inbound_row_clear(&r);
		return CTL_ERROR;
	}
	store_inbound_row_clear(&r);
	if (!store_inbound_set_state(ctl->store, id, "new", NULL, 0, &err) ||
	    !ingest_process_one(ctl->store, ctl->setup, id, &err) ||
	    !store_inbound_get(ctl->store, id, &r, &err))
		return ctl_fail(err);
	printf("%" G_GINT64_FORMAT ": %s%s%s\n", id, r.state,
	    r.reason ? ": " : "", r.reason ? r.reason : "");
	store_inbound_row_clear(&r);
	return CTL_OK;
}

int
ctl_cmd_outbox(struct ctl *ctl, int argc, char **argv)
{
	gboolean json = ctl_take_json(&argc, argv);
	GArray	*rows;
	GError	*err = NULL;
	int64_t	 id;
	guint	 i;

	if (argc == 3 && strcmp(argv[1], "retry") == 0) {
		if (ctl_parse_id(argv[2], &id) == -1)
			return CTL_USAGE;
		if (!store_outbox_retry(ctl->store, id, clock_now(), &err))
			return ctl_fail(err);
		printf("%" G_GINT64_FORMAT ": pending again; the daemon sends it "
		    "at its next look (within a minute)\n", id);
		return CTL_OK;
	}
	if (argc > 3 || (argc >= 2 && strcmp(argv[1], "list") != 0) ||
	    (argc == 3 && strcmp(argv[2], "pending") != 0 &&
	    strcmp(argv[2], "sent") != 0 && strcmp(argv[2], "failed") != 0))
		return ctl_usage(ctl);
	if ((rows = store_outbox_list(ctl->store, argc == 3 ? argv[2] : NULL,
	    &err)) == NULL)
		return ctl_fail(err);
	for (i = 0; i < rows->len; i++) {
		const struct store_outbox *o = &g_array_index(rows,
		    struct store_outbox, i);
		char	*rcpt, *reply;

		if (!json) {
			/* The server's reply below: 80 columns stay readable. */
			printf("%6" G_GINT64_FORMAT "  %-8s %-12s %-30s %d try\n",
			    o->id, o->state, o->kind, o->rcpt, o->attempts);
			if (o->reply != NULL)
				printf("        %s\n", o->reply);
			continue;
		}
		rcpt = report_json_str(o->rcpt);
		reply = report_json_str(o->reply);
		printf("{\"id\": %" G_GINT64_FORMAT ", \"state\": \"%s\", "
		    "\"kind\": \"%s\", \"rcpt\": %s, \"attempts\": %d, "
		    "\"reply\": %s}\n", o->id, o->state, o->kind, rcpt,
		    o->attempts, reply);
		g_free(rcpt);
		g_free(reply);
	}
	g_array_unref(rows);
	return CTL_OK;
}
