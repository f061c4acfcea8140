/*
 * test_staff_text.c: staff replies as mail clients write them: commands
 * at the top, the quoted message and the signature cut in the forms of
 * Outlook, Thunderbird, Gmail and Apple Mail, French and English.
 */
#include "config.h"

#include <glib.h>

#include "staff_text.h"

static const struct {
	const char	*client;
	const char	*reply;
	const char	*kept;
} replies[] = {
	{ "Thunderbird fr", "Bonjour,\n\nC'est noté.\n\nLe 23/11/2026 à 10:00, "
	    "Recours a écrit :\n> Nouveau dossier\n", "Bonjour,\n\nC'est noté." },
	{ "Gmail fr", "Merci.\n\nLe lun. 23 nov. 2026 à 10:00, Recours "
	    "<recours@example.test> a écrit :\n\n> texte", "Merci." },
	{ "Gmail fr, colon wrapped", "Merci.\n\nLe lun. 23 nov. 2026 à 10:00, "
	    "Recours <recours@example.test> a écrit\n:\n> texte", "Merci." },
	{ "Gmail en", "Thanks.\n\nOn Mon, Nov 23, 2026 at 10:00 AM Recours "
	    "<recours@example.test> wrote:\n> text", "Thanks." },
	{ "Outlook fr", "Bien reçu.\n\nDe : Recours <recours@example.test>\n"
	    "Envoyé : lundi 23 novembre 2026 10:00\nÀ : moi", "Bien reçu." },
	{ "Outlook en", "Noted.\n\n-----Original Message-----\nFrom: Recours",
	    "Noted." },
	{ "Outlook rule", "Vu.\n________________________________\nDe : x",
	    "Vu." },
	{ "Apple Mail", "D'accord.\n\n> Le 23 nov. 2026 à 10:00, Recours a "
	    "écrit :\n> texte", "D'accord." },
	{ "signature", "Réponse.\n\n-- \nSophie Martin\nSecrétariat",
	    "Réponse." },
	{ "marker fr", "Dossier complet.\n\n-- répondre au-dessus de cette "
	    "ligne --\n\nDossier : REC-2026-0001", "Dossier complet." },
	{ "marker en, unquoted", "Complete.\n-- reply above this line --\n"
	    "Case: REC-2026-0001", "Complete." },
	{ "no quote", "Juste une ligne.", "Juste une ligne." },
	{ "quoted only", "> tout est cité", "" },
	{ "bottom-posted", "Le 23/11/2026 à 10:00, Recours a écrit :\n> "
	    "Nouveau dossier\n> texte\n\nMa réponse en dessous.\n\n-- \n"
	    "Sophie", "Ma réponse en dessous." },
	{ "interleaved bottom", "> question ?\nréponse.\n> autre ?\n"
	    "autre réponse.", "réponse.\nautre réponse." },
};

static void
test_strip_quotes(void)
{
	size_t	 i;

	for (i = 0; i < G_N_ELEMENTS(replies); i++) {
		char	*got = staff_strip_quotes(replies[i].reply);

		if (g_strcmp0(got, replies[i].kept) != 0)
			g_test_message("%s: got [%s]", replies[i].client, got);
		g_assert_cmpstr(got, ==, replies[i].kept);
		g_free(got);
	}
}

static void
test_commands_at_the_top(void)
{
	GPtrArray	*cmds;
	char		*rest;

	staff_split("\n#note appelée\n  #recevable\n\nBonjour,\n#pas une "
	    "commande\n", &cmds, &rest);
	g_assert_cmpuint(cmds->len, ==, 2);
	g_assert_cmpstr(g_ptr_array_index(cmds, 0), ==, "note appelée");
	g_assert_cmpstr(g_ptr_array_index(cmds, 1), ==, "recevable");
	g_assert_cmpstr(rest, ==, "Bonjour,\n#pas une commande\n\n");
	g_ptr_array_unref(cmds);
	g_free(rest);
	staff_split("Pas de commande.\n", &cmds, &rest);
	g_assert_cmpuint(cmds->len, ==, 0);
	g_assert_cmpstr(rest, ==, "Pas de commande.\n\n");
	g_ptr_array_unref(cmds);
	g_free(rest);
}

/*
 * Long lines that nearly read "Le ..., X <a> a écrit" are kept whole
 * (and read in linear time: the pattern does not backtrack over every
 * comma and '<' of a line).
 */
static void
test_near_miss_attribution(void)
{
	GString	*s = g_string_new("Bonjour.\n");
	char	*got;
	int	 i;

	for (i = 0; i < 16; i++) {
		g_string_append(s, "Le ");
		while (s->len % 8192 != 0)
			g_string_append_c(s, "a, b <c> d On e wrote "[s->len % 22]);
		g_string_append_c(s, '\n');
	}
	got = staff_strip_quotes(s->str);
	g_assert_cmpstr(got, ==, g_strstrip(s->str));
	g_free(got);
	g_string_free(s, TRUE);
}

/* A separator of the configuration cuts too, wherever it comes first. */
static void
test_configured_separator(void)
{
	GRegex	*extra = g_regex_new("^(?:Envoyé de mon)", G_REGEX_MULTILINE |
	    G_REGEX_CASELESS, 0, NULL);
	char	*got = staff_strip_quotes_with("D'accord.\nEnvoyé de mon "
	    "iPhone\nLe 23 nov. a écrit :\n", extra);

	g_assert_cmpstr(got, ==, "D'accord.");
	g_free(got);
	got = staff_strip_quotes_with("Oui.\n> cité\nEnvoyé de mon iPhone",
	    extra);
	g_assert_cmpstr(got, ==, "Oui.");
	g_free(got);
	g_regex_unref(extra);
}

int
main(int argc, char *argv[])
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/staff/strip-quotes", test_strip_quotes);
	g_test_add_func("/staff/configured-separator", test_configured_separator);
	g_test_add_func("/staff/near-miss-attribution",
	    test_near_miss_attribution);
	g_test_add_func("/staff/commands-at-the-top", test_commands_at_the_top);
	return g_test_run();
}
