/*
 * ctl_case.c: recoursctl's commands about cases: list (filtered, the
 * next due first), show (a case and its timeline), export (a case file,
 * or every case of one person).  All read the database only.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clock.h"
#include "ctl.h"
#include "export.h"
#include "report.h"
#include "store.h"

/* What list filters and sorts on, beyond the case row. */
struct listed {
	const struct store_case *c;
	int64_t		 next_due;	/* earliest pending deadline; 0: none */
	gboolean	 overdue;	/* a deadline missed, or due and not fired */
	char		*assignee;	/* last #assigner; NULL: none */
};

static gboolean	 listed_fill(struct ctl *, const struct store_case *, int64_t,
		    struct listed *, GError **);
static int	 by_next_due(gconstpointer, gconstpointer);
static void	 print_listed(struct ctl *, const struct listed *, gboolean);
static void	 show_json(const struct store_case *, GArray *);
static void	 show_text(struct ctl *, const struct store_case *, GArray *);
static void	 print_timers(struct ctl *, int64_t);
static int	 export_person(struct ctl *, const char *, const char *);

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
	char	*when = ctl_local_time(ctl, c->opened_at);
	char	*due = l->next_due > 0 ? ctl_local_time(ctl, l->next_due) :
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

int
ctl_cmd_list(struct ctl *ctl, int argc, char **argv)
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
			if ((year = ctl_parse_year(optarg)) == -1)
				return CTL_ERROR;
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
				return CTL_ERROR;
			}
			break;
		case 'a':
			assignee = optarg;
			break;
		case 'j':
			json = TRUE;
			break;
		default:
			return CTL_USAGE;
		}
	}
	if (!ctl_known_type(ctl, type))
		return CTL_ERROR;
	if ((rows = store_case_list(ctl->store, type, state, year, &err)) ==
	    NULL)
		return ctl_fail(err);
	shown = g_array_new(FALSE, TRUE, sizeof(struct listed));
	for (i = 0; i < rows->len; i++) {
		struct listed l;

		if (!listed_fill(ctl, &g_array_index(rows, struct store_case, i),
		    now, &l, &err))
			return ctl_fail(err);
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
	return CTL_OK;
}

int
ctl_cmd_show(struct ctl *ctl, int argc, char **argv)
{
	struct store_case c;
	GArray		*evs;
	GError		*err = NULL;
	gboolean	 json = argc == 3 && strcmp(argv[2], "--json") == 0;

	if (argc != 2 && !json)
		return ctl_usage(ctl);
	if (!store_case_by_ref(ctl->store, argv[1], &c, &err)) {
		fprintf(stderr, "recoursctl: %s\n", err != NULL ? err->message :
		    "no such case");
		g_clear_error(&err);
		return CTL_ERROR;
	}
	if ((evs = store_case_events(ctl->store, c.id, &err)) == NULL) {
		store_case_clear(&c);
		return ctl_fail(err);
	}
	if (json)
		show_json(&c, evs);
	else
		show_text(ctl, &c, evs);
	g_array_unref(evs);
	store_case_clear(&c);
	return CTL_OK;
}

/* The case and its events as one JSON object. */
static void
show_json(const struct store_case *c, GArray *evs)
{
	char	*r = report_json_str(c->ref), *t = report_json_str(c->type);
	char	*st = report_json_str(c->state);
	char	*sub = report_json_str(c->subject);
	guint	 i;

	printf("{\"ref\": %s, \"type\": %s, \"state\": %s, "
	    "\"subject\": %s, \"opened_at\": %" G_GINT64_FORMAT
	    ", \"purged_at\": ", r, t, st, sub, c->opened_at);
	if (c->purged_at > 0)
		printf("%" G_GINT64_FORMAT, c->purged_at);
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
}

/* The case, its deadlines, then its timeline, for a person. */
static void
show_text(struct ctl *ctl, const struct store_case *c, GArray *evs)
{
	char	*when = ctl_local_time(ctl, c->opened_at);
	guint	 i;

	printf("%s  %s, %s\n", c->ref, c->type, c->state);
	printf("  subject:     %s\n", c->subject ? c->subject : "");
	printf("  complainant: %s <%s>%s%s\n", c->complainant_name ?
	    c->complainant_name : "", c->complainant_addr ?
	    c->complainant_addr : "", c->reply_to ? "  Reply-To: " : "",
	    c->reply_to ? c->reply_to : "");
	printf("  opened:      %s (mailbox %s)\n", when,
	    c->mailbox ? c->mailbox : "-");
	if (c->missing != NULL)
		printf("  missing:     %s\n", c->missing);
	if (c->out_of_time)
		printf("  admissibility: lodged OUT OF TIME\n");
	if (c->purged_at > 0) {
		char	*p = ctl_local_time(ctl, c->purged_at);

		printf("  purged:      %s: who wrote, what and to whom "
		    "is erased (retention)\n", p);
		g_free(p);
	}
	print_timers(ctl, c->id);
	printf("\n");
	for (i = 0; i < evs->len; i++) {
		const struct store_event *e = &g_array_index(evs,
		    struct store_event, i);
		char	*at = ctl_local_time(ctl, e->at);

		printf("  %s  %-12s %s\n", at, e->kind, *e->actor ?
		    e->actor : "(erased)");
		if (e->detail != NULL && *e->detail != '\0')
			printf("                    %s\n", e->detail);
		g_free(at);
	}
	g_free(when);
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
		char	*at = ctl_local_time(ctl, t->due_at);

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
	int	 rc = CTL_ERROR;

	if (dir == NULL) {
		fprintf(stderr, "usage: recoursctl export --person ADDRESS "
		    "[-o DIR]\n");
		g_string_free(index, TRUE);
		return CTL_USAGE;
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
	rc = CTL_OK;
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

int
ctl_cmd_export(struct ctl *ctl, int argc, char **argv)
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
	else
		return ctl_usage(ctl);
	if (!export_case(ctl->store, ctl->setup, argv[1], dir, &err))
		return ctl_fail(err);
	printf("%s written to %s: messages.mbox, attachments/, events.txt\n",
	    argv[1], dir);
	return CTL_OK;
}
