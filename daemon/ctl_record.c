/*
 * ctl_record.c: recoursctl's commands about the record kept: verify
 * (the hash chain of events) and purge (closed cases past their
 * retention lose what names someone; the counts stay).
 */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "calendar.h"
#include "cfg.h"
#include "check.h"
#include "clock.h"
#include "conf.h"
#include "ctl.h"
#include "purge.h"
#include "rules.h"
#include "store.h"

static int	 purge_period(struct ctl *, const char *, struct cfg_period *);

int
ctl_cmd_verify(struct ctl *ctl, int argc, char **argv)
{
	GError	*err = NULL;
	char	*why = NULL;
	int64_t	 bad, n = 0, erased = 0;

	(void)argc;
	(void)argv;
	bad = store_verify_events(ctl->store, &n, &erased, &why, &err);
	if (bad < 0)
		return ctl_fail(err);
	if (bad > 0) {
		printf("chain BROKEN: %s\n", why);
		g_free(why);
		return CTL_ERROR;
	}
	printf("chain intact: %" G_GINT64_FORMAT " event(s)", n);
	if (erased > 0)
		printf(", %" G_GINT64_FORMAT " erased by a purge of their case",
		    erased);
	printf("\n");
	return CTL_OK;
}

int
ctl_cmd_purge(struct ctl *ctl, int argc, char **argv)
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
			return CTL_USAGE;
	}
	if (optind != argc)
		return ctl_usage(ctl);
	if (purge_period(ctl, older, &age) == -1)
		return CTL_ERROR;
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
		return CTL_ERROR;
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
	return CTL_OK;
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
	if (ctl->conf->retention_line)
		fprintf(stderr, "recoursctl: --older-than %s is shorter than "
		    "the retention (%s, %s:%d): closed cases are kept that "
		    "long; change retention.keep first\n", mine, theirs,
		    ctl->conf->path, ctl->conf->retention_line);
	else
		fprintf(stderr, "recoursctl: --older-than %s is shorter than "
		    "the retention (%s, the default): closed cases are kept "
		    "that long; set retention.keep first\n", mine, theirs);
	g_free(mine);
	g_free(theirs);
	return -1;
}
