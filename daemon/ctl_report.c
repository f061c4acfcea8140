/*
 * ctl_report.c: recoursctl's indicators: stats (CSV or JSON lines, per
 * type and month, or the causes) and the annual dashboard (one HTML
 * page).  report.c computes them; this file reads the arguments.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "calendar.h"
#include "check.h"
#include "clock.h"
#include "ctl.h"
#include "dashboard.h"
#include "report.h"
#include "rules.h"
#include "store.h"

static struct rules *profile_rules(const char *);
static int	 this_year(struct ctl *);

int
ctl_cmd_stats(struct ctl *ctl, int argc, char **argv)
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
			if ((year = ctl_parse_year(optarg)) == -1)
				return CTL_ERROR;
		} else if (ch == 't')
			type = optarg;
		else if (ch == 'j')
			json = TRUE;
		else if (ch == 'p')
			profile = optarg;
		else if (ch == 'c')
			causes = TRUE;
		else
			return CTL_USAGE;
	}
	if (!ctl_known_type(ctl, type))
		return CTL_ERROR;
	if (profile != NULL && (rules = profile_rules(profile)) == NULL)
		return CTL_ERROR;
	ok = causes ? report_causes(ctl->store, year, type, json, stdout, &err) :
	    report_stats(ctl->store, rules != NULL ? rules : ctl->setup->rules,
	    year, type, cal_zone(ctl->setup->cal), json, stdout, &err);
	rules_free(rules);
	if (!ok)
		return ctl_fail(err);
	return CTL_OK;
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

/*
 * recoursctl dashboard [--year Y] -o FILE.html: written to a temporary
 * file beside FILE, then renamed: never half a page.
 */
int
ctl_cmd_dashboard(struct ctl *ctl, int argc, char **argv)
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
		if (ch == 'y' && (year = ctl_parse_year(optarg)) == -1)
			return CTL_ERROR;
		else if (ch == 'o')
			out = optarg;
		else if (ch != 'y')
			return CTL_USAGE;
	}
	if (out == NULL || optind != argc)
		return ctl_usage(ctl);
	if ((rows = report_rows(ctl->store, ctl->setup->rules, year, NULL,
	    cal_zone(ctl->setup->cal), &err)) == NULL ||
	    (causes = store_cause_counts(ctl->store, year, NULL, &err)) == NULL) {
		fprintf(stderr, "recoursctl: %s\n", err->message);
		g_error_free(err);
		if (rows != NULL)
			g_ptr_array_unref(rows);
		return CTL_ERROR;
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
		return CTL_ERROR;
	}
	dashboard_write(fp, ctl->conf->org_name, year, rows, causes);
	g_ptr_array_unref(rows);
	g_array_unref(causes);
	if (fflush(fp) != 0 || fsync(fileno(fp)) != 0 || fclose(fp) != 0 ||
	    rename(tmp, out) != 0) {
		fprintf(stderr, "recoursctl: %s: %s\n", out, g_strerror(errno));
		unlink(tmp);
		g_free(tmp);
		return CTL_ERROR;
	}
	g_free(tmp);
	return CTL_OK;
}
