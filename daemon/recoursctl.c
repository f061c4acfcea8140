/*
 * recoursctl.c: the administrators' command-line tool.  Each command is
 * one entry of a const table (name, usage, summary, function), which
 * drives both dispatch and --help.  Commands that only look open the
 * database read-only; none of them ever talks to a mail server.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <gmime/gmime.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "case.h"
#include "check.h"
#include "clock.h"
#include "conf.h"
#include "control_proto.h"
#include "dashboard.h"
#include "export.h"
#include "ingest.h"
#include "log.h"
#include "msg.h"
#include "purge.h"
#include "report.h"
#include "spool.h"
#include "store.h"
#include "timer.h"

struct ctl {
	const char	*conf_path;
	struct setup	*setup;
	struct conf	*conf;		/* setup->conf */
	struct store	*store;
};

struct command {
	const char	*name;
	const char	*usage;
	const char	*summary;
	int		 needs;		/* NEED_* */
	int		(*run)(struct ctl *, int, char **);
};
#define NEED_CONF	0x1
#define NEED_STORE_RO	0x2
#define NEED_STORE_RW	0x4
#define NEED_CONF_ONLY	0x8	/* with NEED_CONF: no rules, no templates */

static int	 cmd_version(struct ctl *, int, char **);
static int	 cmd_check(struct ctl *, int, char **);
static int	 cmd_inject(struct ctl *, int, char **);
static int	 cmd_quarantine(struct ctl *, int, char **);
static gboolean	 list_set_aside(struct ctl *, const char *, gboolean);
static int	 cmd_automatic(struct ctl *, int, char **);
static void	 print_automatic(struct ctl *, const struct store_automatic *,
		    gboolean);
static int	 cmd_reprocess(struct ctl *, int, char **);
static int	 cmd_status(struct ctl *, int, char **);
static gboolean	 status_queues(struct ctl *, gboolean);
static void	 status_daemon(struct ctl *, gboolean);
static void	 print_daemon_line(struct ctl *, char **, gboolean, int *);
static int	 simple_request(struct ctl *, int, const char *, int);
static int	 cmd_reload(struct ctl *, int, char **);
static int	 cmd_wake(struct ctl *, int, char **);
static int	 call_daemon(struct ctl *, const char *, int, char **);
static void	 print_injected(int64_t, const char *);
static int	 cmd_deadline(struct ctl *, int, char **);
static struct cal *deadline_calendar(struct ctl *, const char *);
static int	 cmd_outbox(struct ctl *, int, char **);
static int	 cmd_rules(struct ctl *, int, char **);
static int	 cmd_list(struct ctl *, int, char **);
static int	 cmd_show(struct ctl *, int, char **);
static int	 cmd_verify(struct ctl *, int, char **);
static int	 cmd_stats(struct ctl *, int, char **);
static int	 cmd_dashboard(struct ctl *, int, char **);
static int	 this_year(struct ctl *);
static struct rules *profile_rules(const char *);
static int	 cmd_export(struct ctl *, int, char **);
static int	 export_person(struct ctl *, const char *, const char *);
static int	 cmd_purge(struct ctl *, int, char **);
static gboolean	 take_json(int *, char **);
static int	 purge_period(struct ctl *, const char *, struct cfg_period *);
static void	 help(FILE *);
static gboolean	 asks_help(int, char **);
static void	 help_command(const struct command *);
static void	 wrap(FILE *, const char *, int, int);
static int	 parse_id(const char *, int64_t *);
static char	*local_time(struct ctl *, int64_t);
static void	 print_timers(struct ctl *, int64_t);
static const char *action_name(enum case_action);
static void	 print_decision(const struct setup *, int64_t, const char *,
		    const struct msg *, const struct case_decision *, gboolean);
static int	 setup(struct ctl *, int);
static struct setup *setup_conf_only(const char *, GString *);

static const struct command commands[] = {
	{ "version", "version", "print the version and the schema version",
	    0, cmd_version },
	{ "check", "check", "check the configuration, rules and templates",
	    NEED_CONF, cmd_check },
	{ "status", "status [--json]",
	    "inbound messages by state, the outbox backlog, the next timer, "
	    "and from the running daemon each mailbox's connection",
	    NEED_CONF | NEED_STORE_RO, cmd_status },
	{ "reload", "reload",
	    "make the running daemon read its configuration again (as SIGHUP)",
	    NEED_CONF, cmd_reload },
	{ "wake", "wake", "make the running daemon look at its timers now",
	    NEED_CONF, cmd_wake },
	{ "list", "list [--type T] [--state S] [--year Y] [--overdue] "
	    "[--due-within DAYS] [--assignee ADDRESS] [--json]",
	    "cases, the next due first", NEED_CONF | NEED_STORE_RO, cmd_list },
	{ "show", "show REF [--json]",
	    "a case and its timeline of events", NEED_CONF | NEED_STORE_RO,
	    cmd_show },
	{ "export", "export REF [-o DIR] | --person ADDRESS [-o DIR]",
	    "the case file: mbox of every message, attachments, event log",
	    NEED_CONF | NEED_STORE_RO, cmd_export },
	{ "stats", "stats [--year Y] [--type T] [--profile P] [--causes] [--json]",
	    "indicators per type and month against the objectives, as CSV",
	    NEED_CONF | NEED_STORE_RO, cmd_stats },
	{ "dashboard", "dashboard [--year Y] -o FILE.html",
	    "the annual dashboard: one self-contained HTML page",
	    NEED_CONF | NEED_STORE_RO, cmd_dashboard },
	{ "verify", "verify",
	    "check the hash chain of events; name the first altered one",
	    NEED_CONF | NEED_STORE_RO, cmd_verify },
	{ "purge", "purge [--older-than PERIOD] [--dry-run]",
	    "erase closed cases past their retention, keeping the counts",
	    NEED_CONF | NEED_STORE_RW, cmd_purge },
	{ "rules", "rules test FILE.eml... [--mailbox NAME] [--json]",
	    "what the rules would do with a message, writing nothing",
	    NEED_CONF, cmd_rules },
	{ "deadline", "deadline START DURATION [--profile P] [--explain]",
	    "print when a deadline falls due, as the daemon computes it",
	    0, cmd_deadline },
	{ "inject", "inject FILE.eml|- --mailbox NAME",
	    "store a message as if fetched from mailbox NAME, and have the "
	    "running daemon process it at once",
	    NEED_CONF | NEED_CONF_ONLY | NEED_STORE_RW, cmd_inject },
	{ "outbox", "outbox [list [pending|sent|failed] [--json] | retry ID]",
	    "list outgoing mail with the server's replies, or retry a failed one",
	    NEED_CONF | NEED_STORE_RW, cmd_outbox },
	{ "quarantine", "quarantine [list [--json] | show ID]",
	    "list messages set aside (quarantined or failed), or show one",
	    NEED_CONF | NEED_STORE_RO, cmd_quarantine },
	{ "automatic", "automatic [list] [--json]",
	    "list automatic mail (bounces, auto-replies, lists...) and why",
	    NEED_CONF | NEED_STORE_RO, cmd_automatic },
	{ "reprocess", "reprocess ID",
	    "process a message set aside again (after a fix or a limit change)",
	    NEED_CONF | NEED_STORE_RW, cmd_reprocess },
};

/*
 * text from column indent, wrapped before 80 columns at the spaces that
 * are outside brackets ("[--type T]" stays whole).
 */
static void
wrap(FILE *fp, const char *text, int indent, int first)
{
	const char *p = text, *word;
	int	 col = first, depth;
	gboolean start = TRUE;		/* nothing on this line yet */

	while (*p != '\0') {
		for (word = p, depth = 0; *p != '\0' && (*p != ' ' || depth > 0);
		    p++)
			depth += *p == '[' ? 1 : *p == ']' ? -1 : 0;
		if (!start && col + 1 + (p - word) > 79) {
			fprintf(fp, "\n%*s", indent, "");
			col = indent;
		} else if (!start)
			col += fprintf(fp, " ");
		start = FALSE;
		col += fprintf(fp, "%.*s", (int)(p - word), word);
		while (*p == ' ')
			p++;
	}
	fputc('\n', fp);
}

static void
help(FILE *fp)
{
	size_t	 i;

	fprintf(fp, "usage: recoursctl [-f file] command [arguments]\n"
	    "  -f file  configuration file, by default\n           %s\n\n"
	    "commands:\n", RECOURSD_CONF);
	for (i = 0; i < G_N_ELEMENTS(commands); i++) {
		fprintf(fp, "  ");
		wrap(fp, commands[i].usage, 6, 2);
		fprintf(fp, "      ");
		wrap(fp, commands[i].summary, 6, 6);
	}
}

/* CMD --help or CMD -h anywhere among its arguments. */
static gboolean
asks_help(int argc, char **argv)
{
	int	 i;

	for (i = 1; i < argc; i++)
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)
			return TRUE;
	return FALSE;
}

/* Printed before anything is read, so it works with no configuration. */
static void
help_command(const struct command *c)
{
	wrap(stdout, c->usage, 6, printf("usage: recoursctl [-f file] "));
	printf("  ");
	wrap(stdout, c->summary, 2, 2);
	if (c->needs & NEED_CONF) {
		char	*text = g_strdup_printf("Reads the configuration (-f, "
		    "by default %s)%s; never a password file.", RECOURSD_CONF,
		    c->needs & NEED_STORE_RW ? " and writes the database" :
		    c->needs & NEED_STORE_RO ? " and reads the database" : "");

		printf("\n");
		wrap(stdout, text, 0, 0);
		g_free(text);
	}
}

static int
parse_id(const char *s, int64_t *id)
{
	char	*end;

	*id = g_ascii_strtoll(s, &end, 10);
	if (*s == '\0' || *end != '\0' || *id <= 0) {
		fprintf(stderr, "recoursctl: %s: not a message id\n", s);
		return -1;
	}
	return 0;
}

/* Load what the command needs; one clear line on failure. */
static int
setup(struct ctl *ctl, int needs)
{
	GString	*errors;
	GError	*err = NULL;

	if (needs == 0)
		return 0;
	errors = g_string_new(NULL);
	/* recoursctl never connects: it reads no password file. */
	ctl->setup = needs & NEED_CONF_ONLY ? setup_conf_only(ctl->conf_path,
	    errors) : check_load_public(ctl->conf_path, errors);
	if (ctl->setup == NULL) {
		fputs(errors->str, stderr);
		g_string_free(errors, TRUE);
		return -1;
	}
	g_string_free(errors, TRUE);
	ctl->conf = ctl->setup->conf;
	if ((needs & (NEED_STORE_RO | NEED_STORE_RW)) == 0)
		return 0;
	ctl->store = store_open(ctl->conf->database,
	    (needs & NEED_STORE_RW) ? STORE_CREATE : STORE_READONLY, &err);
	if (ctl->store == NULL) {
		fprintf(stderr, "recoursctl: %s\n", err->message);
		g_error_free(err);
		return -1;
	}
	return 0;
}

/*
 * The configuration alone, for inject: an MTA's pipe must not refuse mail
 * over a typo in a rule file (the running daemon keeps its rules), and it
 * answers sooner without loading them.  Caller frees with setup_free().
 */
static struct setup *
setup_conf_only(const char *path, GString *errors)
{
	struct setup	*s = g_new0(struct setup, 1);

	s->templates = g_hash_table_new(g_str_hash, g_str_equal);
	if ((s->conf = conf_load_public(path, errors)) == NULL) {
		setup_free(s);
		return NULL;
	}
	return s;
}

static int
cmd_version(struct ctl *ctl, int argc, char **argv)
{
	(void)ctl;
	(void)argc;
	(void)argv;
	printf("recoursctl %s (database schema %d)\n", PACKAGE_VERSION,
	    store_schema_latest());
	return 0;
}

static int
cmd_check(struct ctl *ctl, int argc, char **argv)
{
	(void)argc;
	(void)argv;
	printf("%s: configuration and rules OK, %u mailbox(es), %u case "
	    "type(s)\n", ctl->conf->path, ctl->conf->mailboxes->len,
	    ctl->setup->rules->types->len);
	return 0;
}

/* A trailing --json, removed from the arguments. */
static gboolean
take_json(int *argc, char **argv)
{
	if (*argc < 2 || strcmp(argv[*argc - 1], "--json") != 0)
		return FALSE;
	argv[--*argc] = NULL;
	return TRUE;
}

static int
cmd_status(struct ctl *ctl, int argc, char **argv)
{
	static const char *const states[] = {
		"new", "processed", "quarantined", "failed", "duplicate"
	};
	gboolean json = take_json(&argc, argv);
	GError	*err = NULL;
	int64_t	 n;
	size_t	 i;

	if (argc != 1) {
		fprintf(stderr, "usage: recoursctl status [--json]\n");
		return 2;
	}
	for (i = 0; i < G_N_ELEMENTS(states); i++) {
		if (!store_inbound_count(ctl->store, states[i], &n, &err)) {
			fprintf(stderr, "recoursctl: %s\n", err->message);
			g_error_free(err);
			return 1;
		}
		if (json)
			printf("%s\"%s\": %" G_GINT64_FORMAT, i ? ", " : "{",
			    states[i], n);
		else
			printf("%-12s %" G_GINT64_FORMAT "\n", states[i], n);
	}
	/* Processed, but opening no case: a count of its own. */
	if (!store_automatic_count(ctl->store, &n, &err)) {
		fprintf(stderr, "recoursctl: %s\n", err->message);
		g_error_free(err);
		return 1;
	}
	if (json)
		printf(", \"automatic\": %" G_GINT64_FORMAT, n);
	else
		printf("%-12s %" G_GINT64_FORMAT "\n", "automatic", n);
	if (!status_queues(ctl, json))
		return 1;
	status_daemon(ctl, json);
	if (json)
		printf("}\n");
	return 0;
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
	a = n > 0 ? local_time(ctl, oldest) : g_strdup("-");
	b = next > 0 ? local_time(ctl, next) : g_strdup("none");
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

	if (call_daemon(ctl, "status", 10, &reply) != 1) {
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
		t = local_time(ctl, g_ascii_strtoll(f[2], NULL, 10));
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
	t = strcmp(f[4], "0") != 0 ? local_time(ctl, g_ascii_strtoll(f[4],
	    NULL, 10)) : g_strdup("never");
	printf("%-12s %s: %s%s, last fetch %s%s%s\n", "mailbox", f[1], f[2],
	    strcmp(f[2], "connected") == 0 ? strcmp(f[3], "idle") == 0 ?
	    " (IDLE)" : " (polling)" : "", t, *f[5] != '\0' ?
	    ", last error: " : "", f[5]);
	g_free(t);
}

/*
 * request to the daemon of this configuration: 1 done (*reply its
 * answer), 0 refused (printed), -1 not reachable (printed unless it is
 * simply not running).  Caller frees *reply.
 */
static int
call_daemon(struct ctl *ctl, const char *request, int timeout, char **reply)
{
	GError	*err = NULL;
	char	*path = control_socket_path(ctl->conf->database);
	int	 rc;

	rc = control_call(path, request, timeout, reply, &err);
	if (rc == 0)
		fprintf(stderr, "recoursctl: recoursd: %s\n", *reply);
	else if (rc == -1 && !g_error_matches(err, G_IO_ERROR,
	    G_IO_ERROR_NOT_FOUND))
		fprintf(stderr, "recoursctl: %s\n", err->message);
	g_clear_error(&err);
	g_free(path);
	if (rc != 1) {
		g_free(*reply);
		*reply = NULL;
	}
	return rc;
}

/* A request that takes no argument and prints the daemon's answer. */
static int
simple_request(struct ctl *ctl, int argc, const char *what, int timeout)
{
	char	*reply;
	int	 rc;

	if (argc != 1) {
		fprintf(stderr, "usage: recoursctl %s\n", what);
		return 2;
	}
	if ((rc = call_daemon(ctl, what, timeout, &reply)) == -1)
		fprintf(stderr, "recoursctl: recoursd does not answer; is it "
		    "running?\n");
	if (rc == 1)
		printf("%s\n", reply);
	g_free(reply);
	return rc == 1 ? 0 : 1;
}

static int
cmd_reload(struct ctl *ctl, int argc, char **argv)
{
	(void)argv;
	return simple_request(ctl, argc, "reload", 30);
}

static int
cmd_wake(struct ctl *ctl, int argc, char **argv)
{
	(void)argv;
	return simple_request(ctl, argc, "wake", 10);
}

/*
 * recoursctl deadline 2026-12-24T10:00 "5 jours ouvrés" [--explain]: the
 * due instant in ISO 8601 with its offset, and with --explain every day
 * counted or skipped, so that a rule can be checked by hand.
 */
/*
 * The calendar of profile (a directory holding recoursd.conf, or the name
 * of a shipped profile), or of the configuration, or with no
 * configuration at all the French calendar alone (said on stderr, since
 * a site's closures are then missing); caller frees.  NULL after printing
 * why.
 */
static struct cal *
deadline_calendar(struct ctl *ctl, const char *profile)
{
	GString		*errors = g_string_new(NULL);
	struct conf	*c;
	struct cal	*cal = NULL;
	char		*path;

	if (profile == NULL && !g_file_test(ctl->conf_path,
	    G_FILE_TEST_EXISTS)) {
		fprintf(stderr, "recoursctl: %s: no configuration; the French "
		    "calendar alone (public holidays, no closures, not "
		    "Alsace-Moselle)\n", ctl->conf_path);
		g_string_free(errors, TRUE);
		return cal_new(FALSE);
	}
	if (profile == NULL) {
		if (setup(ctl, NEED_CONF) == 0)
			cal = check_calendar(ctl->conf);
		g_string_free(errors, TRUE);
		return cal;
	}
	path = strchr(profile, '/') != NULL ? g_build_filename(profile,
	    "recoursd.conf", NULL) : g_build_filename(DATADIR, "recoursd",
	    "profiles", profile, "recoursd.conf", NULL);
	if ((c = conf_load_calendar(path, errors)) == NULL)
		fprintf(stderr, "%s%s", errors->str, g_file_test(path,
		    G_FILE_TEST_EXISTS) ? "" : "recoursctl: no such profile\n");
	else {
		cal = check_calendar(c);
		conf_free(c);
	}
	g_free(path);
	g_string_free(errors, TRUE);
	return cal;
}

static int
cmd_deadline(struct ctl *ctl, int argc, char **argv)
{
	struct cal_duration d;
	struct cal	*cal;
	GDateTime	*start, *due;
	GPtrArray	*explain = NULL;
	GError		*err = NULL;
	const char	*profile = NULL, *args[2];
	char		*text;
	int		 i, n = 0;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--explain") == 0 && explain == NULL)
			explain = g_ptr_array_new_with_free_func(g_free);
		else if (strcmp(argv[i], "--profile") == 0 && i + 1 < argc &&
		    profile == NULL)
			profile = argv[++i];
		else if (n < 2 && argv[i][0] != '-')
			args[n++] = argv[i];
		else
			n = 3;
	}
	if (n != 2) {
		fprintf(stderr, "usage: recoursctl deadline START DURATION "
		    "[--profile P] [--explain]\n");
		if (explain != NULL)
			g_ptr_array_free(explain, TRUE);
		return 2;
	}
	if ((cal = deadline_calendar(ctl, profile)) == NULL) {
		if (explain != NULL)
			g_ptr_array_free(explain, TRUE);
		return 1;
	}
	if (!cal_parse_duration(args[1], &d, &err) ||
	    (start = cal_parse_instant(cal, args[0], &err)) == NULL) {
		fprintf(stderr, "recoursctl: %s\n", err->message);
		g_error_free(err);
		if (explain != NULL)
			g_ptr_array_free(explain, TRUE);
		cal_free(cal);
		return 1;
	}
	due = cal_due(cal, start, &d, explain);
	for (i = 0; explain != NULL && i < (int)explain->len; i++)
		printf("  %s\n", (char *)g_ptr_array_index(explain, i));
	text = cal_format(due);
	printf("%s\n", text);
	g_free(text);
	g_date_time_unref(due);
	g_date_time_unref(start);
	if (explain != NULL)
		g_ptr_array_free(explain, TRUE);
	cal_free(cal);
	return 0;
}

static int
cmd_outbox(struct ctl *ctl, int argc, char **argv)
{
	gboolean json = take_json(&argc, argv);
	GArray	*rows;
	GError	*err = NULL;
	int64_t	 id;
	guint	 i;

	if (argc == 3 && strcmp(argv[1], "retry") == 0) {
		if (parse_id(argv[2], &id) == -1)
			return 2;
		if (!store_outbox_retry(ctl->store, id, clock_now(), &err)) {
			fprintf(stderr, "recoursctl: %s\n", err->message);
			g_error_free(err);
			return 1;
		}
		printf("%" G_GINT64_FORMAT ": pending again; the daemon sends it "
		    "at its next look (within a minute)\n", id);
		return 0;
	}
	if (argc > 3 || (argc >= 2 && strcmp(argv[1], "list") != 0) ||
	    (argc == 3 && strcmp(argv[2], "pending") != 0 &&
	    strcmp(argv[2], "sent") != 0 && strcmp(argv[2], "failed") != 0)) {
		fprintf(stderr, "usage: recoursctl outbox [list [pending|sent|"
		    "failed] [--json] | retry ID]\n");
		return 2;
	}
	if ((rows = store_outbox_list(ctl->store, argc == 3 ? argv[2] : NULL,
	    &err)) == NULL) {
		fprintf(stderr, "recoursctl: %s\n", err->message);
		g_error_free(err);
		return 1;
	}
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
	return 0;
}

static const char *
action_name(enum case_action a)
{
	return a == CASE_OPEN ? "open" : a == CASE_JOIN ? "join" :
	    a == CASE_ALREADY ? "already" : "none";
}

static void
print_decision(const struct setup *setup, int64_t now, const char *file,
    const struct msg *m, const struct case_decision *d, gboolean json)
{
	char	*tag = d->tag != NULL ? g_strstrip(g_strdup(d->tag)) : NULL;
	char	*f, *sub, *t, *tg, *c, *j, *a, *au, *miss;
	GString	*list = g_string_new(NULL);
	guint	 i;

	for (i = 0; d->missing != NULL && i < d->missing->len; i++) {
		char	*one = report_json_str(g_ptr_array_index(d->missing, i));

		g_string_append_printf(list, "%s%s", i ? ", " : "", one);
		g_free(one);
	}
	if (json) {
		f = report_json_str(file);
		sub = report_json_str(m->subject);
		t = report_json_str(d->type != NULL ? d->type->name : NULL);
		tg = report_json_str(tag);
		c = report_json_str(d->existing.ref);
		j = report_json_str(d->joined_by);
		a = report_json_str(d->admissibility);
		au = report_json_str(d->automatic);
		printf("{\"file\": %s, \"subject\": %s, \"action\": \"%s\", "
		    "\"type\": %s, \"tag\": %s, \"case\": %s, \"joined_by\": %s, "
		    "\"state\": \"%s\", \"missing\": [%s], \"admissibility\": %s, "
		    "\"out_of_time\": %s, \"automatic\": %s, \"sender\": \"%s\", "
		    "\"moves\": %s}\n", f, sub, action_name(d->action), t,
		    tg, c, j, d->action == CASE_NONE ? "none" :
		    case_state_name(d->state), list->str, a,
		    d->out_of_time ? "true" : "false", au,
		    case_sender_name(d->sender), case_moves(d) ? "true" :
		    "false");
		g_free(au);
		g_free(f);
		g_free(sub);
		g_free(t);
		g_free(tg);
		g_free(c);
		g_free(j);
		g_free(a);
	} else if (d->action == CASE_NONE)
		printf("%s\n  subject:  %s\n  decision: keep it, in no case: "
		    "automatic mail (%s)\n", file, m->subject, d->automatic);
	else {
		miss = g_strdup(list->str);
		printf("%s\n  subject:  %s\n", file, m->subject);
		if (d->action == CASE_OPEN)
			printf("  decision: open a new %s case (%s, references "
			    "%s-YYYY-NNNN)%s%s%s\n", d->type->name,
			    d->type->label_fr, d->type->prefix,
			    d->existing.ref != NULL ? ", linked to closed case " :
			    "", d->existing.ref != NULL ? d->existing.ref : "",
			    "");
		else
			printf("  decision: %s case %s: %s\n",
			    d->action == CASE_JOIN ? "joins" : "already in",
			    d->existing.ref, d->joined_by);
		if (d->action != CASE_OPEN)
			printf("  sender:   %s%s%s\n", d->automatic != NULL ?
			    "automatic mail: " : case_sender_name(d->sender),
			    d->automatic != NULL ? d->automatic : "",
			    case_moves(d) ? "" : " (the case does not move)");
		printf("  matched:  %s\n", tag != NULL ? tag : d->by_default ?
		    "(the mailbox's default type)" : d->action == CASE_OPEN ?
		    "(no tag: triage)" : "-");
		printf("  state:    %s%s\n", case_state_name(d->state),
		    d->closed_answer ? " (the case stays closed)" : "");
		if (list->len > 0)
			printf("  missing:  %s\n", miss);
		if (d->admissibility != NULL)
			printf("  admissibility: %s%s\n", d->admissibility,
			    d->out_of_time ? "  [OUT OF TIME: flagged for staff]" :
			    "");
		for (i = 0; d->action == CASE_OPEN && i <
		    d->type->deadlines->len; i++) {
			const struct rules_deadline *dl = g_ptr_array_index(
			    d->type->deadlines, i);
			GDateTime *due = timer_due(setup, dl, now);
			char	*at = cal_format(due);

			printf("  deadline: %-10s due %s (met by %s)\n",
			    dl->name, at, dl->met_by);
			g_free(at);
			g_date_time_unref(due);
		}
		g_free(miss);
	}
	g_free(tag);
	g_string_free(list, TRUE);
}

/*
 * recoursctl rules test FILE.eml... [--mailbox NAME] [--json]: what the
 * daemon would decide for each message, against the current database (or
 * an empty one), writing nothing.
 */
static int
cmd_rules(struct ctl *ctl, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "mailbox", required_argument, NULL, 'm' },
		{ "json", no_argument, NULL, 'j' },
		{ NULL, 0, NULL, 0 }
	};
	const struct conf_mailbox *mb = NULL;
	struct msg_limits lim = msg_limits_default();
	struct store	*st;
	GError		*err = NULL;
	gboolean	 json = FALSE;
	char		*tmp;
	int		 ch, i, rc = 0;

	optind = 0;
	while ((ch = getopt_long(argc, argv, "m:j", opts, NULL)) != -1) {
		if (ch == 'j')
			json = TRUE;
		else if (ch == 'm' &&
		    (mb = conf_mailbox(ctl->conf, optarg)) == NULL) {
			fprintf(stderr, "recoursctl: %s: no mailbox named \"%s\"\n",
			    ctl->conf->path, optarg);
			return 1;
		} else if (ch != 'm')
			return 2;
	}
	if (optind >= argc - 1 || strcmp(argv[optind], "test") != 0) {
		fprintf(stderr, "usage: recoursctl rules test FILE.eml... "
		    "[--mailbox NAME] [--json]\n");
		return 2;
	}
	st = store_open(ctl->conf->database, STORE_READONLY, NULL);
	if (st == NULL && (st = store_open(":memory:", STORE_CREATE, &err)) ==
	    NULL) {
		fprintf(stderr, "recoursctl: %s\n", err->message);
		g_error_free(err);
		return 1;
	}
	tmp = g_dir_make_tmp("recoursctl.XXXXXX", NULL);
	for (i = optind + 1; i < argc; i++) {
		struct case_decision d;
		struct msg	*m;

		if ((m = msg_parse_file(argv[i], &lim, tmp, &err)) == NULL) {
			printf("%s\n  quarantine: %s\n", argv[i], err->message);
			g_clear_error(&err);
			continue;
		}
		if (case_decide(st, ctl->setup, m, mb != NULL ? mb->role : NULL,
		    clock_now(), &d, &err))
			print_decision(ctl->setup, clock_now(), argv[i], m, &d,
			    json);
		else {
			fprintf(stderr, "recoursctl: %s\n", err->message);
			g_clear_error(&err);
			rc = 1;
		}
		case_decision_clear(&d);
		msg_free(m);
	}
	spool_remove_tree(tmp);
	g_free(tmp);
	store_close(st);
	return rc;
}

/* Each named deadline of the case on its own line, with its outcome. */
static void
print_timers(struct ctl *ctl, int64_t case_id)
{
	GArray	*timers = store_case_timers(ctl->store, case_id, NULL);
	guint	 i;

	for (i = 0; timers != NULL && i < timers->len; i++) {
		const struct store_timer *t = &g_array_index(timers,
		    struct store_timer, i);
		char	*at = local_time(ctl, t->due_at);

		if (strcmp(t->kind, "due") == 0)
			printf("  deadline:    %-12s due %s  %s\n", t->deadline, at,
			    t->state);
		else
			printf("  reminder:    %-12s at  %s  %s\n", t->deadline, at,
			    t->state);
		g_free(at);
	}
	if (timers != NULL)
		g_array_unref(timers);
}

/* "2026-11-23 09:14" in the calendar's zone; caller frees. */
static char *
local_time(struct ctl *ctl, int64_t t)
{
	GDateTime	*u = g_date_time_new_from_unix_utc(t);
	GDateTime	*l = g_date_time_to_timezone(u, cal_zone(ctl->setup->cal));
	char		*s = g_date_time_format(l, "%Y-%m-%d %H:%M");

	g_date_time_unref(u);
	g_date_time_unref(l);
	return s;
}

/* What list filters and sorts on, beyond the case row. */
struct listed {
	const struct store_case *c;
	int64_t		 next_due;	/* earliest pending deadline; 0: none */
	gboolean	 overdue;	/* a deadline missed, or due and not fired */
	char		*assignee;	/* last #assigner; NULL: none */
};

/* The deadlines and the assignee of c, from its timers and events. */
static gboolean
listed_fill(struct ctl *ctl, const struct store_case *c, int64_t now,
    struct listed *l, GError **err)
{
	GArray	*timers, *events;
	guint	 i;

	memset(l, 0, sizeof(*l));
	l->c = c;
	if ((timers = store_case_timers(ctl->store, c->id, err)) == NULL ||
	    (events = store_case_events(ctl->store, c->id, err)) == NULL) {
		if (timers != NULL)
			g_array_unref(timers);
		return FALSE;
	}
	for (i = 0; i < timers->len; i++) {
		const struct store_timer *t = &g_array_index(timers,
		    struct store_timer, i);

		if (strcmp(t->kind, "due") != 0)
			continue;
		if (strcmp(t->state, "pending") == 0 && (l->next_due == 0 ||
		    t->due_at < l->next_due))
			l->next_due = t->due_at;
		if (strcmp(c->state, "closed") != 0 &&
		    (strcmp(t->state, "missed") == 0 ||
		    (strcmp(t->state, "pending") == 0 && t->due_at <= now)))
			l->overdue = TRUE;
	}
	for (i = 0; i < events->len; i++) {
		const struct store_event *e = &g_array_index(events,
		    struct store_event, i);

		if (strcmp(e->kind, "assigner") == 0) {
			g_free(l->assignee);
			l->assignee = g_strdup(e->detail);
		}
	}
	g_array_unref(timers);
	g_array_unref(events);
	return TRUE;
}

/* By next due date, the cases without one last, then by reference. */
static int
by_next_due(gconstpointer a, gconstpointer b)
{
	const struct listed *x = a, *y = b;

	if (x->next_due != y->next_due)
		return x->next_due == 0 ? 1 : y->next_due == 0 ? -1 :
		    x->next_due < y->next_due ? -1 : 1;
	return x->c->id < y->c->id ? -1 : x->c->id > y->c->id;
}

static void
print_listed(struct ctl *ctl, const struct listed *l, gboolean json)
{
	const struct store_case *c = l->c;
	char	*when = local_time(ctl, c->opened_at);
	char	*due = l->next_due > 0 ? local_time(ctl, l->next_due) :
	    g_strdup("-");

	if (json) {
		char	*r = report_json_str(c->ref), *t = report_json_str(c->type);
		char	*st = report_json_str(c->state), *a = report_json_str(
		    c->complainant_addr), *sub = report_json_str(c->subject);
		char	*as = report_json_str(l->assignee);

		printf("{\"ref\": %s, \"type\": %s, \"state\": %s, "
		    "\"opened_at\": %" G_GINT64_FORMAT ", \"complainant\": "
		    "%s, \"subject\": %s, \"out_of_time\": %s, \"next_due\": "
		    "%" G_GINT64_FORMAT ", \"overdue\": %s, \"assignee\": %s}\n",
		    r, t, st, c->opened_at, a, sub, c->out_of_time ? "true" :
		    "false", l->next_due, l->overdue ? "true" : "false", as);
		g_free(r);
		g_free(t);
		g_free(st);
		g_free(a);
		g_free(sub);
		g_free(as);
	} else {
		/* Colour only for a person at a terminal, never in a pipe. */
		gboolean colour = l->overdue && isatty(STDOUT_FILENO) &&
		    g_getenv("NO_COLOR") == NULL;

		printf("%s%-14s %-10.10s %-12.12s %-16s %-16s %.16s%s%s%s\n",
		    colour ? "\033[31m" : "", c->ref, c->type, c->state, when,
		    due, c->complainant_addr ? c->complainant_addr : "-",
		    l->overdue ? " !overdue" : "", c->out_of_time ? " !late" :
		    "", colour ? "\033[0m" : "");
	}
	g_free(when);
	g_free(due);
}

static int
cmd_list(struct ctl *ctl, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "type", required_argument, NULL, 't' },
		{ "state", required_argument, NULL, 's' },
		{ "year", required_argument, NULL, 'y' },
		{ "overdue", no_argument, NULL, 'o' },
		{ "due-within", required_argument, NULL, 'w' },
		{ "assignee", required_argument, NULL, 'a' },
		{ "json", no_argument, NULL, 'j' },
		{ NULL, 0, NULL, 0 }
	};
	const char	*type = NULL, *state = NULL, *assignee = NULL;
	GArray		*rows, *shown;
	GError		*err = NULL;
	gboolean	 json = FALSE, overdue = FALSE;
	int64_t		 now = clock_now();
	int		 ch, year = 0, within = -1;
	char		*end;
	guint		 i;

	optind = 0;
	while ((ch = getopt_long(argc, argv, "t:s:y:ow:a:j", opts, NULL)) != -1) {
		switch (ch) {
		case 't':
			type = optarg;
			break;
		case 's':
			state = optarg;
			break;
		case 'y':
			if ((year = atoi(optarg)) < 1970 || year > 9999) {
				fprintf(stderr, "recoursctl: %s: not a year\n",
				    optarg);
				return 1;
			}
			break;
		case 'o':
			overdue = TRUE;
			break;
		case 'w':
			within = (int)strtol(optarg, &end, 10);
			if (*optarg == '\0' || *end != '\0' || within < 0 ||
			    within > 3660) {
				fprintf(stderr, "recoursctl: --due-within %s: a "
				    "number of days (0 to 3660)\n", optarg);
				return 1;
			}
			break;
		case 'a':
			assignee = optarg;
			break;
		case 'j':
			json = TRUE;
			break;
		default:
			return 2;
		}
	}
	if (type != NULL && rules_type(ctl->setup->rules, type) == NULL) {
		fprintf(stderr, "recoursctl: no case type \"%s\" in the rules\n",
		    type);
		return 1;
	}
	if ((rows = store_case_list(ctl->store, type, state, year, &err)) ==
	    NULL) {
		fprintf(stderr, "recoursctl: %s\n", err->message);
		g_error_free(err);
		return 1;
	}
	shown = g_array_new(FALSE, TRUE, sizeof(struct listed));
	for (i = 0; i < rows->len; i++) {
		struct listed l;

		if (!listed_fill(ctl, &g_array_index(rows, struct store_case, i),
		    now, &l, &err)) {
			fprintf(stderr, "recoursctl: %s\n", err->message);
			g_error_free(err);
			return 1;
		}
		if ((overdue && !l.overdue) || (within >= 0 && (l.next_due == 0 ||
		    l.next_due > now + (int64_t)within * 86400)) ||
		    (assignee != NULL && (l.assignee == NULL ||
		    g_ascii_strcasecmp(l.assignee, assignee) != 0))) {
			g_free(l.assignee);
			continue;
		}
		g_array_append_val(shown, l);
	}
	g_array_sort(shown, by_next_due);
	if (!json && shown->len > 0)
		printf("%-14s %-10s %-12s %-16s %-16s %s\n", "REFERENCE", "TYPE",
		    "STATE", "OPENED", "NEXT DUE", "COMPLAINANT");
	for (i = 0; i < shown->len; i++) {
		print_listed(ctl, &g_array_index(shown, struct listed, i), json);
		g_free(g_array_index(shown, struct listed, i).assignee);
	}
	g_array_unref(shown);
	g_array_unref(rows);
	return 0;
}

static int
cmd_show(struct ctl *ctl, int argc, char **argv)
{
	struct store_case c;
	GArray		*evs;
	GError		*err = NULL;
	gboolean	 json = argc == 3 && strcmp(argv[2], "--json") == 0;
	guint		 i;
	char		*when;

	if (argc != 2 && !json) {
		fprintf(stderr, "usage: recoursctl show REF [--json]\n");
		return 2;
	}
	if (!store_case_by_ref(ctl->store, argv[1], &c, &err)) {
		fprintf(stderr, "recoursctl: %s\n", err != NULL ? err->message :
		    "no such case");
		g_clear_error(&err);
		return 1;
	}
	if ((evs = store_case_events(ctl->store, c.id, &err)) == NULL) {
		fprintf(stderr, "recoursctl: %s\n", err->message);
		g_error_free(err);
		store_case_clear(&c);
		return 1;
	}
	when = local_time(ctl, c.opened_at);
	if (json) {
		char	*r = report_json_str(c.ref), *t = report_json_str(c.type);
		char	*st = report_json_str(c.state), *sub = report_json_str(c.subject);

		printf("{\"ref\": %s, \"type\": %s, \"state\": %s, "
		    "\"subject\": %s, \"opened_at\": %" G_GINT64_FORMAT
		    ", \"purged_at\": ", r, t, st, sub, c.opened_at);
		if (c.purged_at > 0)
			printf("%" G_GINT64_FORMAT, c.purged_at);
		else
			printf("null");
		printf(", \"events\": [");
		for (i = 0; i < evs->len; i++) {
			const struct store_event *e = &g_array_index(evs,
			    struct store_event, i);
			char	*k = report_json_str(e->kind), *a = report_json_str(e->actor);
			char	*dt = report_json_str(e->detail);

			printf("%s{\"at\": %" G_GINT64_FORMAT ", \"kind\": %s, "
			    "\"actor\": %s, \"detail\": %s}", i ? ", " : "",
			    e->at, k, a, dt);
			g_free(k);
			g_free(a);
			g_free(dt);
		}
		printf("]}\n");
		g_free(r);
		g_free(t);
		g_free(st);
		g_free(sub);
	} else {
		printf("%s  %s, %s\n", c.ref, c.type, c.state);
		printf("  subject:     %s\n", c.subject ? c.subject : "");
		printf("  complainant: %s <%s>%s%s\n", c.complainant_name ?
		    c.complainant_name : "", c.complainant_addr ?
		    c.complainant_addr : "", c.reply_to ? "  Reply-To: " : "",
		    c.reply_to ? c.reply_to : "");
		printf("  opened:      %s (mailbox %s)\n", when,
		    c.mailbox ? c.mailbox : "-");
		if (c.missing != NULL)
			printf("  missing:     %s\n", c.missing);
		if (c.out_of_time)
			printf("  admissibility: lodged OUT OF TIME\n");
		if (c.purged_at > 0) {
			char	*p = local_time(ctl, c.purged_at);

			printf("  purged:      %s: who wrote, what and to whom "
			    "is erased (retention)\n", p);
			g_free(p);
		}
		print_timers(ctl, c.id);
		printf("\n");
		for (i = 0; i < evs->len; i++) {
			const struct store_event *e = &g_array_index(evs,
			    struct store_event, i);
			char	*at = local_time(ctl, e->at);

			printf("  %s  %-12s %s\n", at, e->kind, *e->actor ?
			    e->actor : "(erased)");
			if (e->detail != NULL && *e->detail != '\0')
				printf("                    %s\n", e->detail);
			g_free(at);
		}
	}
	g_free(when);
	g_array_unref(evs);
	store_case_clear(&c);
	return 0;
}

/*
 * GDPR right of access (art. 15): every case of one person, each as its
 * case file, under dir, with a note to review it before sending: others
 * named in it (staff, the firm) are to be masked (art. 15(4)).
 */
static int
export_person(struct ctl *ctl, const char *address, const char *dir)
{
	GArray	*cases;
	GString	*index = g_string_new(NULL);
	GError	*err = NULL;
	char	*path;
	guint	 i, n = 0;
	int	 rc = 1;

	if (dir == NULL) {
		fprintf(stderr, "usage: recoursctl export --person ADDRESS "
		    "[-o DIR]\n");
		g_string_free(index, TRUE);
		return 2;
	}
	if ((cases = store_case_list(ctl->store, NULL, NULL, 0, &err)) == NULL)
		goto fail;
	for (i = 0; i < cases->len; i++) {
		const struct store_case *c = &g_array_index(cases,
		    struct store_case, i);

		if ((c->complainant_addr == NULL || g_ascii_strcasecmp(
		    c->complainant_addr, address) != 0) && (c->reply_to ==
		    NULL || g_ascii_strcasecmp(c->reply_to, address) != 0))
			continue;
		if (n++ == 0 && (g_file_test(dir, G_FILE_TEST_EXISTS) ||
		    g_mkdir_with_parents(dir, 0750) != 0)) {
			fprintf(stderr, "recoursctl: %s: %s\n", dir,
			    g_file_test(dir, G_FILE_TEST_EXISTS) ? "already "
			    "exists; give a new directory" : g_strerror(errno));
			goto out;
		}
		path = g_build_filename(dir, c->ref, NULL);
		g_string_append_printf(index, "  %s (%s, %s)\n", c->ref, c->type,
		    c->state);
		if (!export_case(ctl->store, ctl->setup, c->ref, path, &err)) {
			g_free(path);
			goto fail;
		}
		g_free(path);
	}
	if (n == 0) {
		fprintf(stderr, "recoursctl: no case of %s (purged cases name no "
		    "one)\n", address);
		goto out;
	}
	/* The reader of the copy is told what to check before it goes. */
	g_string_prepend(index, "\n");
	g_string_prepend(index, address);
	g_string_prepend(index, "Données de ");
	g_string_append(index, "\nÀ relire avant de l'envoyer : masquer ce qui "
	    "concerne d'autres personnes (personnel, entreprise mise en cause), "
	    "RGPD art. 15(4).\nRéponse due dans le mois de la demande "
	    "(art. 12(3)).\n");
	path = g_build_filename(dir, "LISEZMOI.txt", NULL);
	if (!g_file_set_contents(path, index->str, -1, &err)) {
		g_free(path);
		goto fail;
	}
	g_free(path);
	printf("%u case(s) of %s written to %s (LISEZMOI.txt: review before "
	    "sending)\n", n, address, dir);
	rc = 0;
	goto out;
fail:
	fprintf(stderr, "recoursctl: %s\n", err->message);
	g_error_free(err);
out:
	if (cases != NULL)
		g_array_unref(cases);
	g_string_free(index, TRUE);
	return rc;
}

static int
cmd_export(struct ctl *ctl, int argc, char **argv)
{
	const char	*dir;
	GError		*err = NULL;

	if ((argc == 3 || argc == 5) && strcmp(argv[1], "--person") == 0)
		return export_person(ctl, argv[2], argc == 5 &&
		    strcmp(argv[3], "-o") == 0 ? argv[4] : argc == 3 ? argv[2] :
		    NULL);
	if (argc == 4 && strcmp(argv[2], "-o") == 0)
		dir = argv[3];
	else if (argc == 2)
		dir = argv[1];
	else {
		fprintf(stderr, "usage: recoursctl export REF [-o DIR] | "
		    "--person ADDRESS [-o DIR]\n");
		return 2;
	}
	if (!export_case(ctl->store, ctl->setup, argv[1], dir, &err)) {
		fprintf(stderr, "recoursctl: %s\n", err->message);
		g_error_free(err);
		return 1;
	}
	printf("%s written to %s: messages.mbox, attachments/, events.txt\n",
	    argv[1], dir);
	return 0;
}

/*
 * recoursctl dashboard [--year Y] -o FILE.html: written to a temporary
 * file beside FILE, then renamed: never half a page.
 */
static int
cmd_dashboard(struct ctl *ctl, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "year", required_argument, NULL, 'y' },
		{ "output", required_argument, NULL, 'o' },
		{ NULL, 0, NULL, 0 }
	};
	const char	*out = NULL;
	GPtrArray	*rows;
	GArray		*causes;
	GError		*err = NULL;
	char		*tmp;
	FILE		*fp;
	int		 ch, fd, year = this_year(ctl);

	optind = 0;
	while ((ch = getopt_long(argc, argv, "y:o:", opts, NULL)) != -1) {
		if (ch == 'y' && ((year = atoi(optarg)) < 1970 || year > 9999)) {
			fprintf(stderr, "recoursctl: %s: not a year\n", optarg);
			return 1;
		} else if (ch == 'o')
			out = optarg;
		else if (ch != 'y')
			return 2;
	}
	if (out == NULL || optind != argc) {
		fprintf(stderr, "usage: recoursctl dashboard [--year Y] -o "
		    "FILE.html\n");
		return 2;
	}
	if ((rows = report_rows(ctl->store, ctl->setup->rules, year, NULL,
	    cal_zone(ctl->setup->cal), &err)) == NULL ||
	    (causes = report_cause_counts(ctl->store, year, NULL, &err)) == NULL) {
		fprintf(stderr, "recoursctl: %s\n", err->message);
		g_error_free(err);
		if (rows != NULL)
			g_ptr_array_unref(rows);
		return 1;
	}
	tmp = g_strdup_printf("%s.XXXXXX", out);	/* g_mkstemp() template */
	if ((fd = g_mkstemp(tmp)) == -1 || (fp = fdopen(fd, "w")) == NULL) {
		fprintf(stderr, "recoursctl: %s: %s\n", out, g_strerror(errno));
		if (fd != -1) {
			close(fd);
			unlink(tmp);
		}
		g_free(tmp);
		g_ptr_array_unref(rows);
		g_array_unref(causes);
		return 1;
	}
	dashboard_write(fp, ctl->conf->org_name, year, rows, causes);
	g_ptr_array_unref(rows);
	g_array_unref(causes);
	if (fflush(fp) != 0 || fsync(fileno(fp)) != 0 || fclose(fp) != 0 ||
	    rename(tmp, out) != 0) {
		fprintf(stderr, "recoursctl: %s: %s\n", out, g_strerror(errno));
		unlink(tmp);
		g_free(tmp);
		return 1;
	}
	g_free(tmp);
	return 0;
}

/*
 * The rules of profile (a directory, or the name of a shipped profile),
 * for the objectives it declares; NULL after printing why.
 */
static struct rules *
profile_rules(const char *profile)
{
	GString		*errors = g_string_new(NULL);
	struct rules	*r;
	char		*dir = strchr(profile, '/') != NULL ? g_build_filename(
	    profile, "rules", NULL) : g_build_filename(DATADIR, "recoursd",
	    "profiles", profile, "rules", NULL);

	if ((r = rules_load(dir, errors)) == NULL)
		fprintf(stderr, "%s", errors->str);
	g_free(dir);
	g_string_free(errors, TRUE);
	return r;
}

/* The current year of the simulated or real clock, in the calendar's zone. */
static int
this_year(struct ctl *ctl)
{
	GDateTime	*u = g_date_time_new_from_unix_utc(clock_now());
	GDateTime	*l = g_date_time_to_timezone(u, cal_zone(ctl->setup->cal));
	int		 year = g_date_time_get_year(l);

	g_date_time_unref(l);
	g_date_time_unref(u);
	return year;
}

static int
cmd_stats(struct ctl *ctl, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "year", required_argument, NULL, 'y' },
		{ "type", required_argument, NULL, 't' },
		{ "json", no_argument, NULL, 'j' },
		{ "profile", required_argument, NULL, 'p' },
		{ "causes", no_argument, NULL, 'c' },
		{ NULL, 0, NULL, 0 }
	};
	const char	*type = NULL, *profile = NULL;
	struct rules	*rules = NULL;
	GError		*err = NULL;
	gboolean	 json = FALSE, causes = FALSE, ok;
	int		 ch, year = this_year(ctl);

	optind = 0;
	while ((ch = getopt_long(argc, argv, "y:t:jp:c", opts, NULL)) != -1) {
		if (ch == 'y') {
			if ((year = atoi(optarg)) < 1970 || year > 9999) {
				fprintf(stderr, "recoursctl: %s: not a year\n",
				    optarg);
				return 1;
			}
		} else if (ch == 't')
			type = optarg;
		else if (ch == 'j')
			json = TRUE;
		else if (ch == 'p')
			profile = optarg;
		else if (ch == 'c')
			causes = TRUE;
		else
			return 2;
	}
	if (type != NULL && rules_type(ctl->setup->rules, type) == NULL) {
		fprintf(stderr, "recoursctl: no case type \"%s\" in the rules\n",
		    type);
		return 1;
	}
	if (profile != NULL && (rules = profile_rules(profile)) == NULL)
		return 1;
	ok = causes ? report_causes(ctl->store, year, type, json, stdout, &err) :
	    report_stats(ctl->store, rules != NULL ? rules : ctl->setup->rules,
	    year, type, cal_zone(ctl->setup->cal), json, stdout, &err);
	rules_free(rules);
	if (!ok) {
		fprintf(stderr, "recoursctl: %s\n", err->message);
		g_error_free(err);
		return 1;
	}
	return 0;
}

static int
cmd_verify(struct ctl *ctl, int argc, char **argv)
{
	GError	*err = NULL;
	char	*why = NULL;
	int64_t	 bad, n = 0, erased = 0;

	(void)argc;
	(void)argv;
	bad = store_verify_events(ctl->store, &n, &erased, &why, &err);
	if (bad < 0) {
		fprintf(stderr, "recoursctl: %s\n", err->message);
		g_error_free(err);
		return 1;
	}
	if (bad > 0) {
		printf("chain BROKEN: %s\n", why);
		g_free(why);
		return 1;
	}
	printf("chain intact: %" G_GINT64_FORMAT " event(s)", n);
	if (erased > 0)
		printf(", %" G_GINT64_FORMAT " erased by a purge of their case",
		    erased);
	printf("\n");
	return 0;
}

/*
 * The period to purge after: the configured retention, or a longer one.
 * A shorter one is refused: the retention is a duty to keep, too.
 */
static int
purge_period(struct ctl *ctl, const char *text, struct cfg_period *age)
{
	const struct cfg_period *keep = &ctl->conf->retention;
	GDateTime *now, *a, *b;
	GError	*err = NULL;
	char	*mine, *theirs;
	int	 shorter;

	if (text == NULL) {
		*age = *keep;
		return 0;
	}
	if (!cfg_parse_period(text, age, &err)) {
		fprintf(stderr, "recoursctl: --older-than %s\n", err->message);
		g_error_free(err);
		return -1;
	}
	now = g_date_time_new_from_unix_utc(clock_now());
	a = cfg_period_before(age, now);
	b = cfg_period_before(keep, now);
	shorter = g_date_time_compare(a, b) > 0;
	g_date_time_unref(a);
	g_date_time_unref(b);
	g_date_time_unref(now);
	if (!shorter)
		return 0;
	mine = cfg_period_format(age);
	theirs = cfg_period_format(keep);
	fprintf(stderr, "recoursctl: --older-than %s is shorter than the "
	    "retention (%s, %s%s%d): closed cases are kept that long; change "
	    "retention.keep first\n", mine, theirs, ctl->conf->retention_line ?
	    ctl->conf->path : "the default", ctl->conf->retention_line ? ":" :
	    "", ctl->conf->retention_line);
	g_free(mine);
	g_free(theirs);
	return -1;
}

static int
cmd_purge(struct ctl *ctl, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "older-than", required_argument, NULL, 'o' },
		{ "dry-run", no_argument, NULL, 'n' },
		{ NULL, 0, NULL, 0 }
	};
	struct purge_report r;
	struct cfg_period	 age;
	const char	*older = NULL;
	gboolean	 dry = FALSE, ok;
	GError		*err = NULL;
	char		*actor, *period;
	guint		 i;
	int		 ch;

	optind = 0;
	while ((ch = getopt_long(argc, argv, "o:n", opts, NULL)) != -1) {
		if (ch == 'o')
			older = optarg;
		else if (ch == 'n')
			dry = TRUE;
		else
			return 2;
	}
	if (optind != argc) {
		fprintf(stderr, "usage: recoursctl purge [--older-than PERIOD] "
		    "[--dry-run]\n");
		return 2;
	}
	if (purge_period(ctl, older, &age) == -1)
		return 1;
	actor = g_strdup_printf("%s (recoursctl)", g_get_user_name());
	ok = purge_run(ctl->store, ctl->conf, ctl->setup->rules,
	    cal_zone(ctl->setup->cal), older != NULL ? &age : NULL, dry, actor,
	    clock_now(), &r, &err);
	g_free(actor);
	if (!ok) {
		fprintf(stderr, "recoursctl: purge: %s; nothing changed\n",
		    err->message);
		g_error_free(err);
		purge_report_clear(&r);
		return 1;
	}
	printf("%s: closed before %s (retention %s, %s)\n", dry ?
	    "dry run, nothing changed" : "purged", r.cutoff, r.period,
	    ctl->conf->retention_delete ? "delete" : "anonymise");
	for (i = 0; i < ctl->setup->rules->types->len; i++) {
		const struct rules_type *t = g_ptr_array_index(
		    ctl->setup->rules->types, i);

		if (!t->has_retention)
			continue;
		period = cfg_period_format(&t->retention);
		printf("  (type %s: its own retention, %s)\n", t->name, period);
		g_free(period);
	}
	for (i = 0; i < r.refs->len; i++)
		printf("  %s\n", (char *)g_ptr_array_index(r.refs, i));
	printf("%u case(s), %" G_GINT64_FORMAT " message(s), %" G_GINT64_FORMAT
	    " attachment(s), %" G_GINT64_FORMAT " letter(s); %" G_GINT64_FORMAT
	    " copy(ies) on the IMAP server, deleted by recoursd", r.refs->len,
	    r.erased.messages, r.erased.attachments, r.erased.letters,
	    r.erased.imap_copies);
	if (!dry)
		printf("; %" G_GINT64_FORMAT " spool file(s) removed", r.files);
	printf("\n");
	purge_report_clear(&r);
	return 0;
}

static int
cmd_inject(struct ctl *ctl, int argc, char **argv)
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
			return 2;
		mailbox = optarg;
	}
	if (mailbox == NULL || optind != argc - 1) {
		fprintf(stderr, "usage: recoursctl inject FILE.eml|- "
		    "--mailbox NAME\n");
		return 2;
	}
	if (conf_mailbox(ctl->conf, mailbox) == NULL) {
		fprintf(stderr, "recoursctl: %s: no mailbox named \"%s\"\n",
		    ctl->conf->path, mailbox);
		return 1;
	}
	if (!ingest_inject(ctl->store, ctl->setup, mailbox, argv[optind], &id,
	    &err)) {
		fprintf(stderr, "recoursctl: %s\n", err->message);
		g_error_free(err);
		return 1;
	}
	printf("queued %s as inbound message %" G_GINT64_FORMAT "\n",
	    strcmp(argv[optind], "-") == 0 ? "stdin" : argv[optind], id);
	fflush(stdout);
	request = g_strdup_printf("inject %" G_GINT64_FORMAT, id);
	rc = call_daemon(ctl, request, 60, &reply);
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
	return 0;
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

static int
cmd_quarantine(struct ctl *ctl, int argc, char **argv)
{
	gboolean json = take_json(&argc, argv);
	struct store_inbound_row r;
	GError	*err = NULL;
	int64_t	 id;
	guint	 i;

	if (argc == 3 && strcmp(argv[1], "show") == 0) {
		if (parse_id(argv[2], &id) == -1)
			return 2;
		if (!store_inbound_get(ctl->store, id, &r, &err)) {
			fprintf(stderr, "recoursctl: %s\n", err != NULL ?
			    err->message : "no such inbound message");
			g_clear_error(&err);
			return 1;
		}
		printf("id:         %" G_GINT64_FORMAT "\nmailbox:    %s\n"
		    "state:      %s\nreason:     %s\nmessage-id: %s\n"
		    "size:       %" G_GINT64_FORMAT "\nsha256:     %s\n",
		    r.id, r.mailbox, r.state, r.reason ? r.reason : "-",
		    r.message_id ? r.message_id : "-", r.size, r.sha256);
		store_inbound_row_clear(&r);
		return 0;
	}
	if (argc > 2 || (argc == 2 && strcmp(argv[1], "list") != 0)) {
		fprintf(stderr, "usage: recoursctl quarantine [list [--json] | "
		    "show ID]\n");
		return 2;
	}
	for (i = 0; set_aside[i] != NULL; i++)
		if (!list_set_aside(ctl, set_aside[i], json))
			return 1;
	return 0;
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
static int
cmd_automatic(struct ctl *ctl, int argc, char **argv)
{
	gboolean json = take_json(&argc, argv);
	GArray	*rows;
	GError	*err = NULL;
	guint	 i;

	if (argc > 2 || (argc == 2 && strcmp(argv[1], "list") != 0)) {
		fprintf(stderr, "usage: recoursctl automatic [list] [--json]\n");
		return 2;
	}
	if ((rows = store_automatic_list(ctl->store, &err)) == NULL) {
		fprintf(stderr, "recoursctl: %s\n", err->message);
		g_error_free(err);
		return 1;
	}
	for (i = 0; i < rows->len; i++)
		print_automatic(ctl, &g_array_index(rows,
		    struct store_automatic, i), json);
	g_array_unref(rows);
	return 0;
}

/* One line (and the reason below it), or one JSON object. */
static void
print_automatic(struct ctl *ctl, const struct store_automatic *a,
    gboolean json)
{
	char	*when = local_time(ctl, a->received);
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

static int
cmd_reprocess(struct ctl *ctl, int argc, char **argv)
{
	struct store_inbound_row r;
	GError	*err = NULL;
	int64_t	 id;
	gboolean found;

	if (argc != 2) {
		fprintf(stderr, "usage: recoursctl reprocess ID\n");
		return 2;
	}
	if (parse_id(argv[1], &id) == -1)
		return 2;
	found = store_inbound_get(ctl->store, id, &r, &err);
	if (!found || !g_strv_contains(set_aside, r.state)) {
		fprintf(stderr, "recoursctl: %s\n", err != NULL ? err->message :
		    found ? "that message is not set aside (quarantined or "
		    "failed)" : "no such inbound message");
		g_clear_error(&err);
		store_inbound_row_clear(&r);
		return 1;
	}
	store_inbound_row_clear(&r);
	if (!store_inbound_set_state(ctl->store, id, "new", NULL, 0, &err) ||
	    !ingest_process_one(ctl->store, ctl->setup, id, &err) ||
	    !store_inbound_get(ctl->store, id, &r, &err)) {
		fprintf(stderr, "recoursctl: %s\n", err->message);
		g_error_free(err);
		return 1;
	}
	printf("%" G_GINT64_FORMAT ": %s%s%s\n", id, r.state,
	    r.reason ? ": " : "", r.reason ? r.reason : "");
	store_inbound_row_clear(&r);
	return 0;
}

int
main(int argc, char *argv[])
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct ctl	 ctl;
	size_t		 i;
	int		 ch, rc;

	memset(&ctl, 0, sizeof(ctl));
	ctl.conf_path = RECOURSD_CONF;
	while ((ch = getopt_long(argc, argv, "+f:h", opts, NULL)) != -1) {
		switch (ch) {
		case 'f':
			ctl.conf_path = optarg;
			break;
		case 'h':
			help(stdout);
			return 0;
		default:
			help(stderr);
			return 2;
		}
	}
	argc -= optind;
	argv += optind;
	if (argc == 0) {
		help(stderr);
		return 2;
	}
	for (i = 0; i < G_N_ELEMENTS(commands); i++)
		if (strcmp(argv[0], commands[i].name) == 0)
			break;
	if (i == G_N_ELEMENTS(commands)) {
		fprintf(stderr, "recoursctl: unknown command \"%s\"\n", argv[0]);
		help(stderr);
		return 2;
	}
	if (asks_help(argc, argv)) {
		help_command(&commands[i]);
		return 0;
	}
	log_init("recoursctl", 1, 0);
	g_mime_init();
	if (setup(&ctl, commands[i].needs) == -1)
		rc = 1;
	else
		rc = commands[i].run(&ctl, argc, argv);
	store_close(ctl.store);
	setup_free(ctl.setup);
	g_mime_shutdown();
	return rc;
}
