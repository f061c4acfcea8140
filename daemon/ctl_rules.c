/*
 * ctl_rules.c: recoursctl's commands that try the configuration and the
 * rules, writing nothing: check, rules test, deadline.  None reads a
 * password file (check_load_public()), so they run where the secrets
 * are not readable: a developer's checkout, a CI job.
 */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "calendar.h"
#include "case.h"
#include "case_state.h"
#include "check.h"
#include "clock.h"
#include "conf.h"
#include "ctl.h"
#include "msg.h"
#include "report.h"
#include "spool.h"
#include "store.h"
#include "timer.h"

static const char *action_name(enum case_action);
static void	 print_decision(const struct setup *, int64_t, const char *,
		    const struct msg *, const struct case_decision *, gboolean);
static void	 decision_json(const char *, const struct msg *,
		    const struct case_decision *, const char *, const char *);
static void	 decision_text(const struct setup *, int64_t, const char *,
		    const struct msg *, const struct case_decision *,
		    const char *, const char *);
static struct cal *deadline_calendar(struct ctl *, const char *);

int
ctl_cmd_check(struct ctl *ctl, int argc, char **argv)
{
	(void)argc;
	(void)argv;
	printf("%s: configuration and rules OK, %u mailbox(es), %u case "
	    "type(s)\n", ctl->conf->path, ctl->conf->mailboxes->len,
	    ctl->setup->rules->types->len);
	return CTL_OK;
}

static const char *
action_name(enum case_action a)
{
	return a == CASE_OPEN ? "open" : a == CASE_JOIN ? "join" :
	    a == CASE_ALREADY ? "already" : "none";
}

/*
 * What rules test prints for one message: the missing items are quoted
 * as in JSON in both forms.
 */
static void
print_decision(const struct setup *setup, int64_t now, const char *file,
    const struct msg *m, const struct case_decision *d, gboolean json)
{
	char	*tag = d->tag != NULL ? g_strstrip(g_strdup(d->tag)) : NULL;
	GString	*list = g_string_new(NULL);
	guint	 i;

	for (i = 0; d->missing != NULL && i < d->missing->len; i++) {
		char	*one = report_json_str(g_ptr_array_index(d->missing, i));

		g_string_append_printf(list, "%s%s", i ? ", " : "", one);
		g_free(one);
	}
	if (json)
		decision_json(file, m, d, tag, list->str);
	else if (d->action == CASE_NONE)
		printf("%s\n  subject:  %s\n  decision: keep it, in no case: "
		    "automatic mail (%s)\n", file, m->subject, d->automatic);
	else
		decision_text(setup, now, file, m, d, tag, list->str);
	g_free(tag);
	g_string_free(list, TRUE);
}

static void
decision_json(const char *file, const struct msg *m,
    const struct case_decision *d, const char *tag, const char *missing)
{
	char	*f, *sub, *t, *tg, *c, *j, *a, *au;

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
	    case_state_name(d->state), missing, a,
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
}

static void
decision_text(const struct setup *setup, int64_t now, const char *file,
    const struct msg *m, const struct case_decision *d, const char *tag,
    const char *missing)
{
	guint	 i;

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
	if (*missing != '\0')
		printf("  missing:  %s\n", missing);
	if (d->admissibility != NULL)
		printf("  admissibility: %s%s\n", d->admissibility,
		    d->out_of_time ? "  [OUT OF TIME: flagged for staff]" :
		    "");
	for (i = 0; d->action == CASE_OPEN && i < d->type->deadlines->len;
	    i++) {
		const struct rules_deadline *dl = g_ptr_array_index(
		    d->type->deadlines, i);
		GDateTime *due = timer_due(setup, dl, now);
		char	*at = cal_format(due);

		printf("  deadline: %-10s due %s (met by %s)\n",
		    dl->name, at, dl->met_by);
		g_free(at);
		g_date_time_unref(due);
	}
}

/*
 * recoursctl rules test FILE.eml... [--mailbox NAME] [--json]: what the
 * daemon would decide for each message, against the current database (or
 * an empty one), writing nothing.
 */
int
ctl_cmd_rules(struct ctl *ctl, int argc, char **argv)
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
	int		 ch, i, rc = CTL_OK;

	optind = 0;
	while ((ch = getopt_long(argc, argv, "m:j", opts, NULL)) != -1) {
		if (ch == 'j')
			json = TRUE;
		else if (ch == 'm' &&
		    (mb = conf_mailbox(ctl->conf, optarg)) == NULL) {
			fprintf(stderr, "recoursctl: %s: no mailbox named \"%s\"\n",
			    ctl->conf->path, optarg);
			return CTL_ERROR;
		} else if (ch != 'm')
			return CTL_USAGE;
	}
	if (optind >= argc - 1 || strcmp(argv[optind], "test") != 0)
		return ctl_usage(ctl);
	st = store_open(ctl->conf->database, STORE_READONLY, NULL);
	if (st == NULL && (st = store_open(":memory:", STORE_CREATE, &err)) ==
	    NULL)
		return ctl_fail(err);
	/* Where the attachments of the messages tested are written. */
	if ((tmp = g_dir_make_tmp("recoursctl.XXXXXX", &err)) == NULL) {
		store_close(st);
		return ctl_fail(err);
	}
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
			rc = CTL_ERROR;
		}
		case_decision_clear(&d);
		msg_free(m);
	}
	spool_remove_tree(tmp);
	g_free(tmp);
	store_close(st);
	return rc;
}

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
		if (ctl_setup(ctl, CTL_CONF_PUBLIC, CTL_NO_DB) == 0)
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

/*
 * recoursctl deadline 2026-12-24T10:00 "5 jours ouvrés" [--explain]: the
 * due instant in ISO 8601 with its offset, and with --explain every day
 * counted or skipped, so that a rule can be checked by hand.
 */
int
ctl_cmd_deadline(struct ctl *ctl, int argc, char **argv)
{
	struct cal_duration d;
	struct cal	*cal;
	GDateTime	*start, *due;
	GPtrArray	*explain = NULL;
	GError		*err = NULL;
	const char	*profile = NULL, *args[2];
	gboolean	 explaining = FALSE;
	char		*text;
	int		 i, n = 0;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--explain") == 0 && !explaining)
			explaining = TRUE;
		else if (strcmp(argv[i], "--profile") == 0 && i + 1 < argc &&
		    profile == NULL)
			profile = argv[++i];
		else if (n < 2 && argv[i][0] != '-')
			args[n++] = argv[i];
		else
			n = 3;
	}
	if (n != 2)
		return ctl_usage(ctl);
	if ((cal = deadline_calendar(ctl, profile)) == NULL)
		return CTL_ERROR;
	if (!cal_parse_duration(args[1], &d, &err) ||
	    (start = cal_parse_instant(cal, args[0], &err)) == NULL) {
		cal_free(cal);
		return ctl_fail(err);
	}
	if (explaining)
		explain = g_ptr_array_new_with_free_func(g_free);
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
	return CTL_OK;
}
