/*
 * post.c: see post.h.  Letters on paper: when, rendered, kept, handed to
 * the staff who post them; what becomes of them is post_track.c.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

#include "compose.h"
#include "digest.h"
#include "log.h"
#include "msg.h"
#include "notify.h"
#include "paper.h"
#include "post.h"
#include "post_int.h"
#include "spool.h"

static gboolean	 post_letter(struct store *, const struct setup *,
		    enum letter_kind, const struct store_case *,
		    const struct tpl_vars *, const char *, const char *, gboolean,
		    int64_t, GError **);
static char	*party_address(struct store *, int64_t, GError **);
static gboolean	 wanted(struct store *, const struct setup *, enum letter_kind,
		    const struct store_case *, int64_t, char **, gboolean *,
		    GError **);
static gboolean	 listed(GPtrArray *, enum letter_kind);
static char	*signature(const struct setup *, const struct store_case *);
static gboolean	 keep_file(const struct setup *, GBytes *, char *, GError **);
static gboolean	 keep_letter(struct store *, const struct setup *,
		    const struct store_case *, const char *, const char *,
		    const char *, GBytes *, const char *, const char *,
		    int64_t, int64_t *, GError **);

static const char *const months_fr[] = { "janvier", "février", "mars",
	"avril", "mai", "juin", "juillet", "août", "septembre", "octobre",
	"novembre", "décembre" };

gboolean
post_parse_day(const struct setup *s, const char *text, int64_t *at)
{
	unsigned a, b, c;
	char	 end;
	GDateTime *t;

	if (sscanf(text, "%4u-%2u-%2u%c", &a, &b, &c, &end) == 3)
		;
	else if (sscanf(text, "%2u/%2u/%4u%c", &c, &b, &a, &end) == 3)
		;
	else
		return FALSE;
	if (!g_date_valid_dmy((GDateDay)c, (GDateMonth)b, (GDateYear)a) ||
	    a < 1970)
		return FALSE;
	t = g_date_time_new(cal_zone(s->cal), (gint)a, (gint)b, (gint)c, 0, 0,
	    0);
	if (t == NULL)
		return FALSE;
	*at = g_date_time_to_unix(t);
	g_date_time_unref(t);
	return TRUE;
}

/* "4 décembre 2026", in the calendar's zone; caller frees. */
char *
post_day_text(const struct setup *s, int64_t at)
{
	GDateTime *u = g_date_time_new_from_unix_utc(at);
	GDateTime *l = g_date_time_to_timezone(u, cal_zone(s->cal));
	char	*text;

	text = g_strdup_printf("%d%s %s %d", g_date_time_get_day_of_month(l),
	    g_date_time_get_day_of_month(l) == 1 ? "er" : "",
	    months_fr[g_date_time_get_month(l) - 1], g_date_time_get_year(l));
	g_date_time_unref(l);
	g_date_time_unref(u);
	return text;
}

GPtrArray *
post_address_lines(const char *text)
{
	GPtrArray *lines = g_ptr_array_new_with_free_func(g_free);
	GRegex	*cut = g_regex_new("\\s*;\\s*|,\\s+(?=[0-9]{5}\\b)|\\s*\\n\\s*",
	    0, 0, NULL);
	char	**parts = g_regex_split(cut, text, 0);
	guint	 i;

	for (i = 0; parts[i] != NULL; i++)
		if (*g_strstrip(parts[i]) != '\0')
			g_ptr_array_add(lines, g_strdup(parts[i]));
	g_strfreev(parts);
	g_regex_unref(cut);
	return lines;
}

char *
post_join(GPtrArray *lines)
{
	GString	*s = g_string_new(NULL);
	guint	 i;

	if (lines == NULL || lines->len == 0) {
		g_string_free(s, TRUE);
		return NULL;
	}
	for (i = 0; i < lines->len; i++)
		g_string_append_printf(s, "%s%s", i ? "\n" : "",
		    (const char *)g_ptr_array_index(lines, i));
	return g_string_free(s, FALSE);
}

gboolean
post_address_ok(GPtrArray *lines, char **why)
{
	GString	*reason = g_string_new(NULL);
	char	*block = post_join(lines);
	gboolean ok;

	*why = NULL;
	ok = block != NULL && paper_check_address(block, reason);
	if (!ok)
		*why = g_strdup_printf("l'adresse ne tient pas dans la fenêtre "
		    "de l'enveloppe (%s)", block == NULL ? "elle est vide" :
		    reason->str);
	g_string_free(reason, TRUE);
	g_free(block);
	return ok;
}

/* Whether the type lists letter k (by its template's name, or "ack"). */
static gboolean
listed(GPtrArray *names, enum letter_kind k)
{
	guint	 i;

	for (i = 0; names != NULL && i < names->len; i++) {
		const char *n = g_ptr_array_index(names, i);

		if (strcmp(n, letter_name(k)) == 0 || (k == LETTER_ACK &&
		    strcmp(n, "ack") == 0))
			return TRUE;
	}
	return FALSE;
}

/*
 * Whether letter k to c goes on paper: no usable email address, or the
 * type says so; and there must be a postal address (*address, caller
 * frees).  An event says when the type wants paper and there is no
 * address: the letter then goes by email.
 */
static gboolean
wanted(struct store *st, const struct setup *s, enum letter_kind k,
    const struct store_case *c, int64_t now, char **address,
    gboolean *registered, GError **err)
{
	const struct rules_type *t = rules_type(s->rules, c->type);
	const char	*to = c->reply_to != NULL ? c->reply_to :
	    c->complainant_addr;
	gboolean	 email = to != NULL && compose_address_ok(to);
	gboolean	 paper = t != NULL && listed(t->paper, k);
	char		*channel = NULL, *detail;

	*address = NULL;
	*registered = t != NULL && listed(t->registered, k);
	if (email && !paper)
		return FALSE;
	if (!store_case_channel(st, c->id, &channel, address, err))
		return FALSE;
	g_free(channel);
	if (*address != NULL)
		return TRUE;
	if (email) {
		detail = g_strdup_printf("%s: on paper by the rules, but no "
		    "postal address is known (#adresse): sent by email",
		    letter_name(k));
		store_event_add(st, c->id, now, "recoursd", "post-unaddressed",
		    detail, err);
		g_free(detail);
	}
	return FALSE;
}

/* The staff member of the role the type names, the role, the organisation. */
static char *
signature(const struct setup *s, const struct store_case *c)
{
	const struct rules_type *t = rules_type(s->rules, c->type);
	GString	*b = g_string_new(NULL);
	guint	 i;

	for (i = 0; t != NULL && t->signed_by != NULL &&
	    i < s->conf->staff->len; i++) {
		const struct conf_staff *m = g_ptr_array_index(s->conf->staff,
		    i);

		if (g_strcmp0(m->role, t->signed_by) == 0) {
			g_string_append_printf(b, "%s\n%s\n", m->name != NULL ?
			    m->name : m->address, m->role);
			break;
		}
	}
	g_string_append(b, s->conf->org_name);
	return g_string_free(b, FALSE);
}

/* The file, durably, in the attachment store under its digest. */
static gboolean
keep_file(const struct setup *s, GBytes *data, char *sha, GError **err)
{
	char	*dir = spool_attachment_dir(s->conf->spool), *dst, *tmp;
	gsize	 len;
	const char *p = g_bytes_get_data(data, &len);
	gboolean ok = FALSE;
	int	 fd;

	digest_data(p, len, sha);
	dst = msg_attachment_path(dir, sha);
	tmp = g_build_filename(dir, "post.XXXXXX", NULL);
	if (g_mkdir_with_parents(dir, 0750) != 0 ||
	    (fd = g_mkstemp_full(tmp, O_WRONLY | O_CLOEXEC, 0640)) == -1) {
		g_set_error(err, G_FILE_ERROR, g_file_error_from_errno(errno),
		    "%s: %s", tmp, g_strerror(errno));
		goto out;
	}
	if (write(fd, p, len) != (ssize_t)len) {
		g_set_error(err, G_FILE_ERROR, g_file_error_from_errno(errno),
		    "%s: %s", tmp, g_strerror(errno));
		close(fd);
		g_unlink(tmp);
		goto out;
	}
	{
		char	*sub = g_path_get_dirname(dst);

		g_mkdir_with_parents(sub, 0750);
		g_free(sub);
	}
	ok = spool_durable_rename(fd, tmp, dst, err);
	close(fd);
out:
	g_free(tmp);
	g_free(dst);
	g_free(dir);
	return ok;
}

/*
 * The letter in the case: an outgoing message row to the postal
 * address, with the file attached.  *message: the row.
 */
static gboolean
keep_letter(struct store *st, const struct setup *s,
    const struct store_case *c, const char *subject, const char *body,
    const char *recipient, GBytes *file, const char *filename,
    const char *content_type, int64_t now, int64_t *message, GError **err)
{
	struct store_message m;
	char	 sha[65];
	char	*to;

	if (!keep_file(s, file, sha, err))
		return FALSE;
	to = g_strdelimit(g_strdup(recipient), "\n", ',');
	memset(&m, 0, sizeof(m));
	m.direction = "out";
	m.subject = subject;
	m.from_name = s->conf->org_name;
	m.from_addr = s->conf->org_address;
	m.to_addrs = to;
	m.date = now;
	m.body = body;
	m.flags = "post";
	if (!store_message_add(st, &m, message, err) ||
	    !store_message_set_case(st, *message, c->id, err) ||
	    !store_attachment_add(st, *message, filename, content_type,
	    (int64_t)g_bytes_get_size(file), sha, err)) {
		g_free(to);
		return FALSE;
	}
	g_free(to);
	return TRUE;
}

/* at + d, by the calendar (working days skip holidays). */
int64_t
post_after(const struct setup *s, int64_t at, const struct cal_duration *d)
{
	GDateTime *t = g_date_time_new_from_unix_utc(at);
	GDateTime *due = cal_due(s->cal, t, d, NULL);
	int64_t	 r = g_date_time_to_unix(due);

	g_date_time_unref(due);
	g_date_time_unref(t);
	return r;
}

char *
post_timer_name(const char *prefix, int64_t id)
{
	return g_strdup_printf("%s%" G_GINT64_FORMAT, prefix, id);
}

/*
 * Mail the letter's file to the staff who post letters (each with a
 * token: their reply records the posting), else to the administrator.
 * waiting: why this is a reminder, or NULL.
 */
gboolean
post_tell_posters(struct store *st, const struct setup *s, enum letter_kind k,
    const struct store_case *c, const struct store_post *p,
    const char *waiting, int64_t now, GError **err)
{
	const char	*lang = s->conf->language;
	struct tpl_vars	*v;
	GArray		*files = NULL;
	char		*subject = NULL, *body = NULL, *posted = NULL;
	char		*dir = spool_attachment_dir(s->conf->spool);
	gboolean	 ok, sent = FALSE;
	guint		 i;

	if (!s->conf->has_smtp) {
		g_free(dir);
		return TRUE;
	}
	if ((v = letter_vars(st, s, c, lang, err)) == NULL) {
		g_free(dir);
		return FALSE;
	}
	posted = p->posted_at != 0 ? post_day_text(s, p->posted_at) : NULL;
	tpl_vars_set(v, "post.letter", p->letter);
	tpl_vars_set(v, "post.recipient", p->recipient);
	tpl_vars_set(v, "post.registered", p->registered ? "oui" : NULL);
	tpl_vars_set(v, "post.posted", posted);
	tpl_vars_set(v, "post.tracking", p->tracking);
	tpl_vars_set(v, "post.waiting", waiting);
	ok = TRUE;
	if (waiting == NULL) {
		GArray	*att = store_case_attachments(st, c->id, err);
		struct compose_file f;

		files = g_array_new(FALSE, TRUE, sizeof(struct compose_file));
		for (i = 0; att != NULL && i < att->len; i++) {
			const struct store_file *a = &g_array_index(att,
			    struct store_file, i);

			if (i + 1 != att->len)
				continue;	/* the letter is the latest */
			f.filename = g_strdup(a->name);
			f.content_type = "application/pdf";
			f.path = msg_attachment_path(dir, a->sha256);
			g_array_append_val(files, f);
			tpl_vars_set(v, "post.file", a->name);
		}
		if (att != NULL)
			g_array_unref(att);
		ok = att != NULL;
	}
	ok = ok && letter_render(s, waiting == NULL ? LETTER_POST :
	    LETTER_POST_REMINDER, NULL, lang, v, &subject, &body, err);
	/* Without a staff key, no token: the administrator gets it. */
	for (i = 0; ok && s->conf->staff_key != NULL &&
	    i < s->conf->staff->len; i++) {
		const struct conf_staff *m = g_ptr_array_index(s->conf->staff,
		    i);

		if (g_strcmp0(m->role, s->conf->post.role) != 0)
			continue;
		ok = notify_member_files(st, s->conf, letter_name(waiting ==
		    NULL ? LETTER_POST : LETTER_POST_REMINDER), c->id, c->ref, m,
		    subject, body, files != NULL ? (const struct compose_file *)
		    (void *)files->data : NULL, files != NULL ? files->len : 0,
		    now, err);
		sent = TRUE;
	}
	if (ok && !sent) {
		gboolean queued;

		log_warnx("post: %s: no member of staff has the role \"%s\" "
		    "(post.role): the letter goes to the administrator", c->ref,
		    s->conf->post.role);
		ok = notify_staff(st, s->conf, letter_name(LETTER_POST), c->id,
		    c->ref, NULL, subject, body, now, &queued, err);
	}
	(void)k;
	for (i = 0; files != NULL && i < files->len; i++) {
		struct compose_file *f = &g_array_index(files,
		    struct compose_file, i);

		g_free((char *)f->filename);
		g_free((char *)f->path);
	}
	if (files != NULL)
		g_array_unref(files);
	tpl_vars_free(v);
	g_free(posted);
	g_free(subject);
	g_free(body);
	g_free(dir);
	return ok;
}

/* Render, keep and hand over letter k to the recipient on paper. */
static gboolean
post_letter(struct store *st, const struct setup *s, enum letter_kind k,
    const struct store_case *c, const struct tpl_vars *v, const char *name,
    const char *address, gboolean registered, int64_t now, GError **err)
{
	const struct rules_type *t = rules_type(s->rules, c->type);
	struct paper_letter l;
	struct store_post p;
	GPtrArray	*lines = post_address_lines(address);
	char		*subject = NULL, *body = NULL, *filename = NULL;
	char		*recipient, *sender, *sign, *detail;
	GDateTime	*u = g_date_time_new_from_unix_utc(now), *day;
	GBytes		*file = NULL;
	int64_t		 message, id;
	gboolean	 ok = FALSE;

	if (name != NULL)
		g_ptr_array_insert(lines, 0, g_strdup(name));
	recipient = post_join(lines);
	sender = post_join(s->conf->post.sender);
	sign = signature(s, c);
	day = g_date_time_to_timezone(u, cal_zone(s->cal));
	memset(&l, 0, sizeof(l));
	l.sender = sender != NULL ? sender : s->conf->org_name;
	l.recipient = recipient;
	l.place = s->conf->post.city;
	l.date = day;
	l.notice = registered ? "Lettre recommandée avec accusé de réception" :
	    NULL;
	l.reference = c->ref;
	l.signature = sign;
	if (!letter_render(s, k, k == LETTER_ACK && t != NULL ?
	    t->ack_template : NULL, c->lang, v, &subject, &body, err))
		goto out;
	l.subject = subject;
	l.body = body;
	if ((file = paper_render_bytes(&l, err)) == NULL)
		goto out;
	detail = g_strdup_printf("courrier-%s-%s.pdf", c->ref, letter_name(k));
	filename = msg_safe_filename(detail);
	g_free(detail);
	memset(&p, 0, sizeof(p));
	p.case_id = c->id;
	p.letter = (char *)(k == LETTER_ACK ? "ack" : letter_name(k));
	p.recipient = recipient;
	p.registered = registered;
	p.created_at = now;
	ok = keep_letter(st, s, c, subject, body, recipient, file, filename,
	    "application/pdf", now, &message, err);
	p.message = message;
	ok = ok && store_post_add(st, &p, &id, err);
	detail = g_strdup_printf("%s on paper%s to %s: %s, to post",
	    p.letter, registered ? " (registered, with receipt)" : "",
	    recipient, filename);
	ok = ok && store_event_add(st, c->id, now, "recoursd", "post", detail,
	    err);
	g_free(detail);
	p.letter = (char *)letter_name(k);
	ok = ok && post_tell_posters(st, s, k, c, &p, NULL, now, err);
	detail = post_timer_name(TIMER_LETTER, id);
	ok = ok && store_timer_add(st, c->id, detail, "remind", post_after(s, now,
	    &s->conf->post.remind_every), err);
	g_free(detail);
out:
	if (file != NULL)
		g_bytes_unref(file);
	g_ptr_array_unref(lines);
	g_date_time_unref(day);
	g_date_time_unref(u);
	g_free(filename);
	g_free(recipient);
	g_free(sender);
	g_free(sign);
	g_free(subject);
	g_free(body);
	return ok;
}

gboolean
post_route(struct store *st, const struct setup *s, enum letter_kind k,
    const struct store_case *c, const struct tpl_vars *v, int64_t now,
    gboolean *done, GError **err)
{
	char	*address = NULL;
	gboolean registered, ok;

	*done = FALSE;
	if (!wanted(st, s, k, c, now, &address, &registered, err))
		return err == NULL || *err == NULL;
	ok = post_letter(st, s, k, c, v, c->complainant_name, address,
	    registered, now, err);
	*done = ok;
	g_free(address);
	return ok;
}

/* Commands. */

void
post_split_person(const char *text, char **name, char **addr)
{
	GMatchInfo *mi = NULL;

	*name = *addr = NULL;
	if (g_regex_match_simple("^[^\\s<>@]+@[^\\s<>@]+$", text, 0, 0)) {
		*addr = g_strdup(text);
		return;
	}
	if (g_regex_match_simple("<[^<>]*>\\s*$", text, 0, 0)) {
		GRegex	*re = g_regex_new("^(.*?)\\s*<([^<>]*)>\\s*$", 0, 0,
		    NULL);

		if (g_regex_match(re, text, 0, &mi)) {
			*name = g_match_info_fetch(mi, 1);
			*addr = g_match_info_fetch(mi, 2);
		}
		g_match_info_free(mi);
		g_regex_unref(re);
	} else
		*name = g_strdup(text);
	if (*name != NULL && *g_strstrip(*name) == '\0')
		g_clear_pointer(name, g_free);
	if (*addr != NULL && *g_strstrip(*addr) == '\0')
		g_clear_pointer(addr, g_free);
}

/* The other party's postal address (#adresse-partie, the last); NULL. */
static char *
party_address(struct store *st, int64_t case_id, GError **err)
{
	return store_case_last_detail(st, case_id, "adresse-partie", err);
}

gboolean
post_party(struct store *st, const struct setup *s, enum letter_kind k,
    const struct store_case *c, const struct tpl_vars *v, int64_t now,
    gboolean *done, GError **err)
{
	const struct rules_type *t = rules_type(s->rules, c->type);
	char	*address;
	gboolean ok = TRUE;

	*done = FALSE;
	if (t == NULL || !listed(t->paper, k))
		return TRUE;
	if ((address = party_address(st, c->id, err)) == NULL)
		return err == NULL || *err == NULL;
	ok = post_letter(st, s, k, c, v, NULL, address, listed(t->registered,
	    k), now, err);
	*done = ok;
	g_free(address);
	return ok;
}

gboolean
post_or_mail(struct store *st, const struct setup *s, enum letter_kind k,
    const struct store_case *c, const struct tpl_vars *v,
    const char *auto_submitted, int64_t now, GError **err)
{
	gboolean done;

	if (!post_route(st, s, k, c, v, now, &done, err))
		return FALSE;
	return done || letter_to_complainant(st, s, k, c, v, auto_submitted,
	    now, err);
}

int64_t
post_ack_sent(struct store *st, int64_t case_id, GError **err)
{
	int64_t	 mail, paper;

	if ((mail = store_outbox_first_sent(st, case_id, "ack", err)) < 0 ||
	    (paper = store_post_first_posted(st, case_id, "ack", err)) < 0)
		return -1;
	if (mail == 0 || paper == 0)
		return MAX(mail, paper);
	return MIN(mail, paper);
}
