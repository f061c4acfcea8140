/*
 * report.c: see report.h.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "report.h"

/* The figures of one type in one month. */
struct row {
	char	*type;
	int	 month;
	int	 received, admissible, inadmissible, founded, decided, closed;
	int	 met, missed;
	int	 actions, checked;
	GArray	*to_ack;	/* hours, double */
	GArray	*to_decision;	/* days, double */
};

static int	 by_double(const void *, const void *);
static double	 median(GArray *);
static double	 maximum(GArray *);
static void	 row_free(gpointer);
static struct row *row_for(GHashTable *, const char *, int);
static void	 put(FILE *, double);
static void	 put_value(FILE *, const char *, double, gboolean);
static const char *objectives_met(const struct row *,
		    const struct rules_type *, double);
static void	 print_row(FILE *, int, struct row *, const struct rules_type *,
		    gboolean);

static int
by_double(const void *a, const void *b)
{
	double	 x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double
median(GArray *v)
{
	if (v->len == 0)
		return -1;
	qsort(v->data, v->len, sizeof(double), by_double);
	return v->len % 2 ? g_array_index(v, double, v->len / 2) :
	    (g_array_index(v, double, v->len / 2 - 1) +
	    g_array_index(v, double, v->len / 2)) / 2;
}

static double
maximum(GArray *v)
{
	double	 m = -1;
	guint	 i;

	for (i = 0; i < v->len; i++)
		m = MAX(m, g_array_index(v, double, i));
	return m;
}

static void
row_free(gpointer p)
{
	struct row *r = p;

	g_free(r->type);
	g_array_unref(r->to_ack);
	g_array_unref(r->to_decision);
	g_free(r);
}

static struct row *
row_for(GHashTable *rows, const char *type, int month)
{
	char		*key = g_strdup_printf("%s|%02d", type, month);
	struct row	*r = g_hash_table_lookup(rows, key);

	if (r == NULL) {
		r = g_new0(struct row, 1);
		r->type = g_strdup(type);
		r->month = month;
		r->to_ack = g_array_new(FALSE, FALSE, sizeof(double));
		r->to_decision = g_array_new(FALSE, FALSE, sizeof(double));
		g_hash_table_insert(rows, key, r);
	} else
		g_free(key);
	return r;
}

/* "12.5" or "" when there is no value. */
static void
put(FILE *fp, double v)
{
	if (v >= 0)
		fprintf(fp, ",%.1f", v);
	else
		fputs(",", fp);
}

/*
 * Whether r meets the objectives of t: "yes", "no", or "" when t has none
 * (or none that applies: no deadline fell due).
 */
static const char *
objectives_met(const struct row *r, const struct rules_type *t, double share)
{
	gboolean judged = FALSE, ok = TRUE;

	if (t != NULL && t->max_per_month >= 0) {
		judged = TRUE;
		ok = r->received <= t->max_per_month;
	}
	if (t != NULL && t->deadlines_met >= 0 && share >= 0) {
		judged = TRUE;
		ok = ok && share + 1e-9 >= t->deadlines_met;
	}
	return !judged ? "" : ok ? "yes" : "no";
}

/* A value, or "" (CSV) / null (JSON) when there is none. */
static void
put_value(FILE *fp, const char *name, double v, gboolean json)
{
	if (!json)
		put(fp, v);
	else if (v >= 0)
		fprintf(fp, ", \"%s\": %.1f", name, v);
	else
		fprintf(fp, ", \"%s\": null", name);
}

static void
print_row(FILE *fp, int year, struct row *r, const struct rules_type *t,
    gboolean json)
{
	double	 share = r->met + r->missed > 0 ?
	    100.0 * r->met / (r->met + r->missed) : -1;
	const char *met = objectives_met(r, t, share);

	if (json)
		fprintf(fp, "{\"year\": %d, \"month\": %d, \"type\": \"%s\", "
		    "\"received\": %d, \"admissible\": %d, \"inadmissible\": "
		    "%d, \"founded\": %d, \"decided\": %d, \"closed\": %d, "
		    "\"deadlines_met\": %d, \"deadlines_missed\": %d", year,
		    r->month, r->type, r->received, r->admissible,
		    r->inadmissible, r->founded, r->decided, r->closed, r->met,
		    r->missed);
	else
		fprintf(fp, "%d,%d,%s,%d,%d,%d,%d,%d,%d,%d,%d", year, r->month,
		    r->type, r->received, r->admissible, r->inadmissible,
		    r->founded, r->decided, r->closed, r->met, r->missed);
	put_value(fp, "deadlines_met_share", share, json);
	put_value(fp, "median_hours_to_ack", median(r->to_ack), json);
	put_value(fp, "max_hours_to_ack", maximum(r->to_ack), json);
	put_value(fp, "median_days_to_decision", median(r->to_decision), json);
	put_value(fp, "max_days_to_decision", maximum(r->to_decision), json);
	if (json) {
		fprintf(fp, ", \"corrective_actions\": %d, \"efficacy_checks\": "
		    "%d", r->actions, r->checked);
		put_value(fp, "objective_max_per_month", t != NULL ?
		    t->max_per_month : -1, json);
		put_value(fp, "objective_deadlines_met", t != NULL ?
		    t->deadlines_met : -1, json);
		fprintf(fp, ", \"objectives_met\": %s}\n", *met == '\0' ?
		    "null" : strcmp(met, "yes") == 0 ? "true" : "false");
		return;
	}
	fprintf(fp, ",%d,%d,", r->actions, r->checked);
	if (t != NULL && t->max_per_month >= 0)
		fprintf(fp, "%d", t->max_per_month);
	fputc(',', fp);
	if (t != NULL && t->deadlines_met >= 0)
		fprintf(fp, "%g", t->deadlines_met);
	fprintf(fp, ",%s\n", met);
}

gboolean
report_stats(struct store *st, const struct rules *rules, int year,
    const char *type, GTimeZone *tz, gboolean json, FILE *fp, GError **err)
{
	GHashTable	*rows;
	GArray		*facts;
	GList		*keys, *k;
	guint		 i;

	if ((facts = store_case_facts(st, year, type, err)) == NULL)
		return FALSE;
	rows = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, row_free);
	for (i = 0; i < facts->len; i++) {
		const struct store_facts *f = &g_array_index(facts,
		    struct store_facts, i);
		GDateTime	*u = g_date_time_new_from_unix_utc(f->opened_at);
		GDateTime	*l = g_date_time_to_timezone(u, tz);
		struct row	*r = row_for(rows, f->type,
		    g_date_time_get_month(l));
		double		 v;

		r->received++;
		r->admissible += f->admissible;
		r->inadmissible += f->inadmissible;
		r->founded += f->founded;
		r->decided += f->decided_at > 0;
		r->closed += f->closed;
		r->met += f->met;
		r->missed += f->missed;
		r->actions += f->actions;
		r->checked += f->checked;
		if (f->ack_at > 0) {
			v = (double)(f->ack_at - f->opened_at) / 3600;
			g_array_append_val(r->to_ack, v);
		}
		if (f->decided_at > 0) {
			v = (double)(f->decided_at - f->opened_at) / 86400;
			g_array_append_val(r->to_decision, v);
		}
		g_date_time_unref(l);
		g_date_time_unref(u);
	}
	if (!json)
		fprintf(fp, "year,month,type,received,admissible,inadmissible,"
		    "founded,decided,closed,deadlines_met,deadlines_missed,"
		    "deadlines_met_share,median_hours_to_ack,max_hours_to_ack,"
		    "median_days_to_decision,max_days_to_decision,"
		    "corrective_actions,efficacy_checks,objective_max_per_month,"
		    "objective_deadlines_met,objectives_met\n");
	keys = g_list_sort(g_hash_table_get_keys(rows), (GCompareFunc)strcmp);
	for (k = keys; k != NULL; k = k->next)
		print_row(fp, year, g_hash_table_lookup(rows, k->data),
		    rules_type(rules, ((struct row *)g_hash_table_lookup(rows,
		    k->data))->type), json);
	g_list_free(keys);
	g_hash_table_unref(rows);
	g_array_unref(facts);
	return TRUE;
}
