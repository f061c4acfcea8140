/*
 * post_track.c: what becomes of a letter on paper once it is handed over
 * (post.h): the staff commands that record its posting, its receipt or
 * its return, and the reminders while it waits.
 */
#include "config.h"

#include <string.h>

#include "post.h"
#include "post_int.h"

static gboolean	 find_letter(struct store *, int64_t, const char *,
		    struct store_post *, GError **);
static gboolean	 date_or_today(const struct setup *, const char *, int64_t,
		    int64_t *);
static gboolean	 record_posted(struct store *, const struct setup *,
		    const struct store_case *, struct store_post *,
		    const char *, const char *, int64_t, GString *, GError **);
static gboolean	 record_receipt(struct store *, const struct setup *,
		    const struct store_case *, struct store_post *, gboolean,
		    const char *, const char *, int64_t, GString *, int64_t *,
		    GError **);
static gboolean	 record_party(struct store *, const struct setup *,
		    const struct store_case *, const char *, const char *,
		    const char *, int64_t, GString *, GError **);

/*
 * The letter a command is about: the oldest not yet posted ("posted"
 * NULL), or the latest registered one posted and not yet back
 * ("receipt").  FALSE when none (or on error).
 */
static gboolean
find_letter(struct store *st, int64_t case_id, const char *want,
    struct store_post *out, GError **err)
{
	GArray	*rows = store_post_list(st, case_id, err);
	gboolean found = FALSE;
	guint	 i;

	for (i = 0; rows != NULL && i < rows->len; i++) {
		struct store_post *p = &g_array_index(rows, struct store_post,
		    i);
		gboolean match = strcmp(want, "unposted") == 0 ?
		    p->posted_at == 0 : (p->registered && p->posted_at != 0 &&
		    p->receipt_at == 0 && p->returned_at == 0);

		if (!match)
			continue;
		if (found)
			store_post_clear(out);
		*out = *p;
		memset(p, 0, sizeof(*p));	/* moved to out */
		found = TRUE;
		if (strcmp(want, "unposted") == 0)
			break;
	}
	if (rows != NULL)
		g_array_unref(rows);
	return found;
}

/* The optional date word: today when absent; FALSE when not a date. */
static gboolean
date_or_today(const struct setup *s, const char *text, int64_t now,
    int64_t *at)
{
	if (text == NULL || *text == '\0') {
		*at = now;
		return TRUE;
	}
	return post_parse_day(s, text, at);
}

char *
post_refusal(struct store *st, const struct setup *s,
    const struct store_case *c, const char *name, const char *text,
    int64_t now, GError **err)
{
	struct store_post p;
	char	**w = g_strsplit_set(text, " \t", 3), *why = NULL;
	const char *date = NULL;
	int64_t	 at = 0;
	GPtrArray *lines;

	memset(&p, 0, sizeof(p));
	if (strcmp(name, "recommande") == 0)
		date = w[0] != NULL ? w[1] : NULL;
	else if (strcmp(name, "poste") == 0 || strncmp(name, "ar-", 3) == 0)
		date = w[0];
	if (strcmp(name, "plaignant") == 0)
		;
	else if (strncmp(name, "adresse", 7) == 0) {
		lines = post_address_lines(text);
		if (strcmp(name, "adresse") == 0 && c->complainant_name != NULL)
			g_ptr_array_insert(lines, 0,
			    g_strdup(c->complainant_name));
		post_address_ok(lines, &why);
		g_ptr_array_unref(lines);
	} else if (strcmp(name, "recommande") == 0 && (w[0] == NULL ||
	    !g_regex_match_simple("^[A-Za-z0-9]{6,24}$", w[0], 0, 0)))
		why = g_strdup("le numéro du recommandé s'écrit en lettres et "
		    "chiffres, sans espace : #recommande 1A23456789012 "
		    "[AAAA-MM-JJ]");
	else if (!date_or_today(s, date, now, &at) || (strcmp(name, "ar-recu")
	    == 0 && date == NULL))
		why = g_strdup("la date s'écrit AAAA-MM-JJ (ou JJ/MM/AAAA)");
	else if (at > now)
		why = g_strdup("cette date est dans le futur");
	else if (!find_letter(st, c->id, strncmp(name, "ar-", 3) == 0 ?
	    "receipt" : "unposted", &p, err))
		why = g_strdup(strncmp(name, "ar-", 3) == 0 ? "aucun recommandé "
		    "posté n'attend son avis de réception dans ce dossier" :
		    "aucun courrier de ce dossier n'attend d'être posté");
	else if (at + 86400 <= (strncmp(name, "ar-", 3) == 0 ? p.posted_at :
	    p.created_at))	/* the whole day before */
		why = g_strdup("cette date précède l'envoi du courrier");
	store_post_clear(&p);
	g_strfreev(w);
	return why;
}

/* #poste, #recommande: the letter is posted; the receipt awaited. */
static gboolean
record_posted(struct store *st, const struct setup *s,
    const struct store_case *c, struct store_post *p, const char *number,
    const char *date, int64_t now, GString *receipt, GError **err)
{
	char	*timer = post_timer_name(TIMER_LETTER, p->id), *detail, *day;
	gboolean ok, changed;

	date_or_today(s, date, now, &p->posted_at);
	if (number != NULL) {
		p->registered = TRUE;
		g_free(p->tracking);
		p->tracking = g_strdup(number);
	}
	day = post_day_text(s, p->posted_at);
	detail = g_strdup_printf("%s posted on %s%s%s", p->letter, day,
	    number != NULL ? ", registered with receipt, number " : "",
	    number != NULL ? number : "");
	ok = store_post_set(st, p, err) && store_timer_cancel_deadline(st,
	    c->id, timer, now, &changed, err) && store_event_add(st, c->id,
	    now, "recoursd", number != NULL ? "registered-posted" : "posted",
	    detail, err);
	g_free(timer);
	if (ok && number != NULL) {
		timer = post_timer_name(TIMER_RECEIPT, p->id);
		ok = store_timer_add(st, c->id, timer, "remind", post_after(s,
		    MAX(p->posted_at, now - 86400),
		    &s->conf->post.receipt_within), err);
		g_free(timer);
	}
	g_string_append_printf(receipt, "Le courrier « %s » est posté le %s%s%s."
	    "\n", p->letter, day, number != NULL ? " en recommandé n° " : "",
	    number != NULL ? number : "");
	g_free(day);
	g_free(detail);
	return ok;
}

/* #ar-recu DATE, #ar-retour [DATE]: the registered letter is back. */
static gboolean
record_receipt(struct store *st, const struct setup *s,
    const struct store_case *c, struct store_post *p, gboolean signed_for,
    const char *date, const char *actor, int64_t now, GString *receipt,
    int64_t *receipt_at, GError **err)
{
	char	*timer = post_timer_name(TIMER_RECEIPT, p->id), *detail, *day;
	int64_t	 at;
	gboolean ok, changed;

	date_or_today(s, date, now, &at);
	if (signed_for)
		p->receipt_at = at;
	else
		p->returned_at = at;
	day = post_day_text(s, at);
	detail = g_strdup_printf("%s, registered number %s: %s %s", p->letter,
	    p->tracking != NULL ? p->tracking : "?", signed_for ?
	    "receipt signed on" : "returned unclaimed on", day);
	ok = store_post_set(st, p, err) && store_timer_cancel_deadline(st,
	    c->id, timer, now, &changed, err) && store_event_add(st, c->id,
	    now, actor, signed_for ? "receipt" : "returned", detail, err);
	if (signed_for)
		*receipt_at = at;
	if (signed_for)
		g_string_append_printf(receipt, "Avis de réception du courrier "
		    "« %s » : remis le %s.\n", p->letter, day);
	else
		g_string_append_printf(receipt, "Le courrier « %s » est revenu "
		    "non réclamé (%s) : joignez le destinataire autrement.\n",
		    p->letter, day);
	g_free(day);
	g_free(detail);
	g_free(timer);
	return ok;
}

/* #plaignant NAME <ADDRESS>, #adresse LINES: what the opening lacked. */
static gboolean
record_party(struct store *st, const struct setup *s,
    const struct store_case *c, const char *name, const char *text,
    const char *actor, int64_t now, GString *receipt, GError **err)
{
	GPtrArray *lines;
	char	*joined, *who = NULL, *addr = NULL;
	gboolean ok;

	(void)s;
	if (strcmp(name, "adresse") == 0) {
		lines = post_address_lines(text);
		joined = post_join(lines);
		g_ptr_array_unref(lines);
		ok = store_case_set_channel(st, c->id, NULL, joined, 0, err) &&
		    store_event_add(st, c->id, now, actor, "address", joined,
		    err);
		g_string_append_printf(receipt, "Adresse postale :\n%s\n",
		    joined);
		g_free(joined);
		return ok;
	}
	post_split_person(text, &who, &addr);
	ok = store_case_set_complainant(st, c->id, who, addr, err) &&
	    store_event_add(st, c->id, now, actor, "complainant", text, err);
	g_string_append_printf(receipt, "Plaignant : %s%s%s%s\n", who != NULL ?
	    who : "", addr != NULL ? " <" : "", addr != NULL ? addr : "",
	    addr != NULL ? ">" : "");
	g_free(who);
	g_free(addr);
	return ok;
}

gboolean
post_command(struct store *st, const struct setup *s,
    const struct store_case *c, const char *name, const char *text,
    const char *actor, int64_t now, GString *receipt, int64_t *receipt_at,
    GError **err)
{
	struct store_post p;
	char	**w = g_strsplit_set(text, " \t", 3);
	gboolean ok = TRUE;

	*receipt_at = 0;
	memset(&p, 0, sizeof(p));
	if (strcmp(name, "adresse-partie") == 0)
		g_string_append(receipt, "Les courriers sur papier à l'autre "
		    "partie iront à cette adresse.\n");
	else if (strcmp(name, "plaignant") == 0 || strcmp(name, "adresse") == 0)
		ok = record_party(st, s, c, name, text, actor, now, receipt,
		    err);
	else if (strcmp(name, "poste") == 0 || strcmp(name, "recommande") == 0) {
		if (find_letter(st, c->id, "unposted", &p, err))
			ok = record_posted(st, s, c, &p, strcmp(name,
			    "recommande") == 0 ? w[0] : NULL, strcmp(name,
			    "recommande") == 0 ? (w[0] != NULL ? w[1] : NULL) :
			    w[0], now, receipt, err);
	} else if (find_letter(st, c->id, "receipt", &p, err))
		ok = record_receipt(st, s, c, &p, strcmp(name, "ar-recu") == 0,
		    w[0], actor, now, receipt, receipt_at, err);
	store_post_clear(&p);
	g_strfreev(w);
	return ok && (err == NULL || *err == NULL);
}

gboolean
post_notified_on(struct store *st, const char *ref, int64_t *at, GError **err)
{
	struct store_case c;
	GArray	*rows;
	guint	 i;

	*at = 0;
	if (!store_case_by_ref(st, ref, &c, err))
		return FALSE;
	rows = store_post_list(st, c.id, err);
	for (i = 0; rows != NULL && i < rows->len; i++) {
		const struct store_post *p = &g_array_index(rows,
		    struct store_post, i);

		if (p->receipt_at != 0)
			*at = p->receipt_at;
	}
	if (rows != NULL)
		g_array_unref(rows);
	store_case_clear(&c);
	return *at != 0;
}

/* Timers. */

gboolean
post_is_timer(const char *deadline)
{
	return g_str_has_prefix(deadline, TIMER_LETTER) ||
	    g_str_has_prefix(deadline, TIMER_RECEIPT);
}

gboolean
post_fire(struct store *st, const struct setup *s, const struct store_timer *t,
    const struct store_case *c, int64_t now, gboolean *queued, GError **err)
{
	gboolean letter = g_str_has_prefix(t->deadline, TIMER_LETTER);
	struct store_post p;
	GArray	*rows;
	int64_t	 id = g_ascii_strtoll(t->deadline + strlen(letter ?
	    TIMER_LETTER : TIMER_RECEIPT), NULL, 10);
	gboolean waits = FALSE, changed, ok;
	char	*why;
	guint	 i;

	memset(&p, 0, sizeof(p));
	if ((rows = store_post_list(st, c->id, err)) == NULL)
		return FALSE;
	for (i = 0; i < rows->len; i++) {
		struct store_post *o = &g_array_index(rows, struct store_post, i);

		if (o->id != id)
			continue;
		waits = letter ? o->posted_at == 0 : o->receipt_at == 0 &&
		    o->returned_at == 0;
		p = *o;
		memset(o, 0, sizeof(*o));
	}
	g_array_unref(rows);
	ok = store_timer_set(st, t->id, waits ? "sent" : "cancelled", now,
	    &changed, err);
	if (!ok || !waits || !changed) {
		store_post_clear(&p);
		return ok;
	}
	why = letter ? g_strdup_printf("le courrier « %s » n'est pas encore "
	    "enregistré comme posté", p.letter) : g_strdup_printf("aucun avis "
	    "de réception n'est enregistré pour le recommandé « %s »",
	    p.letter);
	ok = store_event_add(st, c->id, now, "recoursd", "post-reminder",
	    t->deadline, err) && post_tell_posters(st, s, LETTER_POST_REMINDER, c,
	    &p, why, now, err) && store_timer_add(st, c->id, t->deadline,
	    "remind", post_after(s, now, &s->conf->post.remind_every), err);
	*queued = ok && s->conf->has_smtp;
	g_free(why);
	store_post_clear(&p);
	return ok;
}
