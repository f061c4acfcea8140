/*
 * staff_cmd.c: see staff_cmd.h.
 */
#include "config.h"

#include <string.h>

#include "letter_tpl.h"
#include "staff_cmd.h"

/* Short names for the table's columns. */
#define ANY		CASE_ALL_STATES
#define STAY		CASE_NSTATES
#define NO_LETTER	STAFF_NO_LETTER
#define TEXT		STAFF_TEXT
#define ADDRESS		STAFF_ADDRESS

/* In the order #aide lists them. */
const struct staff_cmd staff_cmds[] = {
	/* name			flags	needs	moves to	 letter */
	{ "note",		TEXT,	ANY,	STAY,		NO_LETTER,
	    .run = staff_do_note,
	    .help = "note interne ; la réponse n'est pas transmise" },
	{ "type",		TEXT,	ANY,	STAY,		NO_LETTER,
	    .check = staff_check_type, .run = staff_do_type,
	    .help = "TYPE : qualifier le dossier" },
	{ "assigner",		TEXT | ADDRESS, ANY, STAY,	NO_LETTER,
	    .check = staff_check_assignee, .run = staff_do_assign,
	    .help = "ADRESSE : confier le dossier" },
	{ "complet",		0,	ANY,	CASE_RECEIVED,	NO_LETTER,
	    .run = staff_do_complete,
	    .help = "le dossier est complet (il démarre)" },
	{ "incomplet",		TEXT,	ANY,	CASE_INCOMPLETE, LETTER_INFO_REQUEST,
	    .run = staff_do_incomplete,
	    .help = "MANQUE; MANQUE... : demander ces éléments au plaignant" },
	{ "recevable",		0,	ANY,	CASE_ADMISSIBLE, NO_LETTER,
	    .help = "le recours est recevable" },
	{ "irrecevable",	TEXT,	ANY,	CASE_INADMISSIBLE,
	    LETTER_INADMISSIBLE,
	    .help = "MOTIF : irrecevable (motif transmis au plaignant)" },
	{ "complexe",		TEXT,	ANY,	STAY,		LETTER_COMPLEXITY,
	    .help = "MOTIF : avis de complexité (motif transmis au "
	    "plaignant)" },
	{ "notification-decision", TEXT, ANY,	STAY,		NO_LETTER,
	    .check = staff_check_day, .run = staff_do_notified,
	    .help = "JJ/MM/AAAA | REF : date de notification de la décision "
	    "contestée (REF : l'avis de réception de son recommandé)" },
	{ "implique",		TEXT | ADDRESS, ANY, STAY,	NO_LETTER,
	    .check = staff_check_address,
	    .help = "ADRESSE : personne impliquée (ne pourra pas approuver)" },
	{ "fondee",		0,	ANY,	STAY,		NO_LETTER,
	    .help = "la réclamation est fondée" },
	{ "non-fondee",		0,	ANY,	STAY,		NO_LETTER,
	    .help = "la réclamation n'est pas fondée" },
	{ "cause",		TEXT,	ANY,	STAY,		NO_LETTER,
	    .check = staff_check_cause,
	    .help = "CAUSE : la cause, pour les indicateurs (la dernière "
	    "compte)" },
	{ "action-corrective",	TEXT,	ANY,	STAY,		NO_LETTER,
	    .check = staff_check_due,
	    .help = "TEXTE [échéance JJ/MM/AAAA] : action corrective" },
	{ "action-soldee",	TEXT,	ANY,	STAY,		NO_LETTER,
	    .allowed = staff_allowed_action,
	    .help = "TEXTE : l'action corrective est soldée (mise en œuvre)" },
	{ "efficacite",		TEXT,	ANY,	STAY,		NO_LETTER,
	    .allowed = staff_allowed_action,
	    .help = "TEXTE : vérification de l'efficacité des actions" },
	{ "decision",		TEXT | STAFF_OUTCOME | STAFF_PROPOSAL, ANY,
	    CASE_DECIDED,	LETTER_DECISION,
	    .check = staff_check_outcome, .prepare = staff_do_decision,
	    .help = "TEXTE : décision (transmise au plaignant, après "
	    "approbation si les règles l'exigent)" },
	{ "approuver",		0,	ANY,	CASE_DECIDED,	LETTER_DECISION,
	    .allowed = staff_allowed_approval, .prepare = staff_do_approve,
	    .help = "approuver la décision proposée (personne non "
	    "impliquée)" },
	{ "partie",		TEXT | ADDRESS, ANY, STAY,	NO_LETTER,
	    .check = staff_check_address,
	    .help = "ADRESSE : l'autre partie (l'entreprise mise en cause)" },
	{ "transmettre",	TEXT | ADDRESS, ANY, STAY,	NO_LETTER,
	    .check = staff_check_address, .run = staff_do_transmit,
	    .help = "ADRESSE [TEXTE] : envoyer le dossier complet (assureur, "
	    "avocat)" },
	{ "justifier",		TEXT,	ANY,	STAY,		NO_LETTER,
	    .allowed = staff_allowed_overrun, .run = staff_do_justify,
	    .help = "MOTIF : justifier un dépassement aux deux parties" },
	{ "informe",		TEXT,	ANY,	STAY,		NO_LETTER,
	    .help = "COMMENT : le plaignant a été informé (message non "
	    "distribué)" },
	{ "poste",		0,	ANY,	STAY,		NO_LETTER,
	    .check = staff_check_post, .prepare = staff_do_post,
	    .help = "[AAAA-MM-JJ] : le courrier à poster est posté (lettre "
	    "simple)" },
	{ "recommande",		TEXT,	ANY,	STAY,		NO_LETTER,
	    .check = staff_check_post, .prepare = staff_do_post,
	    .help = "NUMERO [AAAA-MM-JJ] : il est posté en recommandé avec AR" },
	{ "ar-recu",		TEXT,	ANY,	STAY,		NO_LETTER,
	    .check = staff_check_post, .prepare = staff_do_post,
	    .help = "AAAA-MM-JJ : la date portée sur l'avis de réception" },
	{ "ar-retour",		0,	ANY,	STAY,		NO_LETTER,
	    .check = staff_check_post, .prepare = staff_do_post,
	    .help = "[AAAA-MM-JJ] : le recommandé est revenu non réclamé" },
	{ "plaignant",		TEXT,	ANY,	STAY,		NO_LETTER,
	    .prepare = staff_do_post,
	    .help = "NOM <ADRESSE> : le plaignant (l'adresse est facultative)" },
	{ "adresse",		TEXT,	ANY,	STAY,		NO_LETTER,
	    .check = staff_check_post, .prepare = staff_do_post,
	    .help = "LIGNE ; LIGNE : son adresse postale (courriers sur "
	    "papier)" },
	{ "adresse-partie",	TEXT,	ANY,	STAY,		NO_LETTER,
	    .check = staff_check_post, .prepare = staff_do_post,
	    .help = "LIGNE ; LIGNE : l'adresse postale de l'autre partie" },
	{ "clore",		0,	ANY,	CASE_CLOSED,	NO_LETTER,
	    .allowed = staff_allowed_closing, .run = staff_do_close,
	    .help = "clore le dossier (annule les échéances)" },
	{ "rouvrir",		0,	ANY,	CASE_REOPENED,	NO_LETTER,
	    .help = "rouvrir le dossier" },
	{ "aide",		0,	ANY,	STAY,		NO_LETTER,
	    .prepare = staff_do_help,
	    .help = "cette liste" },
};
const size_t staff_ncmds = G_N_ELEMENTS(staff_cmds);

const struct staff_cmd *
staff_cmd_lookup(const char *line, const char **text)
{
	size_t	 i, n;

	for (i = 0; i < staff_ncmds; i++) {
		n = strlen(staff_cmds[i].name);
		if (strncmp(line, staff_cmds[i].name, n) == 0 &&
		    (line[n] == '\0' || line[n] == ' ')) {
			*text = line + n + strspn(line + n, " ");
			return &staff_cmds[i];
		}
	}
	return NULL;
}

gboolean
staff_cmd_exists(const char *name)
{
	const struct staff_cmd *cmd;
	const char	*text;

	/* Names hold no space: the one found is the one named, or none is. */
	return (cmd = staff_cmd_lookup(name, &text)) != NULL &&
	    strcmp(cmd->name, name) == 0;
}

char *
staff_cmd_usage(const struct staff_cmd *cmd)
{
	return g_strdup_printf("  #%-12s %s", cmd->name, cmd->help);
}

void
staff_cmd_help(GString *out)
{
	char	*line;
	size_t	 i;

	g_string_append(out, "Commandes (une par ligne, en tête de la "
	    "réponse) :\n");
	for (i = 0; i < staff_ncmds; i++) {
		line = staff_cmd_usage(&staff_cmds[i]);
		g_string_append_printf(out, "%s\n", line);
		g_free(line);
	}
	g_string_append(out, "Sans #note, le texte de la réponse est transmis "
	    "au plaignant.\n");
}

void
staff_cmd_unbracket(GPtrArray *lines)
{
	const struct staff_cmd *cmd;
	const char	*text, *end;
	char		*line;
	guint		 i;

	for (i = 0; i < lines->len; i++) {
		line = g_ptr_array_index(lines, i);
		if ((cmd = staff_cmd_lookup(line, &text)) == NULL ||
		    (cmd->flags & STAFF_ADDRESS) == 0 || *text != '<')
			continue;
		/* One word between the brackets, or it is left as it is. */
		end = text + 1 + strcspn(text + 1, " \t<>");
		if (*end != '>')
			continue;
		line = g_strdup_printf("%.*s%.*s%s", (int)(text - line), line,
		    (int)(end - text - 1), text + 1, end + 1);
		g_free(lines->pdata[i]);
		lines->pdata[i] = line;
	}
}
