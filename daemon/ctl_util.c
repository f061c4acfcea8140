/*
 * ctl_util.c: what recoursctl's commands share: their usage and error
 * lines, the arguments several take, local times, and the request to
 * the running daemon.
 */
#include "config.h"

#include <gio/gio.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "calendar.h"
#include "check.h"
#include "conf.h"
#include "control_proto.h"
#include "ctl.h"
#include "rules.h"

/* The running command's usage line, on stderr. */
int
ctl_usage(const struct ctl *ctl)
{
	fprintf(stderr, "usage: recoursctl %s\n", ctl->cmd->usage);
	return CTL_USAGE;
}

/* err's message as the one line of a failure; frees err. */
int
ctl_fail(GError *err)
{
	fprintf(stderr, "recoursctl: %s\n", err->message);
	g_error_free(err);
	return CTL_ERROR;
}

int
ctl_parse_id(const char *s, int64_t *id)
{
	char	*end;

	*id = g_ascii_strtoll(s, &end, 10);
	if (*s == '\0' || *end != '\0' || *id <= 0) {
		fprintf(stderr, "recoursctl: %s: not a message id\n", s);
		return -1;
	}
	return 0;
}

/* The year s names, or -1 after saying it is none. */
int
ctl_parse_year(const char *s)
{
	int	 year = atoi(s);

	if (year < 1970 || year > 9999) {
		fprintf(stderr, "recoursctl: %s: not a year\n", s);
		return -1;
	}
	return year;
}

/* Whether type (NULL: any) is a case type of the rules; says so if not. */
gboolean
ctl_known_type(const struct ctl *ctl, const char *type)
{
	if (type == NULL || rules_type(ctl->setup->rules, type) != NULL)
		return TRUE;
	fprintf(stderr, "recoursctl: no case type \"%s\" in the rules\n", type);
	return FALSE;
}

/* A trailing --json, removed from the arguments. */
gboolean
ctl_take_json(int *argc, char **argv)
{
	if (*argc < 2 || strcmp(argv[*argc - 1], "--json") != 0)
		return FALSE;
	argv[--*argc] = NULL;
	return TRUE;
}

/* "2026-11-23 09:14" in the calendar's zone; caller frees. */
char *
ctl_local_time(const struct ctl *ctl, int64_t t)
{
	GDateTime	*u = g_date_time_new_from_unix_utc(t);
	GDateTime	*l = g_date_time_to_timezone(u, cal_zone(ctl->setup->cal));
	char		*s = g_date_time_format(l, "%Y-%m-%d %H:%M");

	g_date_time_unref(u);
	g_date_time_unref(l);
	return s;
}

/*
 * request to the daemon of this configuration: 1 done (*reply its
 * answer), 0 refused (printed), -1 not reachable (printed unless it is
 * simply not running).  Caller frees *reply.
 */
int
ctl_call_daemon(struct ctl *ctl, const char *request, int timeout,
    char **reply)
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
