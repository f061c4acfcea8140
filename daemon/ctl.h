/*
 * ctl.h: what recoursctl's files share.  recoursctl.c holds main, the
 * global options and the command table; each ctl_*.c holds one family
 * of commands, one function each, and ctl_util.c the helpers they share.
 * Adding a command is one row of the table and one function.
 */
#ifndef RECOURSD_CTL_H
#define RECOURSD_CTL_H

#include <glib.h>
#include <stdint.h>

/*
 * Exit codes, as recoursctl(8) documents them under EXIT STATUS; neither
 * 1 nor 2 is a code of <sysexits.h>, so that an MTA defers what fails.
 */
#define CTL_OK		0	/* success, and -h or --help */
#define CTL_ERROR	1	/* one line: unreadable, absent, refused */
#define CTL_USAGE	2	/* a usage error: command, option, argument */

/*
 * What a command reads before it runs.  No level reads a password file:
 * recoursctl connects to no server, so no command needs a secret.
 */
enum ctl_conf {
	CTL_NO_CONF,		/* nothing (deadline looks for itself) */
	CTL_CONF_ALONE,		/* the configuration, no rules nor templates */
	CTL_CONF_PUBLIC		/* configuration, rules, templates, calendar */
};
enum ctl_db {
	CTL_NO_DB,
	CTL_DB_READ,		/* read-only; refused if there is none */
	CTL_DB_WRITE		/* created if there is none */
};

struct ctl;

/* One row of the command table: dispatch, -h and CMD --help. */
struct ctl_command {
	const char	*name;
	int		(*run)(struct ctl *, int, char **);	/* CTL_* */
	enum ctl_conf	 conf;
	enum ctl_db	 db;
	const char	*usage;		/* after "recoursctl [-f file] " */
	const char	*summary;
};

struct ctl {
	const char	*conf_path;	/* -f */
	const struct ctl_command *cmd;	/* the command running */
	struct setup	*setup;		/* NULL with CTL_NO_CONF */
	struct conf	*conf;		/* setup->conf */
	struct store	*store;		/* NULL with CTL_NO_DB */
};

/* recoursctl.c */
int	 ctl_setup(struct ctl *, enum ctl_conf, enum ctl_db);

/* ctl_util.c */
int	 ctl_usage(const struct ctl *);
int	 ctl_fail(GError *);
int	 ctl_parse_id(const char *, int64_t *);
int	 ctl_parse_year(const char *);
gboolean ctl_known_type(const struct ctl *, const char *);
gboolean ctl_take_json(int *, char **);
char	*ctl_local_time(const struct ctl *, int64_t);
int	 ctl_call_daemon(struct ctl *, const char *, int, char **);

/* ctl_daemon.c: the installation and the running daemon */
int	 ctl_cmd_version(struct ctl *, int, char **);
int	 ctl_cmd_status(struct ctl *, int, char **);
int	 ctl_cmd_reload(struct ctl *, int, char **);
int	 ctl_cmd_wake(struct ctl *, int, char **);

/* ctl_case.c: cases */
int	 ctl_cmd_list(struct ctl *, int, char **);
int	 ctl_cmd_show(struct ctl *, int, char **);
int	 ctl_cmd_export(struct ctl *, int, char **);

/* ctl_report.c: indicators */
int	 ctl_cmd_stats(struct ctl *, int, char **);
int	 ctl_cmd_dashboard(struct ctl *, int, char **);

/* ctl_record.c: the record's integrity and retention */
int	 ctl_cmd_verify(struct ctl *, int, char **);
int	 ctl_cmd_purge(struct ctl *, int, char **);

/* ctl_rules.c: the configuration and the rules, writing nothing */
int	 ctl_cmd_check(struct ctl *, int, char **);
int	 ctl_cmd_rules(struct ctl *, int, char **);
int	 ctl_cmd_deadline(struct ctl *, int, char **);

/* ctl_mail.c: mail in and out */
int	 ctl_cmd_inject(struct ctl *, int, char **);
int	 ctl_cmd_outbox(struct ctl *, int, char **);
int	 ctl_cmd_quarantine(struct ctl *, int, char **);
int	 ctl_cmd_automatic(struct ctl *, int, char **);
int	 ctl_cmd_reprocess(struct ctl *, int, char **);

#endif
