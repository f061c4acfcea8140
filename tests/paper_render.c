/*
 * paper_render.c: one letter to a PDF through paper.c, from the command
 * line, for t_paper.sh and for trying a letter by hand:
 *
 *	paper_render --recipient $'Jean Dupont\n12 rue des Lilas\n83140 Six-Fours-les-Plages' \
 *	    --date 2026-12-04 --subject 'Décision' --reference REC-2026-0042 \
 *	    --body-file body.txt out.pdf
 *	paper_render --check --recipient "$address"
 *
 * --check prints the reason an address is refused and exits 1; --pages
 * prints the page count paper.c computes.  Exit 2 on a usage error.
 */
#include "config.h"

#include <glib.h>
#include <stdio.h>
#include <stdlib.h>

#include "paper.h"

static char	*sender, *recipient, *place, *date, *notice, *subject;
static char	*reference, *body_file, *signature;
static gboolean	 check, pages;

/* Bytes as given (FILENAME): a C locale would refuse UTF-8 as STRING. */
static const GOptionEntry options[] = {
	{ "sender", 0, 0, G_OPTION_ARG_FILENAME, &sender, "sender block", "TEXT" },
	{ "recipient", 0, 0, G_OPTION_ARG_FILENAME, &recipient,
	    "address block", "TEXT" },
	{ "place", 0, 0, G_OPTION_ARG_FILENAME, &place, "place of the date line",
	    "NAME" },
	{ "date", 0, 0, G_OPTION_ARG_FILENAME, &date, "the letter's day",
	    "YYYY-MM-DD" },
	{ "notice", 0, 0, G_OPTION_ARG_FILENAME, &notice, "notice line", "TEXT" },
	{ "subject", 0, 0, G_OPTION_ARG_FILENAME, &subject, "subject", "TEXT" },
	{ "reference", 0, 0, G_OPTION_ARG_FILENAME, &reference, "reference",
	    "REF" },
	{ "body-file", 0, 0, G_OPTION_ARG_FILENAME, &body_file,
	    "the body, from a file", "FILE" },
	{ "signature", 0, 0, G_OPTION_ARG_FILENAME, &signature,
	    "signature block", "TEXT" },
	{ "check", 0, 0, G_OPTION_ARG_NONE, &check,
	    "only check the address", NULL },
	{ "pages", 0, 0, G_OPTION_ARG_NONE, &pages,
	    "print the page count", NULL },
	{ NULL, 0, 0, 0, NULL, NULL, NULL }
};

/* The day at noon in Paris; NULL for a bad date. */
static GDateTime *
parse_date(const char *s)
{
	GTimeZone	*tz = g_time_zone_new_identifier("Europe/Paris");
	GDateTime	*dt = NULL;
	int		 y, m, d;
	char		 end;

	if (tz == NULL)
		tz = g_time_zone_new_offset(3600);
	if (sscanf(s, "%d-%d-%d%c", &y, &m, &d, &end) == 3)
		dt = g_date_time_new(tz, y, m, d, 12, 0, 0);
	g_time_zone_unref(tz);
	return dt;
}

static int
check_only(void)
{
	GString	*reason = g_string_new(NULL);
	int	 rc = 0;

	if (!paper_check_address(recipient, reason)) {
		printf("%s\n", reason->str);
		rc = 1;
	}
	g_string_free(reason, TRUE);
	return rc;
}

static int
render(struct paper_letter *l, const char *out)
{
	GError	*err = NULL;

	if (pages)
		printf("%d\n", paper_page_count(l));
	if (out == NULL)
		return 0;
	if (!paper_render(l, out, &err)) {
		fprintf(stderr, "paper_render: %s\n", err->message);
		g_error_free(err);
		return 1;
	}
	return 0;
}

static void
free_options(void)
{
	g_free(sender);
	g_free(recipient);
	g_free(place);
	g_free(date);
	g_free(notice);
	g_free(subject);
	g_free(reference);
	g_free(body_file);
	g_free(signature);
}

int
main(int argc, char *argv[])
{
	GOptionContext		*ctx = g_option_context_new("[OUT.pdf]");
	GError			*err = NULL;
	struct paper_letter	 l = { 0 };
	char			*body = NULL;
	int			 rc = 2;

	g_option_context_add_main_entries(ctx, options, NULL);
	if (!g_option_context_parse(ctx, &argc, &argv, &err) || argc > 2 ||
	    (body_file != NULL &&
	    !g_file_get_contents(body_file, &body, NULL, &err)) ||
	    (date != NULL && (l.date = parse_date(date)) == NULL)) {
		fprintf(stderr, "paper_render: %s\n", err != NULL ?
		    err->message : "usage: see --help");
		goto out;
	}
	if (check) {
		rc = check_only();
		goto out;
	}
	l = (struct paper_letter){ sender, recipient, place, l.date, notice,
	    subject, reference, body, signature };
	rc = render(&l, argc == 2 ? argv[1] : NULL);
out:
	if (l.date != NULL)
		g_date_time_unref(l.date);
	g_clear_error(&err);
	g_free(body);
	g_option_context_free(ctx);
	free_options();
	return rc;
}
