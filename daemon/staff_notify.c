/*
 * staff_notify.c: the mail between staff and complainants: staff are
 * notified of a new case or message, with its attachments and the
 * commands they may answer with; a staff reply is relayed to the
 * complainant.
 */
#include "config.h"

#include <string.h>

#include "letter.h"
#include "notice.h"
#include "notify.h"
#include "spool.h"
#include "staff_int.h"

static char	*no_address(const struct store_case *);
static void	 staff_vars(const struct setup *, const struct case_decision *,
		    const struct msg *, struct tpl_vars *);
static GArray	*notify_files(const struct setup *, const struct msg *,
		    struct tpl_vars *);
static void	 files_free(GArray *);
static gboolean	 staff_letter(const struct setup *,
		    const struct case_decision *, enum letter_kind *);

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

/* What only a staff mail offers: the message, the commands, the types. */
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
	for (k = 0; k < staff_ncmds; k++) {
		item = staff_cmd_usage(&staff_cmds[k]);
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
	id = notice_ids(s->conf, c.ref, to, now, &reply_to);
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
staff_relay(struct store *st, const struct setup *s, const struct store_case *c,
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
