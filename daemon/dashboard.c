/*
 * dashboard.c: see dashboard.h.  Every figure is also in a table cell
 * with data-type, data-month and data-field attributes, so that a test
 * (or a script) can read back what the page shows.
 */
#include "config.h"

#include <string.h>

#include "dashboard.h"
#include "store.h"
#include "report.h"

#define BAR_W	28	/* px per month */
#define CHART_H	120	/* px of the tallest bar */

static const char *const months[] = { "janv.", "févr.", "mars", "avr.",
    "mai", "juin", "juil.", "août", "sept.", "oct.", "nov.", "déc." };

static void	 chart(FILE *, GPtrArray *, const char *);
static void	 table(FILE *, GPtrArray *, const char *);
static void	 cell(FILE *, const struct report_row *, const char *, double,
		    gboolean);
static GPtrArray *types_of(GPtrArray *);

/* The types, in the order of the rows (sorted by type). */
static GPtrArray *
types_of(GPtrArray *rows)
{
	GPtrArray	*types = g_ptr_array_new();
	guint		 i;

	for (i = 0; i < rows->len; i++) {
		const struct report_row *r = g_ptr_array_index(rows, i);

		if (types->len == 0 || strcmp(g_ptr_array_index(types,
		    types->len - 1), r->type) != 0)
			g_ptr_array_add(types, r->type);
	}
	return types;
}

/* Cases received per month, as bars, with the objective as a line. */
static void
chart(FILE *fp, GPtrArray *rows, const char *type)
{
	int	 count[12] = { 0 }, max = 1, objective = -1, m;
	char	*esc = g_markup_escape_text(type, -1);
	guint	 i;

	for (i = 0; i < rows->len; i++) {
		const struct report_row *r = g_ptr_array_index(rows, i);

		if (strcmp(r->type, type) != 0)
			continue;
		count[r->month - 1] = r->received;
		objective = r->objective_max_per_month;
	}
	for (m = 0; m < 12; m++)
		max = MAX(max, count[m]);
	max = MAX(max, objective);
	fprintf(fp, "<svg role=\"img\" aria-label=\"%s\" width=\"%d\" "
	    "height=\"%d\" viewBox=\"0 0 %d %d\">\n", esc, 12 * BAR_W,
	    CHART_H + 20, 12 * BAR_W, CHART_H + 20);
	for (m = 0; m < 12; m++) {
		int	 h = count[m] * CHART_H / max;

		fprintf(fp, "<rect class=\"bar\" x=\"%d\" y=\"%d\" width=\"%d\" "
		    "height=\"%d\"><title>%s : %d</title></rect>\n"
		    "<text x=\"%d\" y=\"%d\">%s</text>\n", m * BAR_W + 4,
		    CHART_H - h, BAR_W - 8, h, months[m], count[m],
		    m * BAR_W + 2, CHART_H + 14, months[m]);
	}
	if (objective >= 0)
		fprintf(fp, "<line class=\"objective\" x1=\"0\" x2=\"%d\" "
		    "y1=\"%d\" y2=\"%d\"><title>objectif : %d par mois</title>"
		    "</line>\n", 12 * BAR_W, CHART_H - objective * CHART_H / max,
		    CHART_H - objective * CHART_H / max, objective);
	fputs("</svg>\n", fp);
	g_free(esc);
}

static void
cell(FILE *fp, const struct report_row *r, const char *field, double v,
    gboolean integer)
{
	char	*type = g_markup_escape_text(r->type, -1);

	fprintf(fp, "<td data-type=\"%s\" data-month=\"%d\" data-field=\"%s\">",
	    type, r->month, field);
	if (v < 0)
		fputs("–", fp);
	else if (integer)
		fprintf(fp, "%.0f", v);
	else
		fprintf(fp, "%.1f", v);
	fputs("</td>", fp);
	g_free(type);
}

/* Every figure of the type, month by month. */
static void
table(FILE *fp, GPtrArray *rows, const char *type)
{
	guint	 i;

	fputs("<table>\n<tr><th>mois</th><th>reçus</th><th>recevables</th>"
	    "<th>fondés</th><th>décidés</th><th>clos</th><th>échéances "
	    "tenues</th><th>manquées</th><th>% tenues</th><th>h. médianes "
	    "jusqu'à l'accusé</th><th>j. médians jusqu'à la décision</th>"
	    "<th>actions correctives</th><th>soldées</th>"
	    "<th>efficacité vérifiée</th>"
	    "<th>objectifs</th></tr>\n", fp);
	for (i = 0; i < rows->len; i++) {
		const struct report_row *r = g_ptr_array_index(rows, i);

		if (strcmp(r->type, type) != 0)
			continue;
		fprintf(fp, "<tr><th>%s</th>", months[r->month - 1]);
		cell(fp, r, "received", r->received, TRUE);
		cell(fp, r, "admissible", r->admissible, TRUE);
		cell(fp, r, "founded", r->founded, TRUE);
		cell(fp, r, "decided", r->decided, TRUE);
		cell(fp, r, "closed", r->closed, TRUE);
		cell(fp, r, "deadlines_met", r->met, TRUE);
		cell(fp, r, "deadlines_missed", r->missed, TRUE);
		cell(fp, r, "deadlines_met_share", r->met_share, FALSE);
		cell(fp, r, "median_hours_to_ack", r->median_ack_hours, FALSE);
		cell(fp, r, "median_days_to_decision", r->median_decision_days,
		    FALSE);
		cell(fp, r, "corrective_actions", r->actions, TRUE);
		cell(fp, r, "corrective_closed", r->closed_actions, TRUE);
		cell(fp, r, "efficacy_checks", r->checked, TRUE);
		fprintf(fp, "<td class=\"%s\" data-field=\"objectives_met\">%s"
		    "</td></tr>\n", *r->objectives_met ? r->objectives_met :
		    "none", strcmp(r->objectives_met, "yes") == 0 ? "atteints" :
		    strcmp(r->objectives_met, "no") == 0 ? "non atteints" : "–");
	}
	fputs("</table>\n", fp);
}

/* The causes staff gave the type's cases (#cause), most frequent first. */
static void
cause_table(FILE *fp, GArray *causes, const char *type)
{
	gboolean any = FALSE;
	guint	 i;

	for (i = 0; i < causes->len; i++) {
		const struct store_cause *c = &g_array_index(causes,
		    struct store_cause, i);
		char	*t, *k;

		if (strcmp(c->type, type) != 0)
			continue;
		if (!any)
			fputs("<h3>Causes</h3>\n<table class=\"causes\">\n"
			    "<tr><th>cause</th><th>dossiers</th></tr>\n", fp);
		any = TRUE;
		t = g_markup_escape_text(c->type, -1);
		k = g_markup_escape_text(c->cause, -1);
		fprintf(fp, "<tr><th>%s</th><td data-type=\"%s\" "
		    "data-cause=\"%s\">%d</td></tr>\n", k, t, k, c->cases);
		g_free(t);
		g_free(k);
	}
	if (any)
		fputs("</table>\n", fp);
}

/* How the year's cases came: email, or entered by staff (channel.h). */
static void
channel_table(FILE *fp, GArray *channels)
{
	guint	 i;

	if (channels == NULL || channels->len == 0)
		return;
	fputs("<section id=\"channels\">\n<h2>Dossiers par canal</h2>\n"
	    "<table class=\"channels\">\n<tr><th>canal</th><th>dossiers</th>"
	    "</tr>\n", fp);
	for (i = 0; i < channels->len; i++) {
		const struct store_count *c = &g_array_index(channels,
		    struct store_count, i);
		char	*k = g_markup_escape_text(c->name, -1);

		fprintf(fp, "<tr><th>%s</th><td data-channel=\"%s\">%"
		    G_GINT64_FORMAT "</td></tr>\n", k, k, c->n);
		g_free(k);
	}
	fputs("</table>\n</section>\n", fp);
}

void
dashboard_write(FILE *fp, const char *org, int year, GPtrArray *rows,
    GArray *causes, GArray *channels)
{
	GPtrArray	*types = types_of(rows);
	char		*esc = g_markup_escape_text(org != NULL ? org : "", -1);
	guint		 i;

	fprintf(fp, "<!DOCTYPE html>\n<html lang=\"fr\">\n<head>\n"
	    "<meta charset=\"utf-8\">\n<title>%s : recours, plaintes et "
	    "réclamations %d</title>\n<style>\n"
	    "body { font-family: sans-serif; margin: 2em; color: #222; }\n"
	    "table { border-collapse: collapse; margin: 1em 0 2em; }\n"
	    "th, td { border: 1px solid #ccc; padding: .2em .5em; "
	    "text-align: right; }\n"
	    ".bar { fill: #3b6ea5; } .objective { stroke: #c0392b; "
	    "stroke-dasharray: 4 2; }\n"
	    "text { font-size: 9px; } .yes { color: #1e7e34; } "
	    ".no { color: #c0392b; font-weight: bold; }\n"
	    "</style>\n</head>\n<body>\n<h1>%s</h1>\n<p>Tableau de bord "
	    "annuel %d : recours, plaintes et réclamations, calculés à partir "
	    "du registre (<code>recoursctl stats --year %d</code>).</p>\n",
	    esc, year, esc, year, year);
	if (types->len == 0)
		fputs("<p id=\"empty\">Aucun dossier cette année.</p>\n", fp);
	for (i = 0; i < types->len; i++) {
		char	*type = g_markup_escape_text(g_ptr_array_index(types, i),
		    -1);

		fprintf(fp, "<section data-type=\"%s\">\n<h2>%s</h2>\n"
		    "<h3>Dossiers reçus par mois</h3>\n", type, type);
		chart(fp, rows, g_ptr_array_index(types, i));
		table(fp, rows, g_ptr_array_index(types, i));
		cause_table(fp, causes, g_ptr_array_index(types, i));
		fputs("</section>\n", fp);
		g_free(type);
	}
	channel_table(fp, channels);
	fputs("</body>\n</html>\n", fp);
	g_ptr_array_unref(types);
	g_free(esc);
}
