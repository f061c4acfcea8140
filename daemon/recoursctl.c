/*
 * recoursctl.c: the administrators' command-line tool: main, the global
 * options and the command table.  Each command is one row of the table
 * (name, function, what it reads, usage, summary), which drives dispatch,
 * -h and CMD --help; its function lives in the ctl_*.c of its family.
 * Commands that only look open the database read-only; none of them ever
 * talks to a mail server, so none reads a password file.
 */
#include "config.h"

#include <getopt.h>
#include <gmime/gmime.h>
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "conf.h"
#include "ctl.h"
#include "log.h"
#include "store.h"

static void	 help(FILE *);
static gboolean	 asks_help(int, char **);
static void	 help_command(const struct ctl_command *);
static void	 wrap(FILE *, const char *, int, int);
static const struct ctl_command *find_command(const char *);
static struct setup *setup_conf_alone(const char *, GString *);

/* In the order -h lists them. */
static const struct ctl_command commands[] = {
	{ "version", ctl_cmd_version, CTL_NO_CONF, CTL_NO_DB,
	    "version", "print the version and the schema version" },
	{ "check", ctl_cmd_check, CTL_CONF_PUBLIC, CTL_NO_DB,
	    "check", "check the configuration, rules and templates" },
	{ "status", ctl_cmd_status, CTL_CONF_PUBLIC, CTL_DB_READ,
	    "status [--json]",
	    "inbound messages by state, the outbox backlog, the next timer, "
	    "and from the running daemon each mailbox's connection" },
	{ "reload", ctl_cmd_reload, CTL_CONF_PUBLIC, CTL_NO_DB,
	    "reload",
	    "make the running daemon read its configuration again "
	    "(as SIGHUP)" },
	{ "wake", ctl_cmd_wake, CTL_CONF_PUBLIC, CTL_NO_DB,
	    "wake", "make the running daemon look at its timers now" },
	{ "list", ctl_cmd_list, CTL_CONF_PUBLIC, CTL_DB_READ,
	    "list [--type T] [--state S] [--year Y] [--overdue] "
	    "[--due-within DAYS] [--assignee ADDRESS] [--json]",
	    "cases, the next due first" },
	{ "show", ctl_cmd_show, CTL_CONF_PUBLIC, CTL_DB_READ,
	    "show REF [--json]", "a case and its timeline of events" },
	{ "export", ctl_cmd_export, CTL_CONF_PUBLIC, CTL_DB_READ,
	    "export REF [-o DIR] | --person ADDRESS [-o DIR]",
	    "the case file: mbox of every message, attachments, event log" },
	{ "stats", ctl_cmd_stats, CTL_CONF_PUBLIC, CTL_DB_READ,
	    "stats [--year Y] [--type T] [--profile P] [--causes] [--json]",
	    "indicators per type and month against the objectives, as CSV" },
	{ "dashboard", ctl_cmd_dashboard, CTL_CONF_PUBLIC, CTL_DB_READ,
	    "dashboard [--year Y] -o FILE.html",
	    "the annual dashboard: one self-contained HTML page" },
	{ "verify", ctl_cmd_verify, CTL_CONF_PUBLIC, CTL_DB_READ,
	    "verify",
	    "check the hash chain of events; name the first altered one" },
	{ "purge", ctl_cmd_purge, CTL_CONF_PUBLIC, CTL_DB_WRITE,
	    "purge [--older-than PERIOD] [--dry-run]",
	    "erase closed cases past their retention, keeping the counts" },
	{ "rules", ctl_cmd_rules, CTL_CONF_PUBLIC, CTL_NO_DB,
	    "rules test FILE.eml... [--mailbox NAME] [--json]",
	    "what the rules would do with a message, writing nothing" },
	{ "deadline", ctl_cmd_deadline, CTL_NO_CONF, CTL_NO_DB,
	    "deadline START DURATION [--profile P] [--explain]",
	    "print when a deadline falls due, as the daemon computes it" },
	{ "inject", ctl_cmd_inject, CTL_CONF_ALONE, CTL_DB_WRITE,
	    "inject FILE.eml|- --mailbox NAME",
	    "store a message as if fetched from mailbox NAME, and have the "
	    "running daemon process it at once" },
	{ "outbox", ctl_cmd_outbox, CTL_CONF_PUBLIC, CTL_DB_WRITE,
	    "outbox [list [pending|sent|failed] [--json] | retry ID]",
	    "list outgoing mail with the server's replies, "
	    "or retry a failed one" },
	{ "quarantine", ctl_cmd_quarantine, CTL_CONF_PUBLIC, CTL_DB_READ,
	    "quarantine [list [--json] | show ID]",
	    "list messages set aside (quarantined or failed), or show one" },
	{ "automatic", ctl_cmd_automatic, CTL_CONF_PUBLIC, CTL_DB_READ,
	    "automatic [list] [--json]",
	    "list automatic mail (bounces, auto-replies, lists...) and why" },
	{ "reprocess", ctl_cmd_reprocess, CTL_CONF_PUBLIC, CTL_DB_WRITE,
	    "reprocess ID",
	    "process a message set aside again "
	    "(after a fix or a limit change)" },
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
help_command(const struct ctl_command *c)
{
	char	*text;

	wrap(stdout, c->usage, 6, printf("usage: recoursctl [-f file] "));
	printf("  ");
	wrap(stdout, c->summary, 2, 2);
	if (c->conf == CTL_NO_CONF)
		return;
	text = g_strdup_printf("Reads the configuration (-f, by default %s)%s; "
	    "never a password file.", RECOURSD_CONF, c->db == CTL_DB_WRITE ?
	    " and writes the database" : c->db == CTL_DB_READ ?
	    " and reads the database" : "");
	printf("\n");
	wrap(stdout, text, 0, 0);
	g_free(text);
}

static const struct ctl_command *
find_command(const char *name)
{
	size_t	 i;

	for (i = 0; i < G_N_ELEMENTS(commands); i++)
		if (strcmp(name, commands[i].name) == 0)
			return &commands[i];
	return NULL;
}

/* Load what a command reads; one clear line on failure (-1). */
int
ctl_setup(struct ctl *ctl, enum ctl_conf conf, enum ctl_db db)
{
	GString	*errors;
	GError	*err = NULL;

	if (conf == CTL_NO_CONF)
		return 0;
	errors = g_string_new(NULL);
	/* recoursctl never connects: it reads no password file. */
	ctl->setup = conf == CTL_CONF_ALONE ? setup_conf_alone(ctl->conf_path,
	    errors) : check_load_public(ctl->conf_path, errors);
	if (ctl->setup == NULL) {
		fputs(errors->str, stderr);
		g_string_free(errors, TRUE);
		return -1;
	}
	g_string_free(errors, TRUE);
	ctl->conf = ctl->setup->conf;
	if (db == CTL_NO_DB)
		return 0;
	ctl->store = store_open(ctl->conf->database, db == CTL_DB_WRITE ?
	    STORE_CREATE : STORE_READONLY, &err);
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
setup_conf_alone(const char *path, GString *errors)
{
	struct setup	*s = g_new0(struct setup, 1);

	s->templates = g_hash_table_new(g_str_hash, g_str_equal);
	if ((s->conf = conf_load_public(path, errors)) == NULL) {
		setup_free(s);
		return NULL;
	}
	return s;
}

int
main(int argc, char *argv[])
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct ctl	 ctl;
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
			return CTL_OK;
		default:
			help(stderr);
			return CTL_USAGE;
		}
	}
	argc -= optind;
	argv += optind;
	if (argc == 0) {
		help(stderr);
		return CTL_USAGE;
	}
	if ((ctl.cmd = find_command(argv[0])) == NULL) {
		fprintf(stderr, "recoursctl: unknown command \"%s\"\n", argv[0]);
		help(stderr);
		return CTL_USAGE;
	}
	if (asks_help(argc, argv)) {
		help_command(ctl.cmd);
		return CTL_OK;
	}
	log_init("recoursctl", 1, 0);
	g_mime_init();
	if (ctl_setup(&ctl, ctl.cmd->conf, ctl.cmd->db) == -1)
		rc = CTL_ERROR;
	else
		rc = ctl.cmd->run(&ctl, argc, argv);
	store_close(ctl.store);
	setup_free(ctl.setup);
	g_mime_shutdown();
	return rc;
}
