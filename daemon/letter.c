/*
 * letter.c: see letter.h.
 */
#include "config.h"

#include <string.h>

#include "letter.h"
#include "notify.h"

static char	*response_due(struct store *, const struct setup *,
		    const struct store_case *, const char *, GError **);
static int	 count_words(const char *, const char *const *);
static gboolean	 send_one(struct store *, const struct setup *,
		    enum letter_kind, const struct store_case *,
		    const struct tpl_vars *, const char *, struct notify_mail *,
		    const char *, int64_t, GError **);

gboolean
letter_render(const struct setup *s, enum letter_kind k, const char *name,
    const char *lang, const struct tpl_vars *v, char **subject, char **body,
    GError **err)
{
	const struct tpl *t = setup_template(s, lang, name != NULL ? name :
	    letter_name(k));

	if (t == NULL) {
		/* check_load() refuses a setup without it: a bug. */
		g_set_error(err, TPL_ERROR, TPL_ERROR_RENDER, "no template %s",
		    name != NULL ? name : letter_name(k));
		return FALSE;
	}
	return tpl_render(t, v, subject, body, err);
}

/* How many of words text holds, as whole lower-case words. */
static int
count_words(const char *text, const char *const *words)
{
	char	**tok = g_regex_split_simple("[^[:alpha:]]+", text, 0, 0);
	int	 n = 0;
	size_t	 i, k;

	for (i = 0; tok[i] != NULL; i++)
		for (k = 0; words[k] != NULL; k++)
			if (g_ascii_strcasecmp(tok[i], words[k]) == 0)
				n++;
	g_strfreev(tok);
	return n;
}

const char *
letter_language(const struct setup *s, const struct msg *m)
{
	static const char *const fr[] = { "le", "la", "les", "des", "et",
	    "est", "une", "pour", "vous", "votre", "nous", "que", "dans",
	    "pas", "je", "du", "au", "mon", "sur", NULL };
	static const char *const en[] = { "the", "and", "is", "for", "you",
	    "your", "we", "that", "in", "not", "of", "to", "my", "on", "was",
	    "with", "have", NULL };
	const char	*said = msg_header(m, "Content-Language");
	char		*sample;
	int		 nfr, nen;

	if (!s->conf->detect_language)
		return s->conf->language;
	if (said != NULL) {
		said += strspn(said, " \t");
		if (g_ascii_strncasecmp(said, "en", 2) == 0)
			return "en";
		if (g_ascii_strncasecmp(said, "fr", 2) == 0)
			return "fr";
	}
	/* No label: the common words of each language, in the first 4 kB. */
	sample = g_strdup_printf("%s\n%.4096s", m->subject != NULL ?
	    m->subject : "", m->body != NULL ? m->body : "");
	nfr = count_words(sample, fr);
	nen = count_words(sample, en);
	g_free(sample);
	if (nen >= 3 && nen > 2 * nfr)
		return "en";
	if (nfr >= 3 && nfr > 2 * nen)
		return "fr";
	return s->conf->language;
}

/*
 * "lundi 7 décembre 2026": the day at falls in; a deadline ending at
 * 24:00 (00:00 the next day) names its last day.
 */
char *
letter_date(const struct setup *s, int64_t at, const char *lang)
{
	GDateTime	*u = g_date_time_new_from_unix_utc(at);
	GDateTime	*l = g_date_time_to_timezone(u, cal_zone(s->cal));
	GDateTime	*d;
	char		*text;

	if (g_date_time_get_hour(l) == 0 && g_date_time_get_minute(l) == 0 &&
	    g_date_time_get_second(l) == 0)
		d = g_date_time_add_seconds(l, -1);
	else
		d = g_date_time_ref(l);
	text = tpl_format_date(d, lang);
	g_date_time_unref(d);
	g_date_time_unref(l);
	g_date_time_unref(u);
	return text;
}

/* The response deadline: its timer (restarts count), else the rule's. */
static char *
response_due(struct store *st, const struct setup *s,
    const struct store_case *c, const char *lang, GError **err)
{
	const struct rules_type *t = rules_type(s->rules, c->type);
	GArray	*timers = store_case_timers(st, c->id, err);
	int64_t	 at = 0, latest = 0;
	gboolean cancelled = FALSE;
	guint	 i;

	if (timers == NULL)
		return NULL;
	/*
	 * The response deadline; once a command cancelled it (a complex case
	 * has a month, not a week), the furthest one still pending.
	 */
	for (i = 0; i < timers->len; i++) {
		const struct store_timer *o = &g_array_index(timers,
		    struct store_timer, i);

		if (strcmp(o->kind, "due") != 0)
			continue;
		if (strcmp(o->deadline, "response") == 0 &&
		    !(cancelled = strcmp(o->state, "cancelled") == 0))
			at = o->due_at;
		if (strcmp(o->state, "pending") == 0)
			latest = MAX(latest, o->due_at);
	}
	g_array_unref(timers);
	if (cancelled)
		at = latest;
	if (at == 0 && t != NULL && t->has_response) {
		GDateTime *start = g_date_time_new_from_unix_utc(c->opened_at);
		GDateTime *due = cal_due(s->cal, start, &t->response, NULL);

		at = g_date_time_to_unix(due);
		g_date_time_unref(due);
		g_date_time_unref(start);
	}
	return at != 0 ? letter_date(s, at, lang) : NULL;
}

struct tpl_vars *
letter_vars(struct store *st, const struct setup *s,
    const struct store_case *c, const char *lang, GError **err)
{
	const struct rules_type *t = rules_type(s->rules, c->type);
	struct tpl_vars	*v;
	char		*due, *opened;

	if ((due = response_due(st, s, c, lang, err)) == NULL && err != NULL &&
	    *err != NULL)
		return NULL;
	v = tpl_vars_new();
	tpl_vars_set(v, "case.ref", c->ref);
	tpl_vars_set(v, "case.type", t == NULL ? c->type :
	    strcmp(lang, "en") == 0 ? t->label_en : t->label_fr);
	tpl_vars_set(v, "case.state", c->state);
	tpl_vars_set(v, "case.subject", c->subject != NULL ? c->subject : "");
	opened = letter_date(s, c->opened_at + 1, lang);
	tpl_vars_set(v, "case.opened", opened);
	tpl_vars_set(v, "complainant.name", c->complainant_name);
	tpl_vars_set(v, "complainant.address", c->reply_to != NULL ?
	    c->reply_to : c->complainant_addr != NULL ? c->complainant_addr :
	    "?");
	tpl_vars_set(v, "org.name", s->conf->org_name);
	tpl_vars_set(v, "deadline.response", due);
	g_free(opened);
	g_free(due);
	return v;
}

gboolean
letter_to_complainant(struct store *st, const struct setup *s,
    enum letter_kind k, const struct store_case *c, const struct tpl_vars *v,
    const char *auto_submitted, int64_t now, GError **err)
{
	const char	*to = c->reply_to != NULL ? c->reply_to :
	    c->complainant_addr;

	if (to == NULL || !s->conf->has_smtp)
		return store_event_add(st, c->id, now, "recoursd", "not-sent",
		    to == NULL ? "no address to write to" : "no smtp server "
		    "is configured", err);
	return letter_send(st, s, k, c, v, to, c->reply_to != NULL ? NULL :
	    c->complainant_name, auto_submitted, now, err);
}

gboolean
letter_send(struct store *st, const struct setup *s, enum letter_kind k,
    const struct store_case *c, const struct tpl_vars *v, const char *to,
    const char *to_name, const char *auto_submitted, int64_t now,
    GError **err)
{
	struct notify_mail n;
	char	*last = store_case_last_in(st, c->id, err);
	gboolean ok;

	memset(&n, 0, sizeof(n));
	n.to_name = to_name;
	n.auto_submitted = auto_submitted;
	n.in_reply_to = last;
	n.references = last;
	ok = send_one(st, s, k, c, v, to, &n, c->lang, now, err);
	g_free(last);
	return ok;
}

gboolean
letter_send_files(struct store *st, const struct setup *s, enum letter_kind k,
    const struct store_case *c, const struct tpl_vars *v, const char *to,
    const struct compose_file *files, guint nfiles, int64_t now,
    GError **err)
{
	struct notify_mail n;

	memset(&n, 0, sizeof(n));
	n.files = files;
	n.nfiles = nfiles;
	n.files_temporary = TRUE;	/* an export, removed after the call */
	return send_one(st, s, k, c, v, to, &n, NULL, now, err);
}

/*
 * Render kind k in lang (NULL: the organisation's), fill n (threading,
 * files, the name of to: set by the caller) and queue it; an event names
 * what was sent.
 */
static gboolean
send_one(struct store *st, const struct setup *s, enum letter_kind k,
    const struct store_case *c, const struct tpl_vars *v, const char *to,
    struct notify_mail *np, const char *lang, int64_t now, GError **err)
{
	struct notify_mail n = *np;
	char		*subject = NULL, *body = NULL, *id = NULL;
	gboolean	 ok;

	if (lang == NULL)
		lang = s->conf->language;
	if (!s->conf->has_smtp)
		return TRUE;
	if (!letter_render(s, k, NULL, lang, v, &subject, &body, err))
		return FALSE;
	n.to = to;
	n.kind = letter_name(k);
	n.case_id = c->id;
	n.subject = subject;
	n.body = body;
	n.lang = lang;
	n.reply_to_us = TRUE;
	if ((ok = notify_send(st, s->conf, &n, now, &id, err))) {
		char	*what = g_strdup_printf("%s to %s: %s", n.kind, to, id);

		ok = store_event_add(st, c->id, now, "recoursd", "sent", what,
		    err);
		g_free(what);
	}
	g_free(id);
	g_free(subject);
	g_free(body);
	return ok;
}
