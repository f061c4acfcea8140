/*
 * test_classify.c: classification by subject tag over the shipped default
 * rules (rules/00-default.conf): bracketed tags and words, reply and
 * forward prefixes, case and accents, decoded encoded-words, typos that
 * must not match, priorities, per-role defaults, case references.
 */
#include "config.h"

#include <glib.h>
#include <string.h>

#include "classify.h"
#include "rules.h"
#include "testutil.h"

static struct rules *rules;

/* subject (already decoded, as msg.c gives it) -> expected type */
static const struct {
	const char	*subject;
	const char	*type;		/* NULL: triage */
} cases[] = {
	{ "[Réclamation] Audit du 12 novembre", "claim" },
	{ "[RÉCLAMATION] audit", "claim" },
	{ "[reclamation] sans accent", "claim" },
	{ "RECLAMATION : facture", "claim" },
	{ "Réclamation: facture", "claim" },
	{ "réclamation", "claim" },
	{ "Ma réclamation concernant l'audit", "claim" },
	{ "Re: [Réclamation] Audit", "claim" },
	{ "RE : Réclamation", "claim" },
	{ "TR: réclamation", "claim" },
	{ "Tr. : Réclamation urgente", "claim" },
	{ "Fwd: RECLAMATION", "claim" },
	{ "Fw: Reclamation", "claim" },
	{ "AW: Reclamation", "claim" },
	{ "WG: Réclamation", "claim" },
	{ "RE: TR: Fwd: réclamation", "claim" },
	{ "[Réclamations] plusieurs points", "claim" },
	{ "réclamation-urgente", "claim" },
	{ "(réclamation)", "claim" },
	{ "«Réclamation»", "claim" },
	{ "Claim about your audit", "claim" },
	{ "CLAIM", "claim" },
	{ "RéClAmAtIoN mixte", "claim" },
	{ "Re: RE: re: réclamation", "claim" },
	{ "Objet : réclamation n° 12", "claim" },
	{ "[Appel] Décision du comité", "appeal" },
	{ "APPEL : refus de certification", "appeal" },
	{ "appel de la décision", "appeal" },
	{ "Re: [Appel]", "appeal" },
	{ "Appeal against the decision", "appeal" },
	{ "Recours contre la décision", "appeal" },
	{ "recours", "appeal" },
	{ "[Plainte] comportement d'un auditeur", "complaint" },
	{ "PLAINTE", "complaint" },
	{ "plainte contre un organisme certifié", "complaint" },
	{ "Complaint", "complaint" },
	{ "Fwd: [Plainte]", "complaint" },
	/* Priorities: appeal (30) > complaint (20) > claim (10). */
	{ "Réclamation et appel", "appeal" },
	{ "Plainte suite à ma réclamation", "complaint" },
	{ "Appel de ma plainte", "appeal" },
	/* Typos and near words must not match. */
	{ "reclammation", NULL },
	{ "réclamer un document", NULL },
	{ "appelé hier", NULL },
	{ "appellation", NULL },
	{ "plaintes2", NULL },
	{ "complaints-department", NULL },
	{ "recoursd test", NULL },
	{ "claims", NULL },
	{ "Demande d'information", NULL },
	{ "", NULL },
	{ "Re:", NULL },
	{ "Fwd: Fwd: RE:", NULL },
	{ "Question sur la certification", NULL },
	{ "Facture 2026-11", NULL },
	/* Decoded encoded-words, ISO-8859-1 and UTF-8 alike. */
	{ "Mail avec fichier attaché: réclamation", "claim" },
	{ "RÉCLAMATION N° 1467829", "claim" },
	{ "r\xc3\xa9" "clamation", "claim" },
	{ "Re\xcc\x81" "clamation (combining accent)", "claim" },
	/* Control characters and tabs are separators. */
	{ "r\xc3\xa9" "clamation\tsuite", "claim" },
	{ "x\x01plainte\x02y", "complaint" },
	{ "APPEL\r\nInjected: header", "appeal" },
	{ "日本語 réclamation", "claim" },
};

static void
test_subjects(void)
{
	struct classify_result r;
	size_t		 i;
	int		 bad = 0;

	for (i = 0; i < G_N_ELEMENTS(cases); i++) {
		const char *got;

		classify_subject(rules, cases[i].subject, NULL, &r);
		got = r.type != NULL ? r.type->name : NULL;
		if (g_strcmp0(got, cases[i].type) != 0) {
			g_test_message("\"%s\": got %s, want %s", cases[i].subject,
			    got ? got : "triage", cases[i].type ? cases[i].type :
			    "triage");
			bad++;
		}
	}
	g_test_message("%zu subjects", G_N_ELEMENTS(cases));
	g_assert_cmpint(G_N_ELEMENTS(cases), >=, 60);
	g_assert_cmpint(bad, ==, 0);
}

static void
test_huge_subject(void)
{
	struct classify_result r;
	GString	*s = g_string_new(NULL);

	while (s->len < 10000)
		g_string_append(s, "bla \x01\x7f ");
	g_string_append(s, "réclamation");
	classify_subject(rules, s->str, NULL, &r);
	g_assert_nonnull(r.type);
	g_assert_cmpstr(r.type->name, ==, "claim");
	g_string_free(s, TRUE);
}

static void
test_references(void)
{
	char	*ref;

	ref = classify_find_ref(rules, "Re: [REC-2026-0042] Accusé de réception");
	g_assert_cmpstr(ref, ==, "REC-2026-0042");
	g_free(ref);
	ref = classify_find_ref(rules, "re: rec-2026-0042");
	g_assert_cmpstr(ref, ==, "REC-2026-0042");
	g_free(ref);
	g_assert_null(classify_find_ref(rules, "ABC-2026-0042 (unknown prefix)"));
	g_assert_null(classify_find_ref(rules, "REC-26-0042"));
	g_assert_null(classify_find_ref(rules, "XREC-2026-0042"));
	ref = classify_find_ref(rules, "TRI-2026-0001");
	g_assert_cmpstr(ref, ==, "TRI-2026-0001");
	g_free(ref);
}

int
main(int argc, char *argv[])
{
	GString	*errors = g_string_new(NULL);
	char	*dir;
	int	 rc;

	g_test_init(&argc, &argv, NULL);
	dir = g_build_filename(g_getenv("top_srcdir") != NULL ?
	    g_getenv("top_srcdir") : "..", "rules", NULL);
	rules = rules_load(dir, errors);
	if (rules == NULL)
		g_error("%s", errors->str);
	g_test_add_func("/classify/subjects", test_subjects);
	g_test_add_func("/classify/huge-subject", test_huge_subject);
	g_test_add_func("/classify/references", test_references);
	rc = g_test_run();
	rules_free(rules);
	g_free(dir);
	g_string_free(errors, TRUE);
	return rc;
}
