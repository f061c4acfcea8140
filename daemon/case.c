/*
 * case.c: see case.h.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "autoreply.h"
#include "case.h"
#include "classify.h"

static char	*subaddress_ref(const struct msg *);
static gboolean	 find_case(struct store *, const struct rules *,
		    const struct msg *, struct case_decision *, GError **);
static GPtrArray *missing_fields(const struct rules_type *, const char *);
static gboolean	 asked_by_rules(const struct rules_type *, const char *);
static char	*message_text(const struct msg *);
static void	 check_admissibility(const struct cal *,
		    const struct rules_type *, const char *, int64_t,
		    struct case_decision *);
static void	 decide_join(struct store *, const struct rules *,
		    const struct msg *, struct case_decision *, GError **);
static gboolean	 sender_of(struct store *, const struct conf *,
		    const struct msg *, struct case_decision *, GError **);
static int	 is_party(struct store *, int64_t, const char *, GError **);
static gboolean	 same_address(const char *, const char *);
static char	*join_labels(GPtrArray *);
static int	 year_in(const struct cal *, int64_t);
static char	*actor_of(const struct msg *, const struct case_decision *);
static const char *join_kind(const struct case_decision *);
static char	*join_detail(const struct case_decision *, const char *);
static gboolean	 apply_open(struct store *, struct case_decision *,
		    const struct msg *, int64_t, const char *, int64_t, GError **);
static gboolean	 apply_join(struct store *, struct case_decision *,
		    const struct msg *, int64_t, const char *, int64_t, GError **);

void
case_decision_clear(struct case_decision *d)
{
	store_case_clear(&d->existing);
	g_free(d->joined_by);
	if (d->missing != NULL)
		g_ptr_array_unref(d->missing);
	g_free(d->admissibility);
	memset(d, 0, sizeof(*d));
}

static char *
message_text(const struct msg *m)
{
	return g_strdup_printf("%s\n%s", m->subject, m->body);
}

/* Labels of the type's required fields that text does not contain. */
static GPtrArray *
missing_fields(const struct rules_type *t, const char *text)
{
	GPtrArray	*missing = g_ptr_array_new_with_free_func(g_free);
	guint		 i;

	for (i = 0; i < t->fields->len; i++) {
		const struct rules_field *f = g_ptr_array_index(t->fields, i);

		if (!g_regex_match(f->pattern, text, 0, NULL))
			g_ptr_array_add(missing, g_strdup(f->label));
	}
	return missing;
}

/*
 * An appeal must be lodged within the type's window after the decision
 * was notified; the date comes from the message when the rules give a
 * pattern.  Out of time is flagged for staff, never silently refused.
 */
static void
check_admissibility(const struct cal *cal, const struct rules_type *t,
    const char *text, int64_t received_at, struct case_decision *d)
{
	GMatchInfo	*mi = NULL;
	GDateTime	*notified = NULL, *due, *received;
	char		*date = NULL, *iso, *due_text;
	unsigned	 dd, mm, yy;

	if (!t->has_admissibility)
		return;
	d->admissibility_checked = TRUE;
	if (t->admissibility.date_pattern != NULL &&
	    g_regex_match(t->admissibility.date_pattern, text, 0, &mi))
		date = g_match_info_fetch(mi, 1);
	g_match_info_free(mi);
	if (date != NULL && sscanf(date, "%u/%u/%u", &dd, &mm, &yy) == 3 &&
	    g_date_valid_dmy((GDateDay)dd, (GDateMonth)mm, (GDateYear)yy)) {
		iso = g_strdup_printf("%04u-%02u-%02u", yy, mm, dd);
		notified = cal_parse_instant(cal, iso, NULL);
		g_free(iso);
	}
	if (notified == NULL) {
		d->admissibility = g_strdup("decision date not found in the "
		    "message: staff to give it (#notification-decision DATE)");
		g_free(date);
		return;
	}
	due = cal_due(cal, notified, &t->admissibility.within, NULL);
	received = g_date_time_new_from_unix_utc(received_at);
	d->out_of_time = g_date_time_compare(received, due) >= 0;
	due_text = cal_format(due);
	d->admissibility = g_strdup_printf("decision notified %s: lodged %s "
	    "the limit %s", date, d->out_of_time ? "AFTER" : "before",
	    due_text);
	g_free(due_text);
	g_free(date);
	g_date_time_unref(received);
	g_date_time_unref(due);
	g_date_time_unref(notified);
}

/*
 * The case this message belongs to, if any: same message delivered
 * again, a reference in the subject, our Message-IDs in the threading
 * headers (newest first).
 */
static gboolean
find_case(struct store *st, const struct rules *r, const struct msg *m,
    struct case_decision *d, GError **err)
{
	char	*ref;
	int64_t	 id;
	guint	 i;

	if ((id = store_case_by_message_id(st, m->message_id, err)) < 0)
		return FALSE;
	if (id > 0) {
		d->action = CASE_ALREADY;
		d->joined_by = g_strdup("the same message is already in it "
		    "(delivered to another mailbox)");
		return store_case_by_id(st, id, &d->existing, err);
	}
	if ((ref = classify_find_ref(r, m->subject)) != NULL &&
	    store_case_by_ref(st, ref, &d->existing, err)) {
		d->action = CASE_JOIN;
		d->joined_by = g_strdup_printf("reference %s in the subject", ref);
		g_free(ref);
		return TRUE;
	}
	g_free(ref);
	id = store_case_by_message_id(st, m->in_reply_to, err);
	for (i = m->references->len; id == 0 && i > 0; i--)
		id = store_case_by_message_id(st,
		    g_ptr_array_index(m->references, i - 1), err);
	if (id < 0)
		return FALSE;
	if (id > 0) {
		d->action = CASE_JOIN;
		d->joined_by = g_strdup("it answers a message of the case "
		    "(In-Reply-To/References)");
		return store_case_by_id(st, id, &d->existing, err);
	}
	if ((ref = subaddress_ref(m)) != NULL &&
	    store_case_by_ref(st, ref, &d->existing, err)) {
		d->action = CASE_JOIN;
		d->joined_by = g_strdup_printf("sent to the reply address of %s",
		    ref);
		g_free(ref);
		return TRUE;
	}
	g_free(ref);
	if (err != NULL && *err != NULL)
		return FALSE;
	d->action = CASE_OPEN;
	return TRUE;
}

/*
 * The case named by a recipient "local+n.REF.TOKEN@domain" (the Reply-To
 * of a notification with reply_subaddress); caller frees, NULL if none.
 * Only the case: whether its sender is staff is staff.c's business.
 */
static char *
subaddress_ref(const struct msg *m)
{
	static const char *const fields[] = { "To", "Cc", "Delivered-To" };
	static GRegex	*re;		/* every new message comes here */
	GMatchInfo	*mi;
	char		*ref = NULL;
	size_t		 k;
	guint		 i;

	if (g_once_init_enter(&re))
		g_once_init_leave(&re, g_regex_new("\\+n\\.([A-Z]{2,6}-[0-9]{4}-"
		    "[0-9]{4,})\\.[0-9a-f.]+@", G_REGEX_CASELESS | G_REGEX_OPTIMIZE,
		    0, NULL));
	for (k = 0; ref == NULL && k < G_N_ELEMENTS(fields); k++) {
		GPtrArray *values = msg_header_all(m, fields[k]);

		for (i = 0; ref == NULL && i < values->len; i++) {
			if (g_regex_match(re, g_ptr_array_index(values, i), 0,
			    &mi)) {
				char	*found = g_match_info_fetch(mi, 1);

				ref = g_ascii_strup(found, -1);
				g_free(found);
			}
			g_match_info_free(mi);
		}
		g_ptr_array_unref(values);
	}
	return ref;
}

/*
 * Whether every missing item is a required field of t, which a message
 * can fill; what staff asked for with #incomplet only staff can judge
 * received (#complet).
 */
static gboolean
asked_by_rules(const struct rules_type *t, const char *missing)
{
	char	**labels = g_strsplit(missing != NULL ? missing : "", "\n", -1);
	gboolean ok = TRUE;
	guint	 i, k;

	for (i = 0; ok && labels[i] != NULL; i++) {
		if (*labels[i] == '\0')
			continue;
		ok = FALSE;
		for (k = 0; !ok && k < t->fields->len; k++)
			ok = strcmp(((struct rules_field *)g_ptr_array_index(
			    t->fields, k))->label, labels[i]) == 0;
	}
	g_strfreev(labels);
	return ok;
}

/* A message to an existing case: completion, closed-case policy. */
static void
decide_join(struct store *st, const struct rules *r, const struct msg *m,
    struct case_decision *d, GError **err)
{
	enum case_state	 cur = CASE_RECEIVED;
	char		*texts, *mine, *all;

	d->type = rules_type(r, d->existing.type);
	case_state_parse(d->existing.state, &cur);
	d->state = cur;
	if (d->type == NULL || !case_moves(d))
		return;		/* a type since removed, or kept as it is */
	if (cur == CASE_INCOMPLETE && asked_by_rules(d->type,
	    d->existing.missing)) {
		texts = store_case_texts(st, d->existing.id, err);
		mine = message_text(m);
		all = g_strconcat(texts != NULL ? texts : "", mine, NULL);
		d->missing = missing_fields(d->type, all);
		if (d->missing->len == 0) {
			d->completes = TRUE;
			d->state = CASE_RECEIVED;
			d->state_changes = TRUE;
		}
		g_free(texts);
		g_free(mine);
		g_free(all);
	} else if (cur == CASE_CLOSED) {
		switch (d->type->on_closed) {
		case RULES_REOPEN:
			d->state = CASE_REOPENED;
			d->state_changes = TRUE;
			break;
		case RULES_NEW_CASE:
			d->action = CASE_OPEN;	/* linked to d->existing */
			break;
		case RULES_ANSWER_CLOSED:
			d->closed_answer = TRUE;
			break;
		}
	}
}

/*
 * Staff first: a member of staff who is the complainant of a case too
 * still acts on it by commands only.
 */
static gboolean
sender_of(struct store *st, const struct conf *conf, const struct msg *m,
    struct case_decision *d, GError **err)
{
	const char	*from = m->from.addr;
	int		 party;

	if (from != NULL && conf_staff(conf, from) != NULL)
		d->sender = CASE_BY_STAFF;
	else if (same_address(from, d->existing.complainant_addr) ||
	    same_address(from, d->existing.reply_to))
		d->sender = CASE_BY_COMPLAINANT;
	else if ((party = is_party(st, d->existing.id, from, err)) < 0)
		return FALSE;
	else
		d->sender = party ? CASE_BY_PARTY : CASE_BY_THIRD_PARTY;
	return TRUE;
}

/* Addresses compare without case: users and their clients vary it. */
static gboolean
same_address(const char *a, const char *b)
{
	return a != NULL && b != NULL && g_ascii_strcasecmp(a, b) == 0;
}

/*
 * 1 when addr was recorded with #partie on the case (any of them, not
 * only the last), 0 when not, -1 on a store error.  The address is the
 * command's first word, as staff_check.c checks it.
 */
static int
is_party(struct store *st, int64_t case_id, const char *addr, GError **err)
{
	GArray	*events;
	int	 found = 0;
	guint	 i;

	if (addr == NULL)
		return 0;
	if ((events = store_case_events(st, case_id, err)) == NULL)
		return -1;
	for (i = 0; !found && i < events->len; i++) {
		const struct store_event *e = &g_array_index(events,
		    struct store_event, i);
		char	*party;

		if (strcmp(e->kind, "partie") != 0 || e->detail == NULL)
			continue;
		party = g_strndup(e->detail, strcspn(e->detail, " \t\n"));
		found = same_address(g_strstrip(g_strdelimit(party, "<>,;",
		    ' ')), addr);
		g_free(party);
	}
	g_array_unref(events);
	return found;
}

gboolean
case_moves(const struct case_decision *d)
{
	return d->automatic == NULL && (d->sender == CASE_BY_COMPLAINANT ||
	    d->sender == CASE_BY_PARTY);
}

const char *
case_sender_name(enum case_sender s)
{
	static const char *const names[] = {
		[CASE_BY_COMPLAINANT] = "complainant",
		[CASE_BY_PARTY] = "party",
		[CASE_BY_STAFF] = "staff",
		[CASE_BY_THIRD_PARTY] = "third party"
	};

	return names[s];
}

/*
 * The year at in the calendar's zone: a case opened at 00:30 on 1 January
 * in Paris is of the new year, whatever the machine's zone.
 */
static int
year_in(const struct cal *cal, int64_t at)
{
	GDateTime	*u = g_date_time_new_from_unix_utc(at);
	GDateTime	*l = g_date_time_to_timezone(u, cal_zone(cal));
	int		 y = g_date_time_get_year(l);

	g_date_time_unref(l);
	g_date_time_unref(u);
	return y;
}

gboolean
case_decide(struct store *st, const struct setup *s, const struct msg *m,
    const char *role, int64_t received_at, struct case_decision *d,
    GError **err)
{
	const struct rules *r = s->rules;
	struct classify_result c;
	char	*text;

	memset(d, 0, sizeof(*d));
	d->year = year_in(s->cal, received_at);
	d->automatic = autoreply_automatic(m);
	if (!find_case(st, r, m, d, err))
		return FALSE;
	if (d->action == CASE_OPEN && d->automatic != NULL) {
		d->action = CASE_NONE;
		return TRUE;
	}
	if (d->action != CASE_OPEN && !sender_of(st, s->conf, m, d, err))
		return FALSE;
	if (d->action == CASE_JOIN)
		decide_join(st, r, m, d, err);
	if (d->action != CASE_OPEN)
		return err == NULL || *err == NULL;
	if (d->existing.id != 0)	/* a new case linked to a closed one */
		d->type = rules_type(r, d->existing.type);
	else {
		classify_subject(r, m->subject, role, &c);
		d->type = c.type != NULL ? c.type : r->triage;
		d->tag = c.tag;
		d->by_default = c.by_default;
	}
	if (d->type == NULL)
		d->type = r->triage;
	text = message_text(m);
	d->missing = missing_fields(d->type, text);
	d->state = d->missing->len > 0 ? CASE_INCOMPLETE : CASE_RECEIVED;
	check_admissibility(s->cal, d->type, text, received_at, d);
	g_free(text);
	return TRUE;
}

/* One label per line, or NULL when nothing is missing; caller frees. */
static char *
join_labels(GPtrArray *labels)
{
	GString	*s;
	guint	 i;

	if (labels == NULL || labels->len == 0)
		return NULL;
	s = g_string_new(NULL);
	for (i = 0; i < labels->len; i++)
		g_string_append_printf(s, "%s%s", i > 0 ? "\n" : "",
		    (const char *)g_ptr_array_index(labels, i));
	return g_string_free(s, FALSE);
}

/* Who an event of m names: its sender's role and address. */
static char *
actor_of(const struct msg *m, const struct case_decision *d)
{
	return g_strdup_printf("%s <%s>", d->automatic != NULL ?
	    "automatic mail" : case_sender_name(d->sender),
	    m->from.addr != NULL ? m->from.addr : "?");
}

static const char *
join_kind(const struct case_decision *d)
{
	if (d->action == CASE_ALREADY)
		return "duplicate";
	if (d->automatic != NULL)
		return "automatic";
	return d->sender == CASE_BY_THIRD_PARTY ? "third-party" : "message";
}

/* What the event of a message joining a case says; caller frees. */
static char *
join_detail(const struct case_decision *d, const char *mailbox)
{
	if (d->action == CASE_ALREADY)
		return g_strdup_printf("delivered again (mailbox %s): %s",
		    mailbox, d->joined_by);
	if (d->automatic != NULL)
		return g_strdup_printf("automatic mail: %s (mailbox %s): %s; "
		    "kept, the case does not move", d->automatic, mailbox,
		    d->joined_by);
	if (d->sender == CASE_BY_THIRD_PARTY)
		return g_strdup_printf("a third party's message, neither the "
		    "complainant nor a party (#partie) (mailbox %s): %s; "
		    "relayed to staff, the case does not move", mailbox,
		    d->joined_by);
	return g_strdup_printf("message (mailbox %s): %s", mailbox,
	    d->joined_by);
}

static gboolean
apply_open(struct store *st, struct case_decision *d, const struct msg *m,
    int64_t message_row, const char *mailbox, int64_t now, GError **err)
{
	struct store_case c;
	char		*actor = actor_of(m, d), *detail, *tag;
	int64_t		 linked = d->existing.id;
	gboolean	 ok;

	memset(&c, 0, sizeof(c));
	c.type = d->type->name;
	c.prefix = d->type->prefix;
	c.year = d->year;
	c.state = (char *)case_state_name(d->state);
	c.mailbox = (char *)mailbox;
	c.subject = m->subject;
	c.complainant_name = m->from.name;
	c.complainant_addr = m->from.addr;
	if (m->reply_to.addr != NULL && m->from.addr != NULL &&
	    g_ascii_strcasecmp(m->reply_to.addr, m->from.addr) != 0)
		c.reply_to = m->reply_to.addr;
	c.opened_at = now;
	c.linked_to = linked;
	c.missing = join_labels(d->missing);
	c.out_of_time = d->out_of_time;
	c.lang = (char *)d->lang;
	ok = store_case_open(st, &c, err) &&
	    store_message_set_case(st, message_row, c.id, err);
	if (d->tag != NULL) {
		detail = g_strstrip(g_strdup(d->tag));
		tag = g_strdup_printf("tag \"%s\"", detail);
		g_free(detail);
	} else
		tag = g_strdup(d->by_default ? "the mailbox's default type" :
		    "no tag: triage");
	detail = g_strdup_printf("%s opened (%s) from mailbox %s%s%s%s%s",
	    c.ref, tag, mailbox,
	    linked ? "; linked to the closed case " : "",
	    linked ? d->existing.ref : "", c.reply_to ? "; Reply-To " : "",
	    c.reply_to ? c.reply_to : "");
	ok = ok && store_event_add(st, c.id, now, actor, "opened", detail, err);
	g_free(detail);
	g_free(tag);
	if (ok && c.missing != NULL)
		ok = store_event_add(st, c.id, now, "recoursd", "incomplete",
		    c.missing, err);
	if (ok && d->admissibility != NULL)
		ok = store_event_add(st, c.id, now, "recoursd", d->out_of_time ?
		    "out-of-time" : "admissibility", d->admissibility, err);
	/* The decision now names the new case, for the caller and the log. */
	store_case_clear(&d->existing);
	d->existing.id = c.id;
	d->existing.ref = c.ref;
	g_free(c.missing);
	g_free(actor);
	return ok;
}

static gboolean
apply_join(struct store *st, struct case_decision *d, const struct msg *m,
    int64_t message_row, const char *mailbox, int64_t now, GError **err)
{
	char	*actor = actor_of(m, d), *detail, *missing;
	gboolean ok;

	ok = store_message_set_case(st, message_row, d->existing.id, err);
	detail = join_detail(d, mailbox);
	ok = ok && store_event_add(st, d->existing.id, now, actor, join_kind(d),
	    detail, err);
	g_free(detail);
	if (ok && d->closed_answer)
		ok = store_event_add(st, d->existing.id, now, "recoursd",
		    "closed-case-mail", "a message to a closed case: kept, "
		    "the case stays closed (rules: on_closed = answer)", err);
	if (ok && d->state_changes) {
		ok = store_case_set_state(st, d->existing.id,
		    case_state_name(d->state), now, err);
		detail = g_strdup_printf("%s -> %s", d->existing.state,
		    case_state_name(d->state));
		ok = ok && store_event_add(st, d->existing.id, now, "recoursd",
		    d->completes ? "complete" : "state", detail, err);
		g_free(detail);
	}
	if (ok && d->missing != NULL) {
		missing = join_labels(d->missing);
		ok = store_case_set_missing(st, d->existing.id, missing, err);
		g_free(missing);
	}
	g_free(actor);
	return ok;
}

/* Automatic mail stays automatic, in a case or not: status counts it. */
gboolean
case_apply(struct store *st, struct case_decision *d, const struct msg *m,
    int64_t message_row, const char *mailbox, int64_t now, GError **err)
{
	if (d->automatic != NULL && !store_message_set_automatic(st,
	    message_row, d->automatic, err))
		return FALSE;
	if (d->action == CASE_NONE)
		return TRUE;
	if (d->action == CASE_OPEN)
		return apply_open(st, d, m, message_row, mailbox, now, err);
	return apply_join(st, d, m, message_row, mailbox, now, err);
}
