/*
 * channel.c: see channel.h.
 */
#include "config.h"

#include <string.h>

#include "ack.h"
#include "channel.h"
#include "compose.h"
#include "letter.h"
#include "log.h"
#include "notify.h"
#include "post.h"
#include "staff.h"
#include "staff_auth.h"
#include "text.h"
#include "staff_text.h"
#include "timer.h"

/* How far back #recu-le may go when the type does not say. */
#define RECEIVED_WITHIN	"12 mois"

const char *const channel_names[] = { "email", "courrier", "recommande",
	"telephone", "fax", "formulaire", "visite", NULL };

static const struct rules_type *find_type(const struct setup *,
		    const char *);
static void	 read_one(const struct setup *, const char *, int64_t,
		    struct channel_opening *);
static void	 read_received(const struct setup *, const char *, int64_t,
		    struct channel_opening *);
static void	 check_opening(const struct setup *, int64_t,
		    struct channel_opening *);
static char	*first_word(const char *);
static char	*trusted(struct store *, const struct setup *,
		    const struct msg *, int64_t, char **, GError **);
static gboolean	 refuse(struct store *, const struct setup *,
		    const struct msg *, const char *, GPtrArray *, int64_t,
		    GError **);
static gboolean	 open_case(struct store *, const struct setup *,
		    const struct msg *, struct channel_opening *, const char *,
		    const char *, int64_t, const char *, int64_t, GError **);
static int64_t	 received_at(const struct setup *,
		    const struct channel_opening *, int64_t);
static gboolean	 acknowledge(struct store *, const struct setup *,
		    const struct case_decision *, const struct msg *,
		    const struct channel_opening *, int64_t, char **,
		    GError **);
static gboolean	 receipt(struct store *, const struct setup *,
		    const struct channel_opening *, int64_t, const char *,
		    const char *, int64_t, GError **);

void
channel_opening_clear(struct channel_opening *o)
{
	g_free(o->channel);
	g_free(o->name);
	g_free(o->email);
	if (o->address != NULL)
		g_ptr_array_unref(o->address);
	g_free(o->text);
	if (o->errors != NULL)
		g_ptr_array_unref(o->errors);
	if (o->missing != NULL)
		g_ptr_array_unref(o->missing);
	memset(o, 0, sizeof(*o));
}

gboolean
channel_is_opening(const char *body)
{
	GPtrArray *cmds;
	char	*rest;
	gboolean yes;

	staff_split(body, &cmds, &rest);
	yes = cmds->len > 0 && (strcmp(g_ptr_array_index(cmds, 0), "ouvrir")
	    == 0 || g_str_has_prefix(g_ptr_array_index(cmds, 0), "ouvrir "));
	g_ptr_array_unref(cmds);
	g_free(rest);
	return yes;
}

/* The type by name, French or English label, or tag, any case or accent. */
static const struct rules_type *
find_type(const struct setup *s, const char *word)
{
	char	*f = text_fold(word), *l1, *l2;
	const struct rules_type *found = rules_type(s->rules, word);
	guint	 i, j;

	for (i = 0; found == NULL && i < s->rules->types->len; i++) {
		const struct rules_type *t = g_ptr_array_index(s->rules->types,
		    i);

		l1 = t->label_fr != NULL ? text_fold(t->label_fr) : NULL;
		l2 = t->label_en != NULL ? text_fold(t->label_en) : NULL;
		if (g_strcmp0(l1, f) == 0 || g_strcmp0(l2, f) == 0)
			found = t;
		for (j = 0; found == NULL && j < t->tags->len; j++)
			if (strcmp(g_ptr_array_index(t->tags, j), f) == 0)
				found = t;
		g_free(l1);
		g_free(l2);
	}
	g_free(f);
	return found != s->rules->triage ? found : NULL;
}

static char *
first_word(const char *text)
{
	return g_strndup(text, strcspn(text, " \t"));
}

/* #recu-le: a day, not in the future, not before the type's limit. */
static void
read_received(const struct setup *s, const char *text, int64_t now,
    struct channel_opening *o)
{
	char	*word = first_word(text);

	if (!post_parse_day(s, word, &o->received_at)) {
		g_ptr_array_add(o->errors, g_strdup_printf("#recu-le %s : la "
		    "date s'écrit AAAA-MM-JJ (ou JJ/MM/AAAA)", text));
		o->received_at = 0;
	} else if (o->received_at > now) {
		g_ptr_array_add(o->errors, g_strdup_printf("#recu-le %s : cette "
		    "date est dans le futur", word));
		o->received_at = 0;
	}
	g_free(word);
}

/* One command of the opening. */
static void
read_one(const struct setup *s, const char *line, int64_t now,
    struct channel_opening *o)
{
	size_t	 n = strcspn(line, " \t");
	const char *text = line + n + strspn(line + n, " \t");
	char	*word;

	if (strncmp(line, "ouvrir", n) == 0 && n == 6) {
		word = first_word(text);
		if ((o->type = find_type(s, word)) == NULL)
			g_ptr_array_add(o->errors, g_strdup_printf("#ouvrir %s : "
			    "type inconnu des règles", word));
		g_free(word);
	} else if (strncmp(line, "canal", n) == 0 && n == 5) {
		g_free(o->channel);
		o->channel = first_word(text);
		if (!g_strv_contains(channel_names + 1, o->channel))
			g_ptr_array_add(o->errors, g_strdup_printf("#canal %s : "
			    "courrier, recommande, telephone, fax, formulaire ou "
			    "visite", o->channel));
	} else if (strncmp(line, "recu-le", n) == 0 && n == 7)
		read_received(s, text, now, o);
	else if (strncmp(line, "plaignant", n) == 0 && n == 9) {
		g_free(o->name);
		g_free(o->email);
		post_split_person(text, &o->name, &o->email);
		if (o->email != NULL && !g_regex_match_simple(
		    "^[^@\\s<>\"]+@[^@\\s<>\"]+\\.[^@\\s<>\"]+$", o->email, 0, 0))
			g_ptr_array_add(o->errors, g_strdup_printf("#plaignant : "
			    "« %s » n'est pas une adresse électronique",
			    o->email));
	} else if (strncmp(line, "adresse", n) == 0 && n == 7) {
		GPtrArray *more = post_address_lines(text);

		g_ptr_array_extend_and_steal(o->address, more);
	} else
		g_ptr_array_add(o->errors, g_strdup_printf("#%s : commande "
		    "inconnue à l'ouverture d'un dossier", line));
}

/* What the commands leave out or get wrong, as a whole. */
static void
check_opening(const struct setup *s, int64_t now, struct channel_opening *o)
{
	struct cal_duration d;
	GPtrArray *lines;
	GDateTime *t, *limit;
	char	*why = NULL;

	if (o->type == NULL && o->errors->len == 0)
		g_ptr_array_add(o->errors, g_strdup("#ouvrir TYPE : il manque le "
		    "type"));
	if (o->channel == NULL)
		g_ptr_array_add(o->errors, g_strdup("il manque #canal (courrier, "
		    "recommande, telephone, fax, formulaire ou visite)"));
	if (o->type != NULL && o->received_at != 0) {
		if (o->type->has_received_within)
			d = o->type->received_within;
		else
			cal_parse_duration(RECEIVED_WITHIN, &d, NULL);
		t = g_date_time_new_from_unix_utc(o->received_at);
		limit = cal_due(s->cal, t, &d, NULL);
		if (g_date_time_to_unix(limit) < now) {
			why = cal_duration_format(&d, "fr");
			g_ptr_array_add(o->errors, g_strdup_printf("#recu-le : "
			    "plus de %s avant aujourd'hui, la limite que fixent "
			    "les règles (received_within)", why));
			g_free(why);
			why = NULL;
		}
		g_date_time_unref(limit);
		g_date_time_unref(t);
	}
	if (o->address->len > 0) {
		lines = g_ptr_array_new();
		if (o->name != NULL)
			g_ptr_array_add(lines, o->name);
		g_ptr_array_extend(lines, o->address, NULL, NULL);
		if (!post_address_ok(lines, &why))
			g_ptr_array_add(o->errors, g_strdup_printf("#adresse : %s",
			    why));
		g_free(why);
		g_ptr_array_unref(lines);
	}
	if (o->name == NULL)
		g_ptr_array_add(o->missing, g_strdup("le nom du plaignant "
		    "(#plaignant Nom <adresse>)"));
	if (o->email == NULL && o->address->len == 0)
		g_ptr_array_add(o->missing, g_strdup("une adresse électronique "
		    "ou postale (#plaignant Nom <adresse>, #adresse LIGNE ; "
		    "LIGNE) : sans elle, aucun accusé de réception ne part"));
}

void
channel_read(const struct setup *s, const char *body, int64_t now,
    struct channel_opening *o)
{
	GPtrArray *cmds;
	guint	 i;

	memset(o, 0, sizeof(*o));
	o->address = g_ptr_array_new_with_free_func(g_free);
	o->errors = g_ptr_array_new_with_free_func(g_free);
	o->missing = g_ptr_array_new_with_free_func(g_free);
	staff_split(body, &cmds, &o->text);
	for (i = 0; i < cmds->len; i++)
		read_one(s, g_ptr_array_index(cmds, i), now, o);
	g_ptr_array_unref(cmds);
	check_opening(s, now, o);
}

/*
 * Who opens: "recoursctl open (USER)" for a row it wrote, or the staff
 * member proven by our server; NULL, with why (caller frees) when
 * nobody proven.  *staff_to: where the receipt goes (caller frees).
 */
static char *
trusted(struct store *st, const struct setup *s, const struct msg *m,
    int64_t inbound_id, char **staff_to, GError **err)
{
	const struct conf_staff *who = conf_staff(s->conf, m->from.addr);
	char	*actor = store_opening_actor(st, inbound_id, err);
	GPtrArray *results;
	const char *at;
	gboolean pass;

	*staff_to = NULL;
	if (actor != NULL || who == NULL)
		return actor;
	*staff_to = g_strdup(who->address);
	if (s->conf->staff_authserv_id == NULL)
		return NULL;
	at = strrchr(who->address, '@');
	results = msg_header_all(m, "Authentication-Results");
	pass = staff_auth_results_pass(s->conf, results, at != NULL ? at + 1 :
	    NULL);
	g_ptr_array_unref(results);
	return pass ? g_strdup_printf("staff <%s>", who->address) : NULL;
}

/*
 * No case: logged as a security event when nobody proved to be staff;
 * a member of staff gets the reasons (at most ten an hour: a forged
 * From would otherwise flood them).
 */
static gboolean
refuse(struct store *st, const struct setup *s, const struct msg *m,
    const char *staff_to, GPtrArray *why, int64_t now, GError **err)
{
	GString	*body = g_string_new(NULL);
	const char *from = m->from.addr != NULL ? m->from.addr : "?";
	char	*detail;
	gboolean ok, queued;
	guint	 i;

	for (i = 0; i < why->len; i++)
		g_string_append_printf(body, "%s- %s", i ? "\n" : "",
		    (char *)g_ptr_array_index(why, i));
	log_warnx("%s#ouvrir from %s refused: %s", staff_to == NULL ?
	    "security: " : "channel: ", from, body->str);
	detail = g_strdup_printf("#ouvrir from %s: %s", from, body->str);
	ok = store_event_add(st, 0, now, "recoursd", "open-refused", detail,
	    err);
	g_free(detail);
	if (ok && staff_to != NULL && store_outbox_recent(st, staff_to,
	    "open-refused", now - 3600, err) < 10) {
		char	*text = g_strdup_printf("Aucun dossier n'a été ouvert :\n"
		    "%s\n\nUn dossier s'ouvre par un nouveau message (pas une "
		    "réponse) qui commence par :\n#ouvrir TYPE\n#canal courrier|"
		    "recommande|telephone|fax|formulaire|visite\n#recu-le "
		    "AAAA-MM-JJ\n#plaignant Nom <adresse>\n#adresse LIGNE ; "
		    "LIGNE\n", body->str);

		ok = notify_queue(st, s->conf, "open-refused", 0, staff_to,
		    "Ouverture de dossier refusée", text, now, &queued, err);
		g_free(text);
	}
	g_string_free(body, TRUE);
	return ok;
}

gboolean
channel_open(struct store *st, const struct setup *s, const struct msg *m,
    int64_t inbound_id, int64_t row, const char *mailbox, int64_t now,
    gboolean *handled, GError **err)
{
	struct channel_opening o;
	char	*actor, *staff_to = NULL;
	GPtrArray *why;
	gboolean ok;

	*handled = FALSE;
	if (m->in_reply_to != NULL || m->references->len > 0 ||
	    !channel_is_opening(m->body))
		return TRUE;
	*handled = TRUE;
	if ((actor = trusted(st, s, m, inbound_id, &staff_to, err)) == NULL) {
		if (err != NULL && *err != NULL)
			return FALSE;
		why = g_ptr_array_new();
		g_ptr_array_add(why, staff_to == NULL ? "the sender is not "
		    "staff" : s->conf->staff_authserv_id == NULL ?
		    "opening a case by email needs our server to prove the "
		    "sender (staff_authserv_id); use recoursctl open" :
		    "no DKIM, SPF or DMARC pass from our server aligned with "
		    "the From: domain");
		ok = refuse(st, s, m, staff_to, why, now, err);
		g_ptr_array_unref(why);
		g_free(staff_to);
		return ok;
	}
	channel_read(s, m->body, now, &o);
	if (o.errors->len > 0)
		ok = refuse(st, s, m, staff_to, o.errors, now, err);
	else
		ok = open_case(st, s, m, &o, actor, staff_to, row, mailbox, now,
		    err);
	channel_opening_clear(&o);
	g_free(actor);
	g_free(staff_to);
	return ok;
}

/* The day given, or now when it is today or not given. */
static int64_t
received_at(const struct setup *s, const struct channel_opening *o,
    int64_t now)
{
	GDateTime *u = g_date_time_new_from_unix_utc(now);
	GDateTime *l = g_date_time_to_timezone(u, cal_zone(s->cal));
	GDateTime *day = g_date_time_new(cal_zone(s->cal),
	    g_date_time_get_year(l), g_date_time_get_month(l),
	    g_date_time_get_day_of_month(l), 0, 0, 0);
	int64_t	 today = g_date_time_to_unix(day);

	g_date_time_unref(day);
	g_date_time_unref(l);
	g_date_time_unref(u);
	return o->received_at == 0 || o->received_at >= today ? now :
	    o->received_at;
}

/*
 * The acknowledgement: on paper when there is no email address or the
 * type wants it so, else by email.  *how says which, for the receipt.
 */
static gboolean
acknowledge(struct store *st, const struct setup *s,
    const struct case_decision *d, const struct msg *first,
    const struct channel_opening *o, int64_t now, char **how, GError **err)
{
	struct store_case c;
	struct tpl_vars	*v;
	gboolean	 done = FALSE, queued = FALSE, ok;
	guint		 i;

	*how = NULL;
	if (!d->type->ack) {
		*how = g_strdup("aucun (règles : ack = false)");
		return TRUE;
	}
	if (!store_case_by_id(st, d->existing.id, &c, err))
		return FALSE;
	if ((v = letter_vars(st, s, &c, c.lang, err)) == NULL) {
		store_case_clear(&c);
		return FALSE;
	}
	tpl_vars_set_list(v, "missing_fields", NULL);
	for (i = 0; d->missing != NULL && i < d->missing->len; i++)
		tpl_vars_append(v, "missing_fields",
		    g_ptr_array_index(d->missing, i));
	ok = post_route(st, s, LETTER_ACK, &c, v, now, &done, err);
	if (ok && done)
		*how = g_strdup_printf("sur papier : le courrier est transmis "
		    "pour être posté (rôle %s)", s->conf->post.role);
	else if (ok && o->email != NULL) {
		ok = ack_queue(st, s, d, first, now, &queued, err);
		*how = queued ? g_strdup_printf("envoyé par courriel à %s",
		    o->email) : g_strdup("non envoyé (voir le journal du "
		    "dossier)");
	} else if (ok) {
		*how = g_strdup("impossible : ni adresse électronique ni "
		    "adresse postale");
		ok = store_event_add(st, c.id, now, "recoursd", "no-ack",
		    "neither an email nor a postal address", err);
	}
	tpl_vars_free(v);
	store_case_clear(&c);
	return ok;
}

/* What was opened and what is missing, to the member of staff. */
static gboolean
receipt(struct store *st, const struct setup *s,
    const struct channel_opening *o, int64_t case_id, const char *how,
    const char *to, int64_t now, GError **err)
{
	struct store_case c;
	struct tpl_vars	*v;
	char		*subject = NULL, *body = NULL, *day, *address;
	gboolean	 ok, queued;
	guint		 i;

	if (to == NULL)
		return TRUE;	/* recoursctl open prints what it did */
	if (!store_case_by_id(st, case_id, &c, err))
		return FALSE;
	if ((v = letter_vars(st, s, &c, s->conf->language, err)) == NULL) {
		store_case_clear(&c);
		return FALSE;
	}
	day = letter_date(s, c.opened_at + 1, s->conf->language);
	address = post_join(o->address);
	tpl_vars_set(v, "channel", o->channel);
	tpl_vars_set(v, "received", day);
	tpl_vars_set(v, "postal_address", address);
	tpl_vars_set(v, "ack", how);
	tpl_vars_set_list(v, "missing_fields", NULL);
	for (i = 0; i < o->missing->len; i++)
		tpl_vars_append(v, "missing_fields",
		    g_ptr_array_index(o->missing, i));
	ok = letter_render(s, LETTER_OPENED, NULL, s->conf->language, v,
	    &subject, &body, err) && notify_staff(st, s->conf,
	    letter_name(LETTER_OPENED), c.id, c.ref, to, subject, body, now,
	    &queued, err);
	tpl_vars_free(v);
	store_case_clear(&c);
	g_free(address);
	g_free(day);
	g_free(subject);
	g_free(body);
	return ok;
}

/*
 * The case, from the staff's message: its complainant the one the
 * commands name, its first message the text after them, its deadlines
 * from the day it was received.
 */
static gboolean
open_case(struct store *st, const struct setup *s, const struct msg *m,
    struct channel_opening *o, const char *actor, const char *staff_to,
    int64_t row, const char *mailbox, int64_t now, GError **err)
{
	struct case_decision d;
	struct msg	 first = *m;
	GPtrArray	*no_refs = g_ptr_array_new();
	int64_t		 received = received_at(s, o, now);
	char		*subject, *address, *detail, *how = NULL, *day;
	gboolean	 ok, notified;

	day = letter_date(s, received + 1, "fr");
	subject = *m->subject != '\0' ? g_strdup(m->subject) :
	    g_strdup_printf("%s reçu le %s", o->channel, day);
	address = post_join(o->address);
	first.from.name = o->name;
	first.from.addr = o->email;
	first.reply_to.name = first.reply_to.addr = NULL;
	first.subject = subject;
	first.body = o->text;
	first.message_id = first.in_reply_to = NULL;
	/* What staff's own mail says of itself is not the complainant's. */
	first.auto_submitted = first.precedence = first.list_id = NULL;
	first.references = no_refs;
	case_decide_opening(s, o->type, &first, received, actor, &d);
	d.lang = s->conf->language;
	detail = g_strdup_printf("channel %s, received %s, entered by %s%s",
	    o->channel, day, actor, o->missing->len > 0 ? "; incomplete "
	    "opening: the receipt asks for what is missing" : "");
	ok = case_apply(st, &d, &first, row, mailbox, now, err) &&
	    store_case_set_channel(st, d.existing.id, o->channel, address,
	    received, err) && store_event_add(st, d.existing.id, now, actor,
	    "channel", detail, err) && timer_schedule(st, s, d.existing.id,
	    d.type, received, err) && acknowledge(st, s, &d, &first, o, now,
	    &how, err) && staff_notify(st, s, &d, &first, now, &notified,
	    err) && receipt(st, s, o, d.existing.id, how, staff_to, now, err);
	if (ok)
		log_info("channel: %s opened by %s (%s, received %s)",
		    d.existing.ref, actor, o->channel, day);
	case_decision_clear(&d);
	g_ptr_array_unref(no_refs);
	g_free(how);
	g_free(detail);
	g_free(address);
	g_free(subject);
	g_free(day);
	return ok;
}
