/*
 * staff.c: see staff.h.
 */
#include "config.h"

#include <string.h>

#include "notify.h"
#include "staff.h"

/* What a reply's commands did, for the receipt. */
struct run {
	GString		*receipt;
	gboolean	 note;		/* internal: not relayed */
	gboolean	 refused;	/* an error: nothing was done */
};

static const char commands_help[] =
    "Commandes (une par ligne, en tête de la réponse) :\n"
    "  #note TEXTE       note interne, la réponse n'est pas transmise\n"
    "  #type TYPE        qualifier le dossier (triage)\n"
    "  #clore            clore le dossier (annule les échéances)\n"
    "  #rouvrir          rouvrir un dossier clos\n"
    "  #aide             cette liste\n"
    "Sans commande #note, le texte de la réponse est transmis au plaignant.\n";

static gboolean	 authentic(const struct conf *, const struct msg *,
		    const char *);
static gboolean	 check_commands(const struct setup *, GPtrArray *,
		    const struct store_case *, struct run *);
static gboolean	 run_commands(struct store *, const struct setup *,
		    GPtrArray *, const struct store_case *, const char *,
		    int64_t, struct run *, GError **);
static gboolean	 relay(struct store *, const struct setup *,
		    const struct store_case *, const struct conf_staff *,
		    const char *, int64_t, GError **);
static gboolean	 send_to(struct store *, const struct setup *, const char *,
		    int64_t, const char *, const char *, const char *,
		    const char *, const char *, int64_t, GError **);

char *
staff_token(const struct conf *c, const char *ref, const char *address)
{
	char	*data = g_ascii_strdown(address, -1), *input, *mac, *tok;

	input = g_strdup_printf("%s|%s", ref, data);
	mac = g_compute_hmac_for_string(G_CHECKSUM_SHA256,
	    (const guchar *)c->staff_key, strlen(c->staff_key), input, -1);
	tok = g_strndup(mac, 16);
	g_free(mac);
	g_free(input);
	g_free(data);
	return tok;
}

/* A Message-ID our notification to addr about ref would have. */
static gboolean
authentic(const struct conf *c, const struct msg *m, const char *ref)
{
	char	*tok, *prefix;
	guint	 i;
	gboolean ok = FALSE;

	if (c->staff_key == NULL || m->from.addr == NULL)
		return FALSE;
	tok = staff_token(c, ref, m->from.addr);
	prefix = g_strdup_printf("n.%s.%s.", ref, tok);
	ok = m->in_reply_to != NULL && g_str_has_prefix(m->in_reply_to, prefix);
	for (i = 0; !ok && i < m->references->len; i++)
		ok = g_str_has_prefix(g_ptr_array_index(m->references, i), prefix);
	g_free(prefix);
	g_free(tok);
	return ok;
}

void
staff_split(const char *body, GPtrArray **commands, char **rest)
{
	char	**lines = g_strsplit(body, "\n", -1);
	GString	*tail = g_string_new(NULL);
	guint	 i;
	gboolean top = TRUE;

	*commands = g_ptr_array_new_with_free_func(g_free);
	for (i = 0; lines[i] != NULL; i++) {
		char	*l = g_strstrip(g_strdup(lines[i]));

		if (top && *l == '\0') {
			g_free(l);
			continue;
		}
		if (top && *l == '#') {
			g_ptr_array_add(*commands, g_strdup(l + 1));
			g_free(l);
			continue;
		}
		top = FALSE;
		g_string_append_printf(tail, "%s\n", lines[i]);
		g_free(l);
	}
	g_strfreev(lines);
	*rest = g_string_free(tail, FALSE);
}

/*
 * Cut at the first line that starts the quoted message or the signature,
 * in the forms of Outlook, Thunderbird, Gmail and Apple Mail, French and
 * English.
 */
char *
staff_strip_quotes(const char *text)
{
	static GRegex	*cut;
	GMatchInfo	*mi = NULL;
	gint		 at = -1;
	char		*out;

	if (g_once_init_enter(&cut))
		g_once_init_leave(&cut, g_regex_new("^(>|-- ?$|_{10,}|-{3,} ?"
		    "(Original Message|Message d'origine|Message original)|"
		    "(De|From|Envoyé|Sent) ?: |Le .+ a écrit ?:|On .+ wrote:|"
		    "Le .+, .+<.+> a écrit|.*-- répondre au-dessus de cette "
		    "ligne)", G_REGEX_MULTILINE | G_REGEX_CASELESS |
		    G_REGEX_OPTIMIZE, 0, NULL));
	if (g_regex_match(cut, text, 0, &mi))
		g_match_info_fetch_pos(mi, 0, &at, NULL);
	g_match_info_free(mi);
	out = at >= 0 ? g_strndup(text, (gsize)at) : g_strdup(text);
	return g_strstrip(out);
}

/* One message of the case, threaded, with staff replies coming to us. */
static gboolean
send_to(struct store *st, const struct setup *s, const char *kind,
    int64_t case_id, const char *to, const char *subject, const char *body,
    const char *in_reply_to, const char *message_id, int64_t now,
    GError **err)
{
	struct notify_mail n;

	memset(&n, 0, sizeof(n));
	n.kind = kind;
	n.case_id = case_id;
	n.to = to;
	n.subject = subject;
	n.body = body;
	n.in_reply_to = in_reply_to;
	n.message_id = message_id;
	n.reply_to_us = TRUE;
	return notify_send(st, s->conf, &n, now, NULL, err);
}

gboolean
staff_notify(struct store *st, const struct setup *s,
    const struct case_decision *d, const struct msg *m, int64_t now,
    gboolean *queued, GError **err)
{
	const char	*to;
	char		*tok, *id, *subject, *body, *rnd;
	GString		*att;
	guint		 i;
	gboolean	 ok;

	*queued = FALSE;
	/* Only a new case; a message joining one has no type of its own. */
	if (d->action != CASE_OPEN || d->type == NULL)
		return TRUE;
	to = d->type->notify != NULL ? d->type->notify : s->conf->admin;
	if (to == NULL || !s->conf->has_smtp || s->conf->staff_key == NULL)
		return TRUE;
	att = g_string_new(NULL);
	for (i = 0; i < m->attachments->len; i++) {
		const struct msg_attachment *a = g_ptr_array_index(m->attachments, i);

		g_string_append_printf(att, "  - %s (%s, %" G_GINT64_FORMAT
		    " octets)\n", a->filename, a->content_type, a->size);
	}
	tok = staff_token(s->conf, d->existing.ref, to);
	rnd = g_strdup_printf("%08x", g_random_int());
	id = g_strdup_printf("n.%s.%s.%s@%s", d->existing.ref, tok, rnd,
	    s->conf->org_domain);
	subject = g_strdup_printf("[%s] Nouveau dossier (%s) : %s",
	    d->existing.ref, d->type->label_fr, m->subject);
	body = g_strdup_printf("Dossier : %s\nType : %s\nÉtat : %s\nPlaignant : "
	    "%s <%s>\n%s%s\n%s%s\n-- Message du plaignant --\n%s\n\n%s",
	    d->existing.ref, d->type->label_fr, case_state_name(d->state),
	    m->from.name != NULL ? m->from.name : "", m->from.addr ?
	    m->from.addr : "", att->len ? "Pièces jointes :\n" : "", att->str,
	    d->out_of_time ? "HORS DÉLAI : " : "", d->admissibility ?
	    d->admissibility : "", m->body, commands_help);
	ok = send_to(st, s, "notify", d->existing.id, to, subject, body, NULL,
	    id, now, err);
	*queued = ok;
	g_free(tok);
	g_free(rnd);
	g_free(id);
	g_free(subject);
	g_free(body);
	g_string_free(att, TRUE);
	return ok;
}

/* All commands known and valid, or none is run. */
static gboolean
check_commands(const struct setup *s, GPtrArray *cmds,
    const struct store_case *c, struct run *r)
{
	enum case_state	 cur = CASE_RECEIVED;
	guint		 i;

	case_state_parse(c->state, &cur);
	for (i = 0; i < cmds->len; i++) {
		const char *cmd = g_ptr_array_index(cmds, i);

		if (g_str_has_prefix(cmd, "note") || strcmp(cmd, "aide") == 0)
			continue;
		if (g_str_has_prefix(cmd, "type ") &&
		    rules_type(s->rules, cmd + 5) != NULL)
			continue;
		if (strcmp(cmd, "clore") == 0 && cur != CASE_CLOSED)
			continue;
		if (strcmp(cmd, "rouvrir") == 0 && cur == CASE_CLOSED)
			continue;
		g_string_append_printf(r->receipt, "Erreur : « #%s » : commande "
		    "inconnue ou impossible dans l'état %s.\nRien n'a été fait."
		    "\n\n%s", cmd, c->state, commands_help);
		r->refused = TRUE;
		return FALSE;
	}
	return TRUE;
}

static gboolean
run_commands(struct store *st, const struct setup *s, GPtrArray *cmds,
    const struct store_case *c, const char *actor, int64_t now, struct run *r,
    GError **err)
{
	gboolean ok = TRUE;
	guint	 i;

	for (i = 0; ok && i < cmds->len; i++) {
		const char *cmd = g_ptr_array_index(cmds, i);

		if (g_str_has_prefix(cmd, "note")) {
			r->note = TRUE;
			ok = store_event_add(st, c->id, now, actor, "note",
			    g_strstrip((char *)cmd + 4), err);
		} else if (g_str_has_prefix(cmd, "type ")) {
			ok = store_case_set_type(st, c->id, cmd + 5, err) &&
			    store_event_add(st, c->id, now, actor, "type", cmd + 5,
			    err);
		} else if (strcmp(cmd, "clore") == 0) {
			char	*move = g_strdup_printf("%s -> closed", c->state);

			ok = store_case_set_state(st, c->id, "closed", now, err) &&
			    store_timers_cancel(st, c->id, now, err) &&
			    store_event_add(st, c->id, now, actor, "state", move,
			    err);
			g_free(move);
		} else if (strcmp(cmd, "rouvrir") == 0) {
			ok = store_case_set_state(st, c->id, "reopened", now,
			    err) && store_event_add(st, c->id, now, actor, "state",
			    "closed -> reopened", err);
		}
		if (strcmp(cmd, "aide") == 0)
			g_string_append(r->receipt, commands_help);
		else
			g_string_append_printf(r->receipt, "Fait : #%s\n", cmd);
	}
	(void)s;
	return ok;
}

/* The reply to the complainant, signed by the member of staff. */
static gboolean
relay(struct store *st, const struct setup *s, const struct store_case *c,
    const struct conf_staff *who, const char *text, int64_t now, GError **err)
{
	const char	*to = c->reply_to != NULL ? c->reply_to :
	    c->complainant_addr;
	char		*last, *subject, *body;
	gboolean	 ok;

	if (to == NULL)
		return TRUE;
	last = store_case_last_in(st, c->id, err);
	subject = g_strdup_printf("Re: [%s] %s", c->ref, c->subject ?
	    c->subject : "");
	body = g_strdup_printf("%s\n\n-- \n%s\n%s\n", text, who->name,
	    s->conf->org_name);
	ok = send_to(st, s, "relay", c->id, to, subject, body, last, NULL, now,
	    err) && store_event_add(st, c->id, now, who->address, "relayed",
	    to, err);
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
	struct run	 r = { g_string_new(NULL), FALSE, FALSE };
	GPtrArray	*cmds;
	char		*rest, *text, *actor, *subject;
	gboolean	 ok = TRUE;

	*handled = FALSE;
	if (d->action != CASE_JOIN || !store_case_by_id(st, d->existing.id, &c,
	    err)) {
		g_string_free(r.receipt, TRUE);
		return err == NULL || *err == NULL;
	}
	staff_split(m->body, &cmds, &rest);
	if (who == NULL) {
		/* Commands from outside are not run; the message stays. */
		if (cmds->len > 0)
			ok = store_event_add(st, c.id, now, "recoursd",
			    "commands-refused", "commands from an address that is "
			    "not staff: ignored", err);
		goto out;
	}
	*handled = TRUE;
	actor = g_strdup_printf("staff <%s>", who->address);
	if (!authentic(s->conf, m, c.ref)) {
		g_string_append(r.receipt, "Votre réponse n'est pas rattachée à "
		    "une notification de ce dossier qui vous était adressée : "
		    "rien n'a été fait ni transmis.\nRépondez à la notification "
		    "reçue pour ce dossier.\n");
		ok = store_event_add(st, c.id, now, actor, "staff-refused",
		    "no valid token: not relayed, commands not run", err);
	} else if (check_commands(s, cmds, &c, &r)) {
		ok = run_commands(st, s, cmds, &c, actor, now, &r, err);
		text = staff_strip_quotes(rest);
		if (ok && !r.note && *text != '\0') {
			ok = relay(st, s, &c, who, text, now, err);
			g_string_append(r.receipt, "Votre réponse a été transmise "
			    "au plaignant.\n");
		}
		g_free(text);
	}
	subject = g_strdup_printf("[%s] Compte rendu de vos commandes", c.ref);
	ok = ok && send_to(st, s, "receipt", c.id, who->address, subject,
	    r.receipt->str, m->message_id, NULL, now, err);
	g_free(subject);
	g_free(actor);
out:
	g_ptr_array_unref(cmds);
	g_free(rest);
	g_string_free(r.receipt, TRUE);
	store_case_clear(&c);
	return ok;
}
