/*
 * staff.c: see staff.h.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "approval.h"
#include "letter.h"
#include "log.h"
#include "notify.h"
#include "spool.h"
#include "staff.h"
#include "staff_auth.h"
#include "timer.h"
#include "transmit.h"
#include "undelivered.h"

/* What a reply's commands did, for the receipt. */
struct run {
	GString		*receipt;
	gboolean	 note;		/* internal: not relayed */
	int		 letter;	/* enum letter_kind, or NO_LETTER */
	GString		*to_complainant; /* #decision, #complexe texts */
	char		*missing;	/* #incomplet: what is asked */
	const struct rules_outcome *outcome; /* of #decision, if typed */
	const struct conf_staff *who;	/* who replied */
};

#define NO_LETTER	(-1)

/*
 * The commands: each may move the case to a state (CASE_NSTATES: none),
 * needs a text or not, and is written as an event.  One table drives the
 * checks, the run and #aide.
 */
static const struct command {
	const char	*name;
	enum case_state	 to;
	gboolean	 needs_text;
	int		 letter;	/* what the complainant is sent */
	const char	*help;
} command_table[] = {
	{ "note", CASE_NSTATES, TRUE, NO_LETTER,
	    "note interne ; la réponse n'est pas transmise" },
	{ "type", CASE_NSTATES, TRUE, NO_LETTER, "TYPE : qualifier le dossier" },
	{ "assigner", CASE_NSTATES, TRUE, NO_LETTER,
	    "ADRESSE : confier le dossier" },
	{ "complet", CASE_RECEIVED, FALSE, NO_LETTER,
	    "le dossier est complet (il démarre)" },
	{ "incomplet", CASE_INCOMPLETE, TRUE, LETTER_INFO_REQUEST,
	    "MANQUE; MANQUE... : demander ces éléments au plaignant" },
	{ "recevable", CASE_ADMISSIBLE, FALSE, NO_LETTER,
	    "le recours est recevable" },
	{ "irrecevable", CASE_INADMISSIBLE, TRUE, LETTER_INADMISSIBLE,
	    "MOTIF : irrecevable (motif transmis au plaignant)" },
	{ "complexe", CASE_NSTATES, TRUE, LETTER_COMPLEXITY,
	    "MOTIF : avis de complexité (motif transmis au plaignant)" },
	{ "notification-decision", CASE_NSTATES, TRUE, NO_LETTER,
	    "JJ/MM/AAAA : date de notification de la décision contestée" },
	{ "implique", CASE_NSTATES, TRUE, NO_LETTER,
	    "ADRESSE : personne impliquée (ne pourra pas approuver)" },
	{ "fondee", CASE_NSTATES, FALSE, NO_LETTER, "la réclamation est fondée" },
	{ "non-fondee", CASE_NSTATES, FALSE, NO_LETTER,
	    "la réclamation n'est pas fondée" },
	{ "cause", CASE_NSTATES, TRUE, NO_LETTER,
	    "CAUSE : la cause, pour les indicateurs (la dernière compte)" },
	{ "action-corrective", CASE_NSTATES, TRUE, NO_LETTER,
	    "TEXTE [échéance JJ/MM/AAAA] : action corrective" },
	{ "action-soldee", CASE_NSTATES, TRUE, NO_LETTER,
	    "TEXTE : l'action corrective est soldée (mise en œuvre)" },
	{ "efficacite", CASE_NSTATES, TRUE, NO_LETTER,
	    "TEXTE : vérification de l'efficacité des actions" },
	{ "decision", CASE_DECIDED, TRUE, LETTER_DECISION,
	    "TEXTE : décision (transmise au plaignant, après approbation si "
	    "les règles l'exigent)" },
	{ "approuver", CASE_DECIDED, FALSE, LETTER_DECISION,
	    "approuver la décision proposée (personne non impliquée)" },
	{ "partie", CASE_NSTATES, TRUE, NO_LETTER,
	    "ADRESSE : l'autre partie (l'entreprise mise en cause)" },
	{ "transmettre", CASE_NSTATES, TRUE, NO_LETTER,
	    "ADRESSE [TEXTE] : envoyer le dossier complet (assureur, avocat)" },
	{ "justifier", CASE_NSTATES, TRUE, NO_LETTER,
	    "MOTIF : justifier un dépassement aux deux parties" },
	{ "informe", CASE_NSTATES, TRUE, NO_LETTER,
	    "COMMENT : le plaignant a été informé (message non distribué)" },
	{ "clore", CASE_CLOSED, FALSE, NO_LETTER,
	    "clore le dossier (annule les échéances)" },
	{ "rouvrir", CASE_REOPENED, FALSE, NO_LETTER, "rouvrir le dossier" },
	{ "aide", CASE_NSTATES, FALSE, NO_LETTER, "cette liste" },
};

static const struct command *lookup(const char *, const char **);
static void	 help(GString *);
static gboolean	 run_one(struct store *, const struct setup *,
		    const struct command *, const char *,
		    const struct store_case *, const char *, int64_t,
		    struct run *, GError **);
static void	 unbracket_addresses(GPtrArray *);
static gboolean	 check_commands(struct store *, const struct setup *,
		    GPtrArray *, const struct store_case *, struct run *,
		    GError **);
static gboolean	 run_commands(struct store *, const struct setup *,
		    GPtrArray *, const struct store_case *, const char *,
		    int64_t, struct run *, GError **);
static int	 letter_weight(int);
static enum case_state target(const struct rules_type *,
		    const struct command *, const char *);
static char	*outcome_refusal(const struct rules_type *, const char *);
static char	*cause_refusal(const struct rules_type *, const char *);
static gboolean	 tell_party(struct store *, const struct setup *,
		    const struct run *, const struct store_case *,
		    struct tpl_vars *, int64_t, GError **);
static gboolean	 parse_day(const char *, GDate *);
static gboolean	 action_due_ok(const char *);
static gboolean	 proposes(const struct setup *, const struct command *,
		    const struct store_case *);
static gboolean	 notified_on(struct store *, const struct setup *,
		    const struct store_case *, const char *, const char *,
		    int64_t, struct run *, GError **);
static void	 timer_free(struct store_timer *);
static struct store_timer *last_missed(struct store *, int64_t, GError **);
static char	*other_party(struct store *, int64_t, GError **);
static gboolean	 tell_assignee(struct store *, const struct setup *,
		    const struct store_case *, const char *, int64_t,
		    struct run *, GError **);
static gboolean	 transmit(struct store *, const struct setup *,
		    const struct store_case *, const char *, int64_t,
		    struct run *, GError **);
static gboolean	 justify(struct store *, const struct setup *,
		    const struct store_case *, const char *, int64_t,
		    struct run *, GError **);
static gboolean	 set_missing(struct store *, int64_t, const char *,
		    GError **);
static gboolean	 send_letter(struct store *, const struct setup *,
		    const struct run *, int64_t, const struct conf_staff *,
		    const char *, int64_t, GError **);
static char	*no_address(const struct store_case *);
static void	 staff_vars(const struct setup *, const struct case_decision *,
		    const struct msg *, struct tpl_vars *);
static GArray	*notify_files(const struct setup *, const struct msg *,
		    struct tpl_vars *);
static void	 files_free(GArray *);
static gboolean	 staff_letter(const struct setup *,
		    const struct case_decision *, enum letter_kind *);
static gboolean	 relay(struct store *, const struct setup *,
		    const struct store_case *, const struct conf_staff *,
		    const struct msg *, const char *, int64_t, GError **);
static gboolean	 send_receipt(struct store *, const struct setup *,
		    const struct store_case *, const char *, const char *,
		    const char *, int64_t, GError **);
static gboolean	 alerted_lately(struct store *, int64_t, int64_t,
		    GError **);
static gboolean	 refuse(struct store *, const struct setup *,
		    const struct store_case *, const char *,
		    const struct msg *, enum staff_auth, int64_t, GError **);

/*
 * A receipt to a member of staff, threaded to their reply, with a fresh
 * token: they can always answer the last mail they got.
 */
static gboolean
send_receipt(struct store *st, const struct setup *s,
    const struct store_case *c, const char *to, const char *in_reply_to,
    const char *body, int64_t now, GError **err)
{
	struct notify_mail n;
	char	*reply_to, *id, *subject;
	gboolean ok;

	id = staff_notice_ids(s->conf, c->ref, to, now, &reply_to);
	subject = g_strdup_printf("[%s] Compte rendu de vos commandes", c->ref);
	memset(&n, 0, sizeof(n));
	n.kind = "receipt";
	n.case_id = c->id;
	n.to = to;
	n.subject = subject;
	n.body = body;
	n.in_reply_to = in_reply_to;
	n.message_id = id;
	n.reply_to_us = TRUE;
	n.reply_to = reply_to;
	ok = notify_send(st, s->conf, &n, now, NULL, err);
	g_free(subject);
	g_free(reply_to);
	g_free(id);
	return ok;
}

/* Whether staff were alerted of a refused reply in case_id in a day. */
static gboolean
alerted_lately(struct store *st, int64_t case_id, int64_t now, GError **err)
{
	GArray	*events = store_case_events(st, case_id, err);
	gboolean alerted = FALSE;
	guint	 i;

	for (i = 0; events != NULL && i < events->len; i++) {
		const struct store_event *e = &g_array_index(events,
		    struct store_event, i);

		if (strcmp(e->kind, "staff-alerted") == 0 && e->at > now - 86400)
			alerted = TRUE;
	}
	if (events != NULL)
		g_array_unref(events);
	return alerted;
}

/*
 * A reply not proven staff's: logged, an event, nothing done.  Staff get
 * one receipt a case a day at most, lest a forger flood them; it carries
 * a fresh token to answer.
 */
static gboolean
refuse(struct store *st, const struct setup *s, const struct store_case *c,
    const char *to, const struct msg *m, enum staff_auth v, int64_t now,
    GError **err)
{
	char	*actor = g_strdup_printf("staff <%s>", to), *detail, *text;
	gboolean ok;

	log_warnx("security: %s: a reply from %s refused, %s: not relayed, "
	    "commands not run", c->ref, to, staff_auth_why(v));
	detail = g_strdup_printf("%s: not relayed, commands not run",
	    staff_auth_why(v));
	text = v == STAFF_AUTH_EXPIRED ? g_strdup_printf("La notification à "
	    "laquelle vous répondez est trop ancienne (plus de %d jours) : "
	    "rien n'a été fait ni transmis.\nRépondez à une notification "
	    "récente de ce dossier, par exemple à ce compte rendu.\n",
	    s->conf->staff_token_days) : g_strdup("Votre réponse n'est pas "
	    "rattachée à une notification de ce dossier qui vous était "
	    "adressée, ou n'a pas été authentifiée par notre serveur : rien "
	    "n'a été fait ni transmis.\nRépondez à ce compte rendu ou à la "
	    "dernière notification reçue pour ce dossier.\n");
	ok = store_event_add(st, c->id, now, actor, "staff-refused", detail,
	    err);
	if (ok && !alerted_lately(st, c->id, now, err))
		ok = (err == NULL || *err == NULL) && send_receipt(st, s, c, to,
		    m->message_id, text, now, err) && store_event_add(st, c->id,
		    now, "recoursd", "staff-alerted", to, err);
	g_free(text);
	g_free(detail);
	g_free(actor);
	return ok;
}

/* What only a staff mail offers: the message, the commands, the types. */
/*
 * Why no letter can reach the complainant of c (no address, or none we
 * can write to), for staff to reach them another way; NULL when one can.
 */
static char *
no_address(const struct store_case *c)
{
	const char	*to = c->reply_to != NULL ? c->reply_to :
	    c->complainant_addr;

	if (to == NULL)
		return g_strdup("le message ne donne aucune adresse : aucune "
		    "lettre ne peut lui parvenir, joignez-le autrement");
	if (compose_address_ok(to))
		return NULL;
	return g_strdup_printf("« %s » n'est pas une adresse utilisable : "
	    "aucune lettre ne peut lui parvenir, joignez-le autrement", to);
}

static void
staff_vars(const struct setup *s, const struct case_decision *d,
    const struct msg *m, struct tpl_vars *v)
{
	char	*from, *item, *unreachable;
	guint	 i;
	size_t	 k;

	from = g_strdup_printf("%s%s<%s>", m->from.name != NULL ? m->from.name :
	    "", m->from.name != NULL ? " " : "", m->from.addr != NULL ?
	    m->from.addr : "?");
	tpl_vars_set(v, "message.from", from);
	g_free(from);
	tpl_vars_set(v, "message.body", m->body != NULL ? m->body : "");
	tpl_vars_set(v, "third_party", d->action == CASE_JOIN &&
	    d->sender == CASE_BY_THIRD_PARTY ? (m->from.addr != NULL ?
	    m->from.addr : "?") : NULL);
	tpl_vars_set(v, "admissibility", d->admissibility);
	tpl_vars_set(v, "out_of_time", d->out_of_time ? (d->admissibility ?
	    d->admissibility : "oui") : NULL);
	unreachable = no_address(&d->existing);
	tpl_vars_set(v, "unreachable", unreachable);
	g_free(unreachable);
	tpl_vars_set_list(v, "commands", NULL);
	tpl_vars_append(v, "commands", "Commandes (une par ligne, en tête de "
	    "la réponse) :");
	for (k = 0; k < G_N_ELEMENTS(command_table); k++) {
		item = g_strdup_printf("  #%-12s %s", command_table[k].name,
		    command_table[k].help);
		tpl_vars_append(v, "commands", item);
		g_free(item);
	}
	tpl_vars_append(v, "commands", "Sans #note, le texte de la réponse est "
	    "transmis au plaignant.");
	tpl_vars_set_list(v, "types", NULL);
	for (i = 0; i < s->rules->types->len; i++) {
		const struct rules_type *t = g_ptr_array_index(s->rules->types, i);

		item = g_strdup_printf("%s (%s)", t->name, t->label_fr);
		tpl_vars_append(v, "types", item);
		g_free(item);
	}
}

/*
 * m's attachments, to attach to a mail while they fit in
 * limits.notify_attachments in all; each listed in v's "attachments"
 * (when v is not NULL), attached or not.  Paths are allocated
 * (files_free()); names are m's.
 */
static GArray *
notify_files(const struct setup *s, const struct msg *m, struct tpl_vars *v)
{
	GArray	*files = g_array_new(FALSE, TRUE, sizeof(struct compose_file));
	char	*dir = spool_attachment_dir(s->conf->spool), *item;
	gint64	 total = 0;
	guint	 i;

	if (v != NULL)
		tpl_vars_set_list(v, "attachments", NULL);
	for (i = 0; i < m->attachments->len; i++) {
		const struct msg_attachment *a = g_ptr_array_index(m->attachments,
		    i);
		gboolean fits = total + a->size <= s->conf->limits.notify_attachments;
		struct compose_file f;

		if (fits) {
			f.filename = a->filename;
			f.content_type = a->content_type;
			f.path = msg_attachment_path(dir, a->sha256);
			g_array_append_val(files, f);
			total += a->size;
		}
		if (v == NULL)
			continue;
		item = g_strdup_printf("%s (%s, %" G_GINT64_FORMAT " octets%s)",
		    a->filename, a->content_type, a->size, fits ? ", jointe" :
		    " : trop volumineuse, non jointe");
		tpl_vars_append(v, "attachments", item);
		g_free(item);
	}
	g_free(dir);
	return files;
}

static void
files_free(GArray *files)
{
	guint	 i;

	for (i = 0; i < files->len; i++)
		g_free((char *)g_array_index(files, struct compose_file, i).path);
	g_array_unref(files);
}

/*
 * Which letter m makes staff get; FALSE for none.  Automatic mail in a
 * case is only an event: an out-of-office would be noise.
 */
static gboolean
staff_letter(const struct setup *s, const struct case_decision *d,
    enum letter_kind *kind)
{
	if (d->action == CASE_OPEN && d->type != NULL)
		*kind = d->type == s->rules->triage ? LETTER_TRIAGE :
		    LETTER_STAFF_NEW;
	else if (d->action == CASE_JOIN && d->automatic == NULL &&
	    d->sender != CASE_BY_STAFF)
		*kind = LETTER_STAFF_MESSAGE;	/* staff see their own */
	else
		return FALSE;
	return TRUE;
}

gboolean
staff_notify(struct store *st, const struct setup *s,
    const struct case_decision *d, const struct msg *m, int64_t now,
    gboolean *queued, GError **err)
{
	const struct rules_type *type;
	enum letter_kind kind;
	struct store_case c;
	struct notify_mail n;
	struct tpl_vars	*v;
	GArray		*files;
	char		*reply_to;
	const char	*to;
	char		*id, *subject = NULL, *body = NULL;
	gboolean	 ok;

	*queued = FALSE;
	if (!staff_letter(s, d, &kind) || !s->conf->has_smtp ||
	    s->conf->staff_key == NULL)
		return TRUE;
	if (!store_case_by_id(st, d->existing.id, &c, err))
		return err == NULL || *err == NULL;
	type = rules_type(s->rules, c.type);
	to = type != NULL && type->notify != NULL ? type->notify :
	    s->conf->admin;
	if (to == NULL || (v = letter_vars(st, s, &c, s->conf->language,
	    err)) == NULL) {
		store_case_clear(&c);
		return to == NULL;
	}
	staff_vars(s, d, m, v);
	files = notify_files(s, m, v);
	id = staff_notice_ids(s->conf, c.ref, to, now, &reply_to);
	if ((ok = letter_render(s, kind, NULL, s->conf->language, v, &subject,
	    &body, err))) {
		memset(&n, 0, sizeof(n));
		n.kind = letter_name(kind);
		n.case_id = c.id;
		n.to = to;
		n.subject = subject;
		n.body = body;
		n.message_id = id;
		n.reply_to_us = TRUE;
		n.reply_to = reply_to;
		n.files = (const struct compose_file *)(void *)files->data;
		n.nfiles = files->len;
		ok = notify_send(st, s->conf, &n, now, NULL, err);
	}
	*queued = ok;
	files_free(files);
	tpl_vars_free(v);
	store_case_clear(&c);
	g_free(reply_to);
	g_free(id);
	g_free(subject);
	g_free(body);
	return ok;
}

gboolean
staff_command_exists(const char *name)
{
	size_t	 i;

	for (i = 0; i < G_N_ELEMENTS(command_table); i++)
		if (strcmp(command_table[i].name, name) == 0)
			return TRUE;
	return FALSE;
}

/* The command written "name text"; its text in *text. */
static const struct command *
lookup(const char *line, const char **text)
{
	size_t	 i, n;

	for (i = 0; i < G_N_ELEMENTS(command_table); i++) {
		n = strlen(command_table[i].name);
		if (strncmp(line, command_table[i].name, n) == 0 &&
		    (line[n] == '\0' || line[n] == ' ')) {
			*text = line + n + strspn(line + n, " ");
			return &command_table[i];
		}
	}
	return NULL;
}

/*
 * "#transmettre <a@b.fr> text": mail clients put an address between
 * brackets; the commands that take one get it bare.
 */
static void
unbracket_addresses(GPtrArray *cmds)
{
	static const char *const takes_address[] = { "partie", "implique",
	    "transmettre", "assigner", NULL };
	const struct command *cmd;
	const char	*text, *end;
	char		*line;
	guint		 i;

	for (i = 0; i < cmds->len; i++) {
		line = g_ptr_array_index(cmds, i);
		if ((cmd = lookup(line, &text)) == NULL ||
		    !g_strv_contains(takes_address, cmd->name) ||
		    *text != '<')
			continue;
		/* One word between the brackets, or it is left as it is. */
		end = text + 1 + strcspn(text + 1, " \t<>");
		if (*end != '>')
			continue;
		line = g_strdup_printf("%.*s%.*s%s", (int)(text - line), line,
		    (int)(end - text - 1), text + 1, end + 1);
		g_free(cmds->pdata[i]);
		cmds->pdata[i] = line;
	}
}

static void
help(GString *out)
{
	size_t	 i;

	g_string_append(out, "Commandes (une par ligne, en tête de la "
	    "réponse) :\n");
	for (i = 0; i < G_N_ELEMENTS(command_table); i++)
		g_string_append_printf(out, "  #%-12s %s\n", command_table[i].name,
		    command_table[i].help);
	g_string_append(out, "Sans #note, le texte de la réponse est transmis "
	    "au plaignant.\n");
}

/*
 * Every command known, with its text when it needs one, its state move
 * allowed by the state machine and the type's states, its argument
 * valid: or none is run.
 */
static gboolean
check_commands(struct store *st, const struct setup *s, GPtrArray *cmds,
    const struct store_case *c, struct run *r, GError **err)
{
	const struct rules_type *type = rules_type(s->rules, c->type);
	enum case_state	 cur = CASE_RECEIVED;
	const char	*why = NULL, *text;
	char		*undelivered = NULL;
	struct store_timer *missed = NULL;
	char		*refused = NULL, *pending = NULL, *pending_author = NULL;
	char		*no_outcome = NULL;
	enum case_state	 to = CASE_NSTATES;
	gboolean	 informed = FALSE, acted = FALSE, proposed = FALSE;
	gboolean	 approved = FALSE;
	guint		 i;

	case_state_parse(c->state, &cur);
	for (i = 0; why == NULL && i < cmds->len; i++) {
		const char *line = g_ptr_array_index(cmds, i);
		const struct command *cmd = lookup(line, &text);

		if (cmd == NULL)
			why = "commande inconnue";
		else if (cmd->needs_text && *text == '\0')
			why = "il manque le texte de la commande";
		else if (strcmp(cmd->name, "type") == 0 &&
		    rules_type(s->rules, text) == NULL)
			why = "type inconnu des règles";
		else if (strcmp(cmd->name, "assigner") == 0 &&
		    conf_staff(s->conf, text) == NULL)
			why = "cette adresse n'est pas celle d'un membre du "
			    "personnel";
		else if ((no_outcome = outcome_refusal(type, strcmp(cmd->name,
		    "decision") == 0 ? text : NULL)) != NULL)
			why = no_outcome;
		else if (strcmp(cmd->name, "cause") == 0 && type != NULL &&
		    (no_outcome = cause_refusal(type, text)) != NULL)
			why = no_outcome;
		else if ((to = target(type, cmd, text)) != CASE_NSTATES &&
		    (type == NULL || !case_state_move_ok(cur, to, type->states)))
			why = "impossible dans l'état actuel du dossier";
		else if ((strcmp(cmd->name, "partie") == 0 ||
		    strcmp(cmd->name, "implique") == 0 ||
		    strcmp(cmd->name, "transmettre") == 0) &&
		    !g_regex_match_simple("^[^@\\s<>\"]+@[^@\\s<>\"]+\\.[^@\\s<>\"]+"
		    "(\\s|$)",
		    text, 0, 0))
			why = "ce n'est pas une adresse électronique";
		else if (strcmp(cmd->name, "notification-decision") == 0 &&
		    !parse_day(text, NULL))
			why = "la date doit s'écrire JJ/MM/AAAA";
		else if (strcmp(cmd->name, "action-corrective") == 0 &&
		    !action_due_ok(text))
			why = "l'échéance doit s'écrire « échéance JJ/MM/AAAA »";
		else if ((strcmp(cmd->name, "efficacite") == 0 ||
		    strcmp(cmd->name, "action-soldee") == 0) && !acted &&
		    store_event_first(st, c->id, "action-corrective",
		    err) <= 0)
			why = "aucune action corrective n'est enregistrée";
		else if (strcmp(cmd->name, "approuver") == 0 &&
		    (refused = approval_refusal(st, s, c, r->who, err)) != NULL)
			why = refused;
		else if (strcmp(cmd->name, "justifier") == 0 &&
		    (missed = last_missed(st, c->id, err)) == NULL)
			why = "aucune échéance du dossier n'est dépassée";
		else if (cmd->to == CASE_CLOSED && (proposed || (!approved &&
		    approval_pending(st, c->id, &pending, &pending_author,
		    err))))
			why = "une décision attend son approbation (#approuver)";
		else if (cmd->to == CASE_CLOSED && !informed &&
		    (undelivered = undelivered_blocks_closing(st, c->id,
		    err)) != NULL)
			why = undelivered;
		else if (to != CASE_NSTATES && !proposes(s, cmd, c))
			cur = to;
		timer_free(missed);
		missed = NULL;
		if (cmd != NULL && strcmp(cmd->name, "action-corrective") == 0)
			acted = TRUE;
		if (cmd != NULL && proposes(s, cmd, c))
			proposed = TRUE;
		if (cmd != NULL && strcmp(cmd->name, "approuver") == 0) {
			proposed = FALSE;
			approved = TRUE;
		}
		g_free(pending);
		g_free(pending_author);
		pending = pending_author = NULL;
		if (cmd != NULL && strcmp(cmd->name, "informe") == 0)
			informed = TRUE;	/* "#informe ...", then "#clore" */
		if (why != NULL) {
			g_string_append_printf(r->receipt, "Erreur : « #%s » : "
			    "%s (état : %s).\nRien n'a été fait.\n\n", line, why,
			    case_state_name(cur));
			help(r->receipt);
		}
	}
	g_free(undelivered);
	g_free(refused);
	g_free(no_outcome);
	return why == NULL && (err == NULL || *err == NULL);
}

/* Where cmd moves the case: a decision whose outcome is not final does not. */
static enum case_state
target(const struct rules_type *type, const struct command *cmd,
    const char *text)
{
	const struct rules_outcome *o;

	if (type != NULL && strcmp(cmd->name, "decision") == 0 &&
	    (o = rules_outcome(type, text, NULL)) != NULL && !o->final)
		return CASE_NSTATES;
	return cmd->to;
}

/* Why a cause is not one of the type's, when it lists them; else NULL. */
static char *
cause_refusal(const struct rules_type *type, const char *cause)
{
	GString	*why;
	guint	 i;

	if (type->causes->len == 0)
		return NULL;
	for (i = 0; i < type->causes->len; i++)
		if (strcmp(g_ptr_array_index(type->causes, i), cause) == 0)
			return NULL;
	why = g_string_new("la cause est l'une de : ");
	for (i = 0; i < type->causes->len; i++)
		g_string_append_printf(why, "%s%s", i ? ", " : "",
		    (char *)g_ptr_array_index(type->causes, i));
	return g_string_free(why, FALSE);
}

/* Why a decision's text lacks its type's outcome; NULL when it has one. */
static char *
outcome_refusal(const struct rules_type *type, const char *decision)
{
	char	*names, *why;

	if (decision == NULL || type == NULL || type->outcomes->len == 0 ||
	    rules_outcome(type, decision, NULL) != NULL)
		return NULL;
	names = rules_outcome_names(type);
	why = g_strdup_printf("la décision commence par son issue, l'une de : "
	    "%s (« #decision %s TEXTE »)", names, ((struct rules_outcome *)
	    g_ptr_array_index(type->outcomes, 0))->name);
	g_free(names);
	return why;
}

/* "a; b" from #incomplet: the case's missing items, one per line. */
static gboolean
set_missing(struct store *st, int64_t case_id, const char *text,
    GError **err)
{
	char	**items = g_strsplit(text, ";", -1);
	GString	*lines = g_string_new(NULL);
	gboolean ok;
	size_t	 i;

	for (i = 0; items[i] != NULL; i++)
		if (*g_strstrip(items[i]) != '\0')
			g_string_append_printf(lines, "%s%s", lines->len ? "\n" :
			    "", items[i]);
	ok = store_case_set_missing(st, case_id, lines->len ? lines->str : NULL,
	    err);
	g_string_free(lines, TRUE);
	g_strfreev(items);
	return ok;
}

static void
timer_free(struct store_timer *t)
{
	if (t == NULL)
		return;
	g_free(t->deadline);
	g_free(t->kind);
	g_free(t->state);
	g_free(t);
}

/* The deadline of the case missed last; NULL if none (or an error). */
static struct store_timer *
last_missed(struct store *st, int64_t case_id, GError **err)
{
	GArray	*timers = store_case_timers(st, case_id, err);
	struct store_timer *m = NULL;
	guint	 i;

	for (i = 0; timers != NULL && i < timers->len; i++) {
		const struct store_timer *t = &g_array_index(timers,
		    struct store_timer, i);

		if (strcmp(t->state, "missed") != 0 || (m != NULL &&
		    m->due_at > t->due_at))
			continue;
		timer_free(m);
		m = g_new0(struct store_timer, 1);
		*m = *t;
		m->deadline = g_strdup(t->deadline);
		m->kind = g_strdup(t->kind);
		m->state = g_strdup(t->state);
	}
	if (timers != NULL)
		g_array_unref(timers);
	return m;
}

/* The other party recorded with #partie, last one wins; caller frees. */
static char *
other_party(struct store *st, int64_t case_id, GError **err)
{
	GArray	*events = store_case_events(st, case_id, err);
	char	*party = NULL;
	guint	 i;

	for (i = 0; events != NULL && i < events->len; i++) {
		const struct store_event *e = &g_array_index(events,
		    struct store_event, i);

		if (strcmp(e->kind, "partie") == 0) {
			g_free(party);
			party = g_strdup(e->detail);
		}
	}
	if (events != NULL)
		g_array_unref(events);
	return party;
}

/*
 * #justifier: the overrun of the deadline missed last, justified to the
 * complainant and to the other party (#partie) when there is one.
 */
static gboolean
justify(struct store *st, const struct setup *s, const struct store_case *c,
    const char *text, int64_t now, struct run *r, GError **err)
{
	struct store_timer *m = last_missed(st, c->id, err);
	struct tpl_vars	*v;
	char		*party, *due;
	gboolean	 ok;

	if (m == NULL || (v = letter_vars(st, s, c, c->lang, err)) == NULL) {
		timer_free(m);
		return FALSE;
	}
	due = letter_date(s, m->due_at, c->lang);
	tpl_vars_set(v, "deadline.name", m->deadline);
	tpl_vars_set(v, "deadline.due", due);
	tpl_vars_set(v, "text", text);
	party = other_party(st, c->id, err);
	ok = letter_to_complainant(st, s, LETTER_OVERRUN, c, v, "no", now,
	    err) && (party == NULL || letter_send(st, s, LETTER_OVERRUN, c, v,
	    party, NULL, "no", now, err));
	g_string_append_printf(r->receipt, "La justification du dépassement "
	    "a été envoyée au plaignant%s%s.\n", party != NULL ? " et à " : "",
	    party != NULL ? party : "");
	g_free(party);
	g_free(due);
	tpl_vars_free(v);
	timer_free(m);
	return ok;
}

/*
 * #assigner ADDRESS: the member of staff given the case is told, with the
 * complainant's messages and a token of their own, so that their reply
 * carries commands.  Nobody is told of a case they gave themselves.
 */
static gboolean
tell_assignee(struct store *st, const struct setup *s,
    const struct store_case *c, const char *address, int64_t now,
    struct run *r, GError **err)
{
	const struct conf_staff *to = conf_staff(s->conf, address);
	struct tpl_vars	*v;
	char		*texts, *subject = NULL, *body = NULL;
	gboolean	 ok;

	if (to == NULL || to == r->who || !s->conf->has_smtp ||
	    s->conf->staff_key == NULL)
		return TRUE;
	if ((v = letter_vars(st, s, c, s->conf->language, err)) == NULL)
		return FALSE;
	texts = store_case_texts(st, c->id, err);
	tpl_vars_set(v, "assigned_by", r->who->name);
	tpl_vars_set(v, "message.body", texts);
	if ((ok = letter_render(s, LETTER_ASSIGNED, NULL, s->conf->language, v,
	    &subject, &body, err))) {
		ok = staff_mail(st, s->conf, c->id, c->ref,
		    letter_name(LETTER_ASSIGNED), to, subject, body, now, err);
		g_string_append_printf(r->receipt, "%s en est informé(e).\n",
		    to->name);
	}
	tpl_vars_free(v);
	g_free(texts);
	g_free(subject);
	g_free(body);
	return ok;
}

gboolean
staff_mail(struct store *st, const struct conf *conf, int64_t case_id,
    const char *ref, const char *kind, const struct conf_staff *to,
    const char *subject, const char *body, int64_t now, GError **err)
{
	struct notify_mail n;
	char	*reply_to, *id = staff_notice_ids(conf, ref, to->address, now,
	    &reply_to);
	gboolean ok;

	memset(&n, 0, sizeof(n));
	n.kind = kind;
	n.case_id = case_id;
	n.to = to->address;
	n.to_name = to->name;
	n.subject = subject;
	n.body = body;
	n.message_id = id;
	n.reply_to_us = TRUE;
	n.reply_to = reply_to;
	ok = notify_send(st, conf, &n, now, NULL, err);
	g_free(reply_to);
	g_free(id);
	return ok;
}

/* #transmettre ADDRESS [TEXT]: the case file, by mail, to address. */
static gboolean
transmit(struct store *st, const struct setup *s, const struct store_case *c,
    const char *text, int64_t now, struct run *r, GError **err)
{
	size_t	 len = strcspn(text, " \t\n");
	char	*address = g_strndup(text, len), *summary = NULL;
	const char *words = text + len;
	gboolean ok;

	while (g_ascii_isspace(*words))
		words++;
	ok = transmit_case(st, s, c, address, *words ? words : NULL,
	    r->who->name, now, &summary, err);
	if (summary != NULL)
		g_string_append(r->receipt, summary);
	g_free(summary);
	g_free(address);
	return ok;
}

/* "18/11/2026" as a day; FALSE when it is not one. */
static gboolean
parse_day(const char *text, GDate *day)
{
	GDate	 d;
	unsigned dd, mm, yy;
	char	 end;

	if (sscanf(text, "%2u/%2u/%4u%c", &dd, &mm, &yy, &end) != 3 ||
	    !g_date_valid_dmy((GDateDay)dd, (GDateMonth)mm, (GDateYear)yy))
		return FALSE;
	g_date_clear(&d, 1);
	g_date_set_dmy(&d, (GDateDay)dd, (GDateMonth)mm, (GDateYear)yy);
	if (day != NULL)
		*day = d;
	return TRUE;
}

/* "TEXT" or "TEXT échéance JJ/MM/AAAA": a due date, if any, is a date. */
static gboolean
action_due_ok(const char *text)
{
	const char	*due = strstr(text, "échéance");
	char		*day;
	gboolean	 ok;

	if (due == NULL)
		return TRUE;
	day = g_strdup(due + strlen("échéance"));
	ok = parse_day(g_strstrip(day), NULL);
	g_free(day);
	return ok;
}

/* #decision on a type whose decisions wait for an approver. */
static gboolean
proposes(const struct setup *s, const struct command *cmd,
    const struct store_case *c)
{
	return strcmp(cmd->name, "decision") == 0 &&
	    approval_required(rules_type(s->rules, c->type));
}

/*
 * #notification-decision: the contested decision was notified on that
 * day; the case is in time or not by the type's admissibility rule.
 */
static gboolean
notified_on(struct store *st, const struct setup *s,
    const struct store_case *c, const char *text, const char *actor,
    int64_t now, struct run *r, GError **err)
{
	const struct rules_type *t = rules_type(s->rules, c->type);
	GDateTime	*start, *due;
	GDate		 day;
	char		*limit, *detail;
	gboolean	 late, ok;

	if (t == NULL || !t->has_admissibility || !parse_day(text, &day)) {
		g_string_append(r->receipt, "(ce type n'a pas de délai de "
		    "recevabilité)\n");
		return TRUE;
	}
	start = g_date_time_new(cal_zone(s->cal), g_date_get_year(&day),
	    g_date_get_month(&day), g_date_get_day(&day), 0, 0, 0);
	due = cal_due(s->cal, start, &t->admissibility.within, NULL);
	late = c->opened_at >= g_date_time_to_unix(due);
	limit = cal_format(due);
	detail = g_strdup_printf("decision notified %s: %s the limit %s", text,
	    late ? "lodged AFTER" : "lodged before", limit);
	ok = store_case_set_out_of_time(st, c->id, late, err) &&
	    store_event_add(st, c->id, now, actor, "admissibility", detail, err);
	g_string_append_printf(r->receipt, "Recevabilité : %s (limite %s).\n",
	    late ? "HORS DÉLAI" : "dans le délai", limit);
	g_free(detail);
	g_free(limit);
	g_date_time_unref(due);
	g_date_time_unref(start);
	return ok;
}

/* One command: its state move, its event, what it tells the complainant. */
static gboolean
run_one(struct store *st, const struct setup *s, const struct command *cmd,
    const char *text, const struct store_case *c, const char *actor,
    int64_t now, struct run *r, GError **err)
{
	const struct rules_type *type = rules_type(s->rules, c->type);
	char	*move, *proposal = NULL, *author = NULL;
	const char *said;
	enum case_state to;
	gboolean ok = TRUE;

	if (strcmp(cmd->name, "aide") == 0) {
		help(r->receipt);
		return TRUE;
	}
	if (strcmp(cmd->name, "note") == 0)
		r->note = TRUE;
	if (strcmp(cmd->name, "type") == 0)
		ok = store_case_set_type(st, c->id, text, err);
	if (proposes(s, cmd, c)) {
		/* Not yet a decision: it waits for an uninvolved approver. */
		g_string_append_printf(r->receipt, "Proposé : #decision %s\n"
		    "La décision attend l'approbation d'une personne non "
		    "impliquée (#approuver) ; rien n'est transmis avant.\n",
		    text);
		return approval_propose(st, s, c, r->who, text, now, err);
	}
	if (strcmp(cmd->name, "approuver") == 0 &&
	    !approval_pending(st, c->id, &proposal, &author, err))
		return FALSE;
	to = target(type, cmd, proposal != NULL ? proposal : text);
	if (ok && to != CASE_NSTATES) {
		move = case_state_move_text(c->state, case_state_name(to));
		ok = store_case_set_state(st, c->id, case_state_name(to),
		    to == CASE_CLOSED, now, err) && store_event_add(st, c->id,
		    now, actor, "state", move, err);
		g_free(move);
	}
	if (ok && strcmp(cmd->name, "notification-decision") == 0)
		ok = notified_on(st, s, c, text, actor, now, r, err);
	if (ok && cmd->to == CASE_CLOSED)
		ok = store_timers_cancel(st, c->id, now, err);
	if (ok && cmd->to == CASE_RECEIVED)
		ok = store_case_set_missing(st, c->id, NULL, err) &&
		    (strcmp(c->state, "incomplete") != 0 || timer_restart(st, s,
		    c->id, rules_type(s->rules, c->type), now, err));
	if (ok && cmd->to == CASE_INCOMPLETE)
		ok = set_missing(st, c->id, text, err);
	if (ok && strcmp(cmd->name, "justifier") == 0)
		ok = justify(st, s, c, text, now, r, err);
	if (ok && strcmp(cmd->name, "transmettre") == 0)
		ok = transmit(st, s, c, text, now, r, err);
	if (ok && strcmp(cmd->name, "assigner") == 0)
		ok = tell_assignee(st, s, c, text, now, r, err);
	if (ok && type != NULL)
		ok = timer_command(st, s, c, type, cmd->name, to != CASE_NSTATES ?
		    case_state_name(to) : NULL, now, err);
	if (ok)
		ok = store_event_add(st, c->id, now, actor, cmd->name,
		    author != NULL ? author : text, err);
	if (proposal != NULL) {		/* #approuver: the proposal is sent */
		text = proposal;
		g_free(author);
	}
	/* The weightiest letter wins: a decision over a complexity notice. */
	if (cmd->letter == LETTER_INFO_REQUEST) {
		g_free(r->missing);
		r->missing = g_strdup(text);
	} else if (cmd->letter != NO_LETTER) {
		/* The outcome is named by the letter, not by its keyword. */
		said = text;
		if (cmd->letter == LETTER_DECISION && type != NULL &&
		    (r->outcome = rules_outcome(type, text, &said)) == NULL)
			said = text;
		g_string_append_printf(r->to_complainant, "%s\n\n", said);
	}
	if (cmd->letter != NO_LETTER && (r->letter == NO_LETTER ||
	    letter_weight(cmd->letter) > letter_weight(r->letter)))
		r->letter = cmd->letter;
	g_string_append_printf(r->receipt, "Fait : #%s%s%s\n", cmd->name,
	    *text ? " " : "", text);
	g_free(proposal);
	return ok;
}

static gboolean
run_commands(struct store *st, const struct setup *s, GPtrArray *cmds,
    const struct store_case *c, const char *actor, int64_t now, struct run *r,
    GError **err)
{
	struct store_case cur;
	const char	*text;
	gboolean	 ok = TRUE;
	guint		 i;

	for (i = 0; ok && i < cmds->len; i++) {
		const struct command *cmd = lookup(g_ptr_array_index(cmds, i),
		    &text);

		/* Each move starts from the state the previous one left. */
		if (!store_case_by_id(st, c->id, &cur, err))
			return FALSE;
		ok = run_one(st, s, cmd, text, &cur, actor, now, r, err);
		store_case_clear(&cur);
	}
	return ok;
}

/* Which of two letters a reply sends when its commands name both. */
static int
letter_weight(int letter)
{
	switch (letter) {
	case LETTER_DECISION:
		return 4;
	case LETTER_INADMISSIBLE:
		return 3;
	case LETTER_COMPLEXITY:
		return 2;
	default:
		return 1;
	}
}

/*
 * The letter the commands call for, from its template, with the staff
 * member's text and name, in the case as the commands left it.
 */
static gboolean
send_letter(struct store *st, const struct setup *s, const struct run *r,
    int64_t case_id, const struct conf_staff *who, const char *text,
    int64_t now, GError **err)
{
	struct store_case c;
	struct tpl_vars	*v;
	char		**items;
	gboolean	 ok = FALSE;
	size_t		 i;

	if (!store_case_by_id(st, case_id, &c, err))
		return FALSE;
	if ((v = letter_vars(st, s, &c, c.lang, err)) != NULL) {
		tpl_vars_set(v, "text", *text != '\0' ? text : NULL);
		tpl_vars_set(v, "staff.name", who->name);
		tpl_vars_set_list(v, "missing_fields", NULL);
		items = g_strsplit(r->missing != NULL ? r->missing : "", ";", -1);
		for (i = 0; items[i] != NULL; i++)
			if (*g_strstrip(items[i]) != '\0')
				tpl_vars_append(v, "missing_fields", items[i]);
		g_strfreev(items);
		tpl_vars_set(v, "decision.outcome", r->outcome != NULL ?
		    r->outcome->label : NULL);
		ok = letter_to_complainant(st, s, r->letter, &c, v, "no", now,
		    err) && (r->letter != LETTER_DECISION || tell_party(st, s, r,
		    &c, v, now, err));
		tpl_vars_free(v);
	}
	store_case_clear(&c);
	return ok;
}

/*
 * The decision, to the other party too (#partie: the firm the claim is
 * about) when the type says so: OPQTECC tells both "des suites données".
 */
static gboolean
tell_party(struct store *st, const struct setup *s, const struct run *r,
    const struct store_case *c, struct tpl_vars *v, int64_t now,
    GError **err)
{
	const struct rules_type *type = rules_type(s->rules, c->type);
	char	*party;
	gboolean ok = TRUE;

	if (type == NULL || !type->inform_party)
		return TRUE;
	if ((party = other_party(st, c->id, err)) == NULL) {
		g_string_append(r->receipt, "Attention : aucune autre partie "
		    "n'est enregistrée (#partie ADRESSE) : elle n'a pas reçu la "
		    "décision.\n");
		return err == NULL || *err == NULL;
	}
	ok = letter_send(st, s, LETTER_OUTCOME_PARTY, c, v, party, NULL, "no",
	    now, err);
	g_string_append_printf(r->receipt, "La décision a été envoyée aussi à "
	    "l'autre partie, %s.\n", party);
	g_free(party);
	return ok;
}

/* The reply to the complainant, signed by the member of staff. */
static gboolean
relay(struct store *st, const struct setup *s, const struct store_case *c,
    const struct conf_staff *who, const struct msg *m, const char *text,
    int64_t now, GError **err)
{
	const char	*to = c->reply_to != NULL ? c->reply_to :
	    c->complainant_addr;
	struct notify_mail n;
	GArray		*files;
	char		*last, *subject, *body;
	gboolean	 ok;

	if (to == NULL)
		return TRUE;
	last = store_case_last_in(st, c->id, err);
	subject = g_strdup_printf("Re: [%s] %s", c->ref, c->subject ?
	    c->subject : "");
	body = g_strdup_printf("%s\n\n-- \n%s\n%s\n", text, who->name,
	    s->conf->org_name);
	files = notify_files(s, m, NULL);	/* staff's attachments go too */
	memset(&n, 0, sizeof(n));
	n.kind = "relay";
	n.case_id = c->id;
	n.to = to;
	n.subject = subject;
	n.body = body;
	n.in_reply_to = last;
	n.reply_to_us = TRUE;
	n.lang = c->lang;
	n.files = (const struct compose_file *)(void *)files->data;
	n.nfiles = files->len;
	ok = notify_send(st, s->conf, &n, now, NULL, err) &&
	    store_event_add(st, c->id, now, who->address, "relayed", to, err);
	files_free(files);
	g_free(last);
	g_free(subject);
	g_free(body);
	return ok;
}

gboolean
staff_reply(struct store *st, const struct setup *s,
    const struct case_decision *d, const struct msg *m, int64_t now,
    gboolean *handled, GError **err)
{
	const struct conf_staff *who = conf_staff(s->conf, m->from.addr);
	struct store_case c;
	struct run	 r = { .receipt = g_string_new(NULL), .letter = NO_LETTER,
	    .to_complainant = g_string_new(NULL), .who = who };
	GPtrArray	*cmds;
	char		*rest, *text, *actor;
	enum staff_auth	 v;
	gboolean	 ok = TRUE;

	*handled = FALSE;
	if (d->action != CASE_JOIN || !store_case_by_id(st, d->existing.id, &c,
	    err)) {
		g_string_free(r.receipt, TRUE);
		g_string_free(r.to_complainant, TRUE);
		return err == NULL || *err == NULL;
	}
	staff_split(m->body, &cmds, &rest);
	if (who == NULL) {
		/* Commands from outside are not run; the message stays. */
		if (cmds->len > 0) {
			log_warnx("security: %s: commands from %s, not a staff "
			    "address: ignored", c.ref, m->from.addr != NULL ?
			    m->from.addr : "?");
			ok = store_event_add(st, c.id, now, "recoursd",
			    "commands-refused", "commands from an address that is "
			    "not staff: ignored", err);
		}
		goto out;
	}
	*handled = TRUE;
	unbracket_addresses(cmds);
	actor = g_strdup_printf("staff <%s>", who->address);
	if ((v = staff_authenticate(s->conf, m, c.ref, now)) !=
	    STAFF_AUTH_OK) {
		ok = refuse(st, s, &c, who->address, m, v, now, err);
		g_free(actor);
		goto out;
	}
	if (check_commands(st, s, cmds, &c, &r, err)) {
		ok = run_commands(st, s, cmds, &c, actor, now, &r, err);
		text = staff_strip_quotes_with(rest, s->conf->quote_separators);
		if (ok && r.letter != NO_LETTER) {
			/* Under #note, the rest of the reply stays internal. */
			char	*t = g_strconcat(r.to_complainant->str,
			    r.note ? "" : text, NULL);

			ok = send_letter(st, s, &r, c.id, who, g_strstrip(t),
			    now, err);
			g_string_append_printf(r.receipt, "Le courrier « %s » a "
			    "été envoyé au plaignant.\n", letter_name(r.letter));
			g_free(t);
		} else if (ok && !r.note && *text != '\0') {
			ok = relay(st, s, &c, who, m, text, now, err);
			g_string_append(r.receipt, "Votre réponse a été transmise "
			    "au plaignant.\n");
		}
		g_free(text);
	}
	ok = ok && send_receipt(st, s, &c, who->address, m->message_id,
	    r.receipt->str, now, err);
	g_free(actor);
out:
	g_ptr_array_unref(cmds);
	g_free(rest);
	g_string_free(r.receipt, TRUE);
	g_string_free(r.to_complainant, TRUE);
	g_free(r.missing);
	store_case_clear(&c);
	return ok;
}
