/*
 * report.c: see report.h.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "case_state.h"
#include "report.h"

/* What the indicators are made of, per case (0: never). */
struct facts {
	const char	*type;
	int64_t		 opened_at;
	int64_t		 ack_at;	/* acknowledgement sent */
	int64_t		 decided_at;
	int		 admissible, inadmissible, founded, closed;
	int		 met, missed;	/* deadlines */
	int		 actions, closed_actions, checked; /* corrective:
					   opened, done, efficacy checked */
};

/* A row while it is being counted: the times, to take medians of. */
struct tally {
	struct report_row row;
	GArray		*to_ack;	/* hours, double */
	GArray		*to_decision;	/* days, double */
};

static int	 by_double(const void *, const void *);
static double	 median(GArray *);
static double	 maximum(GArray *);
static void	 tally_free(gpointer);
static void	 row_free(gpointer);
static struct tally *tally_for(GHashTable *, const char *, int);
static void	 count_event(struct facts *, const struct store_event *);
static gboolean	 case_facts(struct store *, const struct store_case *,
		    struct facts *, GError **);
static void	 add_fact(struct tally *, const struct facts *);
static void	 finish(struct report_row *, struct tally *,
		    const struct rules_type *);
static void	 put(FILE *, const char *, double, gboolean);
static void	 print_row(FILE *, int, const struct report_row *, gboolean);
static char	*csv_field(const char *);

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
tally_free(gpointer p)
{
	struct tally *t = p;

	g_free(t->row.type);
	g_array_unref(t->to_ack);
	g_array_unref(t->to_decision);
	g_free(t);
}

static void
row_free(gpointer p)
{
	struct report_row *r = p;

	g_free(r->type);
	g_free(r);
}

static struct tally *
tally_for(GHashTable *tallies, const char *type, int month)
{
	char		*key = g_strdup_printf("%s|%02d", type, month);
	struct tally	*t = g_hash_table_lookup(tallies, key);

	if (t == NULL) {
		t = g_new0(struct tally, 1);
		t->row.type = g_strdup(type);
		t->row.month = month;
		t->to_ack = g_array_new(FALSE, FALSE, sizeof(double));
		t->to_decision = g_array_new(FALSE, FALSE, sizeof(double));
		g_hash_table_insert(tallies, key, t);
	} else
		g_free(key);
	return t;
}

/*
 * What one event of the case adds to its facts: the moves of its state,
 * the deadlines (timer.c) and what staff said (their commands' events).
 */
static void
count_event(struct facts *f, const struct store_event *e)
{
	const char *k = e->kind;

	if (strcmp(k, "state") == 0) {
		if (case_state_move_into(e->detail,
		    case_state_name(CASE_DECIDED)) &&
		    (f->decided_at == 0 || e->at < f->decided_at))
			f->decided_at = e->at;
		f->admissible |= case_state_move_into(e->detail,
		    case_state_name(CASE_ADMISSIBLE));
		f->inadmissible |= case_state_move_into(e->detail,
		    case_state_name(CASE_INADMISSIBLE));
	}
	f->founded |= strcmp(k, "fondee") == 0;
	f->met += strcmp(k, "deadline-met") == 0;
	f->missed += strcmp(k, "deadline-missed") == 0;
	f->actions += strcmp(k, "action-corrective") == 0;
	f->closed_actions += strcmp(k, "action-soldee") == 0;
	f->checked += strcmp(k, "efficacite") == 0;
}

/* The facts of case c, from its record. */
static gboolean
case_facts(struct store *st, const struct store_case *c, struct facts *f,
    GError **err)
{
	GArray	*events;
	guint	 i;

	memset(f, 0, sizeof(*f));
	f->type = c->type;
	f->opened_at = c->opened_at;
	f->closed = strcmp(c->state, case_state_name(CASE_CLOSED)) == 0;
	if ((f->ack_at = store_outbox_first_sent(st, c->id, "ack", err)) < 0 ||
	    (events = store_case_events(st, c->id, err)) == NULL)
		return FALSE;
	for (i = 0; i < events->len; i++)
		count_event(f, &g_array_index(events, struct store_event, i));
	g_array_unref(events);
	return TRUE;
}

static void
add_fact(struct tally *t, const struct facts *f)
{
	struct report_row *r = &t->row;
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
	r->closed_actions += f->closed_actions;
	r->checked += f->checked;
	if (f->ack_at > 0) {
		v = (double)(f->ack_at - f->opened_at) / 3600;
		g_array_append_val(t->to_ack, v);
	}
	if (f->decided_at > 0) {
		v = (double)(f->decided_at - f->opened_at) / 86400;
		g_array_append_val(t->to_decision, v);
	}
}

/*
 * The times and the objectives: met is "yes" or "no", or "" when the
 * type has none that applies (no deadline fell due).
 */
static void
finish(struct report_row *r, struct tally *t, const struct rules_type *type)
{
	gboolean judged = FALSE, ok = TRUE;

	*r = t->row;
	r->type = g_strdup(t->row.type);
	r->met_share = r->met + r->missed > 0 ?
	    100.0 * r->met / (r->met + r->missed) : -1;
	r->median_ack_hours = median(t->to_ack);
	r->max_ack_hours = maximum(t->to_ack);
	r->median_decision_days = median(t->to_decision);
	r->max_decision_days = maximum(t->to_decision);
	r->objective_max_per_month = type != NULL ? type->max_per_month : -1;
	r->objective_deadlines_met = type != NULL ? type->deadlines_met : -1;
	if (r->objective_max_per_month >= 0) {
		judged = TRUE;
		ok = r->received <= r->objective_max_per_month;
	}
	if (r->objective_deadlines_met >= 0 && r->met_share >= 0) {
		judged = TRUE;
		ok = ok && r->met_share + 1e-9 >= r->objective_deadlines_met;
	}
	r->objectives_met = !judged ? "" : ok ? "yes" : "no";
}

GPtrArray *
report_rows(struct store *st, const struct rules *rules, int year,
    const char *type, GTimeZone *tz, GError **err)
{
	GHashTable	*tallies;
	GPtrArray	*rows;
	GArray		*cases;
	GList		*keys, *k;
	guint		 i;

	if ((cases = store_case_list(st, type, NULL, year, err)) == NULL)
		return NULL;
	tallies = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
	    tally_free);
	for (i = 0; i < cases->len; i++) {
		struct facts	 f;
		GDateTime	*u, *l;

		if (!case_facts(st, &g_array_index(cases, struct store_case, i),
		    &f, err)) {
			g_hash_table_unref(tallies);
			g_array_unref(cases);
			return NULL;
		}
		u = g_date_time_new_from_unix_utc(f.opened_at);
		l = g_date_time_to_timezone(u, tz);
		add_fact(tally_for(tallies, f.type, g_date_time_get_month(l)),
		    &f);
		g_date_time_unref(l);
		g_date_time_unref(u);
	}
	rows = g_ptr_array_new_with_free_func(row_free);
	keys = g_list_sort(g_hash_table_get_keys(tallies), (GCompareFunc)strcmp);
	for (k = keys; k != NULL; k = k->next) {
		struct tally	*t = g_hash_table_lookup(tallies, k->data);
		struct report_row *r = g_new0(struct report_row, 1);

		finish(r, t, rules_type(rules, t->row.type));
		g_ptr_array_add(rows, r);
	}
	g_list_free(keys);
	g_hash_table_unref(tallies);
	g_array_unref(cases);
	return rows;
}

/* ",12.5" or "," (CSV); ", "name": 12.5" or null (JSON). */
static void
put(FILE *fp, const char *name, double v, gboolean json)
{
	if (!json)
		v >= 0 ? fprintf(fp, ",%.1f", v) : fputs(",", fp);
	else if (v >= 0)
		fprintf(fp, ", \"%s\": %.1f", name, v);
	else
		fprintf(fp, ", \"%s\": null", name);
}

static void
print_row(FILE *fp, int year, const struct report_row *r, gboolean json)
{
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
	put(fp, "deadlines_met_share", r->met_share, json);
	put(fp, "median_hours_to_ack", r->median_ack_hours, json);
	put(fp, "max_hours_to_ack", r->max_ack_hours, json);
	put(fp, "median_days_to_decision", r->median_decision_days, json);
	put(fp, "max_days_to_decision", r->max_decision_days, json);
	if (json) {
		fprintf(fp, ", \"corrective_actions\": %d, \"corrective_closed\": "
		    "%d, \"efficacy_checks\": %d", r->actions, r->closed_actions,
		    r->checked);
		put(fp, "objective_max_per_month", r->objective_max_per_month,
		    json);
		put(fp, "objective_deadlines_met", r->objective_deadlines_met,
		    json);
		fprintf(fp, ", \"objectives_met\": %s}\n",
		    *r->objectives_met == '\0' ? "null" :
		    strcmp(r->objectives_met, "yes") == 0 ? "true" : "false");
		return;
	}
	fprintf(fp, ",%d,%d,%d,", r->actions, r->closed_actions, r->checked);
	if (r->objective_max_per_month >= 0)
		fprintf(fp, "%d", r->objective_max_per_month);
	fputc(',', fp);
	if (r->objective_deadlines_met >= 0)
		fprintf(fp, "%g", r->objective_deadlines_met);
	fprintf(fp, ",%s\n", r->objectives_met);
}

gboolean
report_stats(struct store *st, const struct rules *rules, int year,
    const char *type, GTimeZone *tz, gboolean json, FILE *fp, GError **err)
{
	GPtrArray	*rows = report_rows(st, rules, year, type, tz, err);
	guint		 i;

	if (rows == NULL)
		return FALSE;
	if (!json)
		fprintf(fp, "year,month,type,received,admissible,inadmissible,"
		    "founded,decided,closed,deadlines_met,deadlines_missed,"
		    "deadlines_met_share,median_hours_to_ack,max_hours_to_ack,"
		    "median_days_to_decision,max_days_to_decision,"
		    "corrective_actions,corrective_closed,efficacy_checks,"
		    "objective_max_per_month,"
		    "objective_deadlines_met,objectives_met\n");
	for (i = 0; i < rows->len; i++)
		print_row(fp, year, g_ptr_array_index(rows, i), json);
	g_ptr_array_unref(rows);
	return TRUE;
}

/* A JSON string literal of s (or null); caller frees. */
char *
report_json_str(const char *s)
{
	GString		*o;
	const char	*p;

	if (s == NULL)
		return g_strdup("null");
	o = g_string_new("\"");
	for (p = s; *p != '\0'; p++) {
		if (*p == '"' || *p == '\\')
			g_string_append_printf(o, "\\%c", *p);
		else if ((unsigned char)*p < 0x20)
			g_string_append_printf(o, "\\u%04x", *p);
		else
			g_string_append_c(o, *p);
	}
	g_string_append_c(o, '"');
	return g_string_free(o, FALSE);
}

gboolean
report_causes(struct store *st, int year, const char *type, gboolean json,
    FILE *fp, GError **err)
{
	GArray	*rows = report_cause_counts(st, year, type, err);
	guint	 i;

	if (rows == NULL)
		return FALSE;
	if (!json)
		fputs("year,type,cause,cases\n", fp);
	for (i = 0; i < rows->len; i++) {
		const struct store_cause *c = &g_array_index(rows,
		    struct store_cause, i);
		char	*t, *k;

		if (json) {
			t = report_json_str(c->type);
			k = report_json_str(c->cause);
			fprintf(fp, "{\"year\": %d, \"type\": %s, \"cause\": %s, "
			    "\"cases\": %d}\n", year, t, k, c->cases);
		} else {
			t = csv_field(c->type);
			k = csv_field(c->cause);
			fprintf(fp, "%d,%s,%s,%d\n", year, t, k, c->cases);
		}
		g_free(t);
		g_free(k);
	}
	g_array_unref(rows);
	return TRUE;
}

gboolean
report_channels(struct store *st, int year, const char *type, gboolean json,
    FILE *fp, GError **err)
{
	/* Triage cases are not yet of a type: not counted. */
	GArray	*rows = store_channel_counts(st, year, type, "triage", err);
	guint	 i;

	if (rows == NULL)
		return FALSE;
	if (!json)
		fputs("year,channel,cases\n", fp);
	for (i = 0; i < rows->len; i++) {
		const struct store_count *c = &g_array_index(rows,
		    struct store_count, i);

		/* Channel names are ours: no quoting needed. */
		fprintf(fp, json ? "{\"year\": %d, \"channel\": \"%s\", "
		    "\"cases\": %" G_GINT64_FORMAT "}\n" : "%d,%s,%"
		    G_GINT64_FORMAT "\n", year, c->name, c->n);
	}
	g_array_unref(rows);
	return TRUE;
}

GArray *
report_cause_counts(struct store *st, int year, const char *type,
    GError **err)
{
	return store_cause_counts(st, year, type, "cause", err);
}

/* A CSV field, quoted when it must be (RFC 4180). */
static char *
csv_field(const char *s)
{
	GString	*q;

	if (strpbrk(s, ",\"\r\n") == NULL)
		return g_strdup(s);
	q = g_string_new("\"");
	for (; *s != '\0'; s++) {
		if (*s == '"')
			g_string_append_c(q, '"');
		g_string_append_c(q, *s);
	}
	g_string_append_c(q, '"');
	return g_string_free(q, FALSE);
}
