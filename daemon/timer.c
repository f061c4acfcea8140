/*
 * timer.c: see timer.h.
 */
#include "config.h"

#include <string.h>

#include "case.h"
#include "letter.h"
#include "log.h"
#include "notify.h"
#include "post.h"
#include "timer.h"

#define LATE	300	/* seconds: a timer fired later is "late" */

static const struct rules_deadline *deadline_of(const struct setup *,
		    const struct store_case *, const char *);
static gboolean	 fire_one(struct store *, const struct setup *,
		    const struct store_timer *, int64_t, gboolean *, GError **);
static gboolean	 fire_due(struct store *, const struct setup *,
		    const struct store_timer *, const struct store_case *,
		    const struct rules_deadline *, int64_t, gboolean *,
		    GError **);
static gboolean	 fire_notice(struct store *, const struct setup *,
		    const struct store_timer *, const struct store_case *,
		    const struct rules_deadline *, int64_t, gboolean *,
		    GError **);
static gboolean	 fire_remind(struct store *, const struct setup *,
		    const struct store_timer *, const struct store_case *,
		    const struct rules_deadline *, int64_t, gboolean *,
		    GError **);
static int64_t	 reached(struct store *, int64_t, const char *, GError **);
static char	*when(const struct setup *, int64_t);
static int64_t	 opening(const struct setup *, int64_t);
static gboolean	 schedule_one(struct store *, const struct setup *, int64_t,
		    const struct rules_deadline *, int64_t, int64_t, GError **);
static gboolean	 staff_letter(struct store *, const struct setup *,
		    enum letter_kind, const struct store_case *,
		    const struct rules_deadline *, int64_t, const char *, int64_t,
		    gboolean *, GError **);

/*
 * Staff reminders wait for the next opening time (calendar.opening_hours);
 * what the complainant is owed never moves.
 */
static int64_t
opening(const struct setup *s, int64_t at)
{
	GDateTime	*t, *o;
	int64_t		 r;

	if (s->conf->open_from == 0 && s->conf->open_until == 24 * 60)
		return at;	/* no opening hours configured */
	t = g_date_time_new_from_unix_utc(at);
	o = cal_next_open(s->cal, t, s->conf->open_from, s->conf->open_until);
	r = g_date_time_to_unix(o);

	g_date_time_unref(o);
	g_date_time_unref(t);
	return r;
}

GDateTime *
timer_due(const struct setup *s, const struct rules_deadline *dl,
    int64_t start)
{
	GDateTime	*t = g_date_time_new_from_unix_utc(start);
	GDateTime	*due = cal_due(s->cal, t, &dl->within, NULL);

	g_date_time_unref(t);
	return due;
}

gboolean
timer_schedule(struct store *st, const struct setup *s, int64_t case_id,
    const struct rules_type *t, int64_t start, GError **err)
{
	guint	 i;

	for (i = 0; i < t->deadlines->len; i++) {
		const struct rules_deadline *dl = g_ptr_array_index(t->deadlines,
		    i);

		if (dl->starts_with == NULL && dl->applies_with == NULL &&
		    !schedule_one(st, s, case_id, dl, start, start, err))
			return FALSE;
	}
	return TRUE;
}

/* One deadline's timer, and its reminder when that is still ahead. */
static gboolean
schedule_one(struct store *st, const struct setup *s, int64_t case_id,
    const struct rules_deadline *dl, int64_t start, int64_t now, GError **err)
{
	GDateTime *due = timer_due(s, dl, start);
	int64_t	 at = g_date_time_to_unix(due), before;
	gboolean ok;

	g_date_time_unref(due);
	ok = store_timer_add(st, case_id, dl->name, "due", at, err);
	if (ok && dl->has_remind) {
		before = (int64_t)dl->remind_before.count *
		    (dl->remind_before.unit == CAL_HOURS ? 3600 :
		    dl->remind_before.unit == CAL_WEEKS ? 7 * 86400 : 86400);
		if (at - before > now)
			ok = store_timer_add(st, case_id, dl->name, "remind",
			    opening(s, at - before), err);
	}
	return ok;
}

gboolean
timer_command(struct store *st, const struct setup *s,
    const struct store_case *c, const struct rules_type *t,
    const char *command, const char *state, int64_t now, GError **err)
{
	char	*hashed = g_strconcat("#", command, NULL), *detail;
	gboolean ok = TRUE, changed;
	guint	 i;

	for (i = 0; ok && i < t->deadlines->len; i++) {
		const struct rules_deadline *dl = g_ptr_array_index(t->deadlines,
		    i);

		if (g_strcmp0(dl->starts_with, hashed) == 0)
			ok = schedule_one(st, s, c->id, dl, now, now, err);
		else if (g_strcmp0(dl->applies_with, hashed) == 0)
			ok = schedule_one(st, s, c->id, dl, c->opened_at, now,
			    err);
		else if (dl->cancelled_by != NULL &&
		    (strcmp(dl->cancelled_by, hashed) == 0 ||
		    g_strcmp0(dl->cancelled_by, state) == 0)) {
			ok = store_timer_cancel_deadline(st, c->id, dl->name,
			    now, &changed, err);
			if (!ok || !changed)
				continue;
			detail = g_strdup_printf("%s: no longer applies (%s)",
			    dl->name, dl->cancelled_by);
			ok = store_event_add(st, c->id, now, "recoursd",
			    "deadline-cancelled", detail, err);
			g_free(detail);
		}
	}
	g_free(hashed);
	return ok;
}

gboolean
timer_restart(struct store *st, const struct setup *s, int64_t case_id,
    const struct rules_type *t, int64_t now, GError **err)
{
	if (t == NULL || t->deadlines->len == 0)
		return TRUE;
	return timer_schedule(st, s, case_id, t, now, err) &&
	    store_event_add(st, case_id, now, "recoursd", "deadlines-restarted",
	    "the case is complete: its deadlines count from now", err);
}

int64_t
timer_next(struct store *st)
{
	return store_timer_next(st);
}

/* "lundi 7 décembre 2026 à 00:00" in the calendar's zone; caller frees. */
static char *
when(const struct setup *s, int64_t at)
{
	GDateTime	*u = g_date_time_new_from_unix_utc(at);
	GDateTime	*l = g_date_time_to_timezone(u, cal_zone(s->cal));
	char		*text = g_date_time_format(l, "%Y-%m-%d %H:%M");

	g_date_time_unref(u);
	g_date_time_unref(l);
	return text;
}

static const struct rules_deadline *
deadline_of(const struct setup *s, const struct store_case *c,
    const char *name)
{
	const struct rules_type *t = rules_type(s->rules, c->type);
	guint	 i;

	for (i = 0; t != NULL && i < t->deadlines->len; i++) {
		const struct rules_deadline *dl = g_ptr_array_index(t->deadlines,
		    i);

		if (strcmp(dl->name, name) == 0)
			return dl;
	}
	return NULL;
}

/*
 * A reminder or an escalation about deadline dl, due at due_at, from its
 * template, to the type's notify or escalate_to address (NULL: admin).
 */
static gboolean
staff_letter(struct store *st, const struct setup *s, enum letter_kind kind,
    const struct store_case *c, const struct rules_deadline *dl,
    int64_t due_at, const char *to, int64_t now, gboolean *queued,
    GError **err)
{
	const char	*lang = s->conf->language;
	struct tpl_vars	*v;
	char		*due, *subject = NULL, *body = NULL;
	gboolean	 ok;

	if ((v = letter_vars(st, s, c, lang, err)) == NULL)
		return FALSE;
	due = letter_date(s, due_at, lang);
	tpl_vars_set(v, "deadline.name", dl->name);
	tpl_vars_set(v, "deadline.due", due);
	ok = letter_render(s, kind, NULL, lang, v, &subject, &body, err) &&
	    notify_staff(st, s->conf, letter_name(kind), c->id, c->ref, to,
	    subject, body, now, queued, err);
	tpl_vars_free(v);
	g_free(due);
	g_free(subject);
	g_free(body);
	return ok;
}

/*
 * When the case first reached a deadline's met_by: its acknowledgement
 * sent ("ack", the outbox kind ack.c queues), a staff command given
 * ("#name": the event it records), or a state.
 */
static int64_t
reached(struct store *st, int64_t case_id, const char *met_by, GError **err)
{
	if (strcmp(met_by, "ack") == 0)
		return post_ack_sent(st, case_id, err);
	if (met_by[0] == '#')
		return store_event_first(st, case_id, met_by + 1, err);
	return case_entered(st, case_id, met_by, err);
}

/*
 * Why a timer fires past its time, for its event: a case entered after
 * the fact (a letter received days ago, #recu-le) was recorded after its
 * deadline fell due; otherwise recoursd was down.  "" when on time.
 */
static const char *
late_reason(struct store *st, const struct store_timer *t, int64_t now)
{
	int64_t	 recorded;

	if (now - t->due_at <= LATE)
		return "";
	recorded = store_event_first(st, t->case_id, "opened", NULL);
	if (recorded > t->due_at)
		return "; checked late: it fell due before the case was entered";
	return "; checked late: recoursd was not running when it fell due";
}

/* At its due time: met or missed, from the record; a miss escalates. */
static gboolean
fire_due(struct store *st, const struct setup *s, const struct store_timer *t,
    const struct store_case *c, const struct rules_deadline *dl, int64_t now,
    gboolean *queued, GError **err)
{
	const struct rules_type *type = rules_type(s->rules, c->type);
	int64_t	 at = reached(st, c->id, dl->met_by, err);
	gboolean met = at > 0 && at <= t->due_at, changed;
	char	*due = when(s, t->due_at), *detail;
	gboolean ok;

	if (at < 0 || !store_timer_set(st, t->id, met ? "met" : "missed",
	    now, &changed, err)) {
		g_free(due);
		return FALSE;
	}
	if (!changed) {
		g_free(due);
		return TRUE;	/* fired already: never twice */
	}
	detail = g_strdup_printf("%s: %s (due %s)%s", dl->name, met ? "met" :
	    "MISSED", due, late_reason(st, t, now));
	ok = store_event_add(st, c->id, now, "recoursd", met ? "deadline-met" :
	    "deadline-missed", detail, err);
	g_free(detail);
	g_free(due);
	if (ok && !met && dl->escalate)
		ok = staff_letter(st, s, LETTER_ESCALATION, c, dl, t->due_at,
		    type != NULL ? type->escalate_to : NULL, now, queued, err);
	return ok;
}

/*
 * A progress notice: the complainant is told the case is being handled,
 * unless it no longer needs to be (met_by reached, or the case closed).
 */
static gboolean
fire_notice(struct store *st, const struct setup *s,
    const struct store_timer *t, const struct store_case *c,
    const struct rules_deadline *dl, int64_t now, gboolean *queued,
    GError **err)
{
	int64_t	 at = reached(st, c->id, dl->met_by, err);
	gboolean skip = at > 0 || strcmp(c->state, "closed") == 0, changed;
	struct tpl_vars *v;
	char	*due;
	gboolean ok;

	if (at < 0 || !store_timer_set(st, t->id, skip ? "cancelled" :
	    "sent", now, &changed, err))
		return FALSE;
	if (skip || !changed)
		return TRUE;
	if ((v = letter_vars(st, s, c, c->lang, err)) == NULL)
		return FALSE;
	due = letter_date(s, t->due_at, c->lang);
	tpl_vars_set(v, "deadline.name", dl->name);
	tpl_vars_set(v, "deadline.due", due);
	ok = store_event_add(st, c->id, now, "recoursd", "notice", dl->name,
	    err) && post_or_mail(st, s, LETTER_PROGRESS, c, v, NULL,
	    now, err);
	*queued = ok && s->conf->has_smtp;
	tpl_vars_free(v);
	g_free(due);
	return ok;
}

/* Before the due time: remind staff, unless it is met or the case closed. */
static gboolean
fire_remind(struct store *st, const struct setup *s,
    const struct store_timer *t, const struct store_case *c,
    const struct rules_deadline *dl, int64_t now, gboolean *queued,
    GError **err)
{
	const struct rules_type *type = rules_type(s->rules, c->type);
	int64_t	 at = reached(st, c->id, dl->met_by, err);
	gboolean skip = at > 0 || strcmp(c->state, "closed") == 0, changed;
	int64_t	 due_at = 0;
	GArray	*timers;
	guint	 i;

	if (at < 0 || !store_timer_set(st, t->id, skip ? "cancelled" :
	    "sent", now, &changed, err))
		return FALSE;
	if (skip || !changed)
		return TRUE;
	if ((timers = store_case_timers(st, c->id, err)) == NULL)
		return FALSE;
	for (i = 0; due_at == 0 && i < timers->len; i++) {
		const struct store_timer *o = &g_array_index(timers,
		    struct store_timer, i);

		if (strcmp(o->deadline, dl->name) == 0 &&
		    strcmp(o->kind, "due") == 0)
			due_at = o->due_at;
	}
	g_array_unref(timers);
	return store_event_add(st, c->id, now, "recoursd", "reminder", dl->name,
	    err) && staff_letter(st, s, LETTER_REMINDER, c, dl, due_at,
	    type != NULL ? type->notify : NULL, now, queued, err);
}

static gboolean
fire_one(struct store *st, const struct setup *s, const struct store_timer *t,
    int64_t now, gboolean *queued, GError **err)
{
	const struct rules_deadline *dl;
	struct store_case c;
	gboolean	 ok, changed;

	if (!store_case_by_id(st, t->case_id, &c, err))
		return err == NULL || *err == NULL;
	if (post_is_timer(t->deadline))
		ok = post_fire(st, s, t, &c, now, queued, err);
	else if ((dl = deadline_of(s, &c, t->deadline)) == NULL)
		/* The rules no longer have it: the timer is void. */
		ok = store_timer_set(st, t->id, "cancelled", now, &changed, err);
	else if (strcmp(t->kind, "due") == 0 && dl->notice)
		ok = fire_notice(st, s, t, &c, dl, now, queued, err);
	else if (strcmp(t->kind, "due") == 0)
		ok = fire_due(st, s, t, &c, dl, now, queued, err);
	else
		ok = fire_remind(st, s, t, &c, dl, now, queued, err);
	store_case_clear(&c);
	return ok;
}

/*
 * A timer that could not fire is retried after 1, 2, 4... minutes (an
 * hour at most), TIMER_TRIES times in all; then it is failed and staff
 * are told.  It never holds up the timers after it.
 */
#define TIMER_TRIES	6

static int64_t
retry_delay(int attempts)
{
	return MIN((int64_t)60 << MIN(attempts, 6), 3600);
}

/* Staff are told a timer will not fire: the case's notify, or admin. */
static gboolean
tell_failed(struct store *st, const struct setup *s,
    const struct store_timer *t, const char *why, int64_t now, GError **err)
{
	const struct rules_type *type = NULL;
	struct store_case c;
	gboolean	 has_case, queued, ok;
	char		*detail, *subject, *body;

	has_case = store_case_by_id(st, t->case_id, &c, NULL);
	if (has_case)
		type = rules_type(s->rules, c.type);
	detail = g_strdup_printf("%s: the %s timer could not fire after %d "
	    "attempt(s): %s", t->deadline, t->kind, t->attempts + 1, why);
	ok = !has_case || store_event_add(st, c.id, now, "recoursd",
	    "timer-failed", detail, err);
	subject = g_strdup_printf("[%s] Échéance non traitée : %s",
	    has_case ? c.ref : "?", t->deadline);
	body = g_strdup_printf("recoursd n'a pas pu traiter l'échéance « %s » "
	    "du dossier %s.\n\nMotif : %s\n\nVérifiez le dossier et traitez "
	    "cette échéance à la main.\n", t->deadline, has_case ? c.ref : "?",
	    why);
	ok = ok && notify_queue(st, s->conf, "timer-failed", t->case_id,
	    type != NULL ? type->notify : NULL, subject, body, now, &queued,
	    err);
	g_free(detail);
	g_free(subject);
	g_free(body);
	if (has_case)
		store_case_clear(&c);
	return ok;
}

/*
 * t failed to fire with why (its transaction rolled back): retry it
 * later, or give up and tell staff; in a transaction of its own.
 */
static gboolean
set_aside(struct store *st, const struct setup *s,
    const struct store_timer *t, const char *why, int64_t now,
    gboolean *queued, GError **err)
{
	gboolean	 last = t->attempts + 1 >= TIMER_TRIES, ok;

	if (!store_begin(st, err))
		return FALSE;
	if (last)
		ok = store_timer_fail(st, t->id, now, why, err) &&
		    tell_failed(st, s, t, why, now, err);
	else
		ok = store_timer_retry(st, t->id, now +
		    retry_delay(t->attempts), why, err);
	if (!ok || !store_commit(st, err)) {
		store_rollback(st);
		return FALSE;
	}
	*queued = *queued || last;
	log_warnx("timer: case %" G_GINT64_FORMAT ": %s %s: %s%s",
	    t->case_id, t->deadline, t->kind, why, last ? "; given up, staff "
	    "told" : "; will retry");
	return TRUE;
}

int
timer_fire(struct store *st, const struct setup *s, int64_t now,
    gboolean *queued, GError **err)
{
	GArray	*due;
	guint	 i;
	int	 n = 0;

	*queued = FALSE;
	if ((due = store_timers_due(st, now, 100, err)) == NULL)
		return -1;
	for (i = 0; i < due->len; i++) {
		const struct store_timer *t = &g_array_index(due,
		    struct store_timer, i);
		GError	*e = NULL;
		gboolean q = FALSE;

		if (store_begin(st, &e) && fire_one(st, s, t, now, &q, &e) &&
		    store_commit(st, &e)) {
			*queued = *queued || q;
			n++;
			continue;
		}
		store_rollback(st);
		if (e == NULL)
			g_set_error(&e, STORE_ERROR, STORE_ERROR_SQL,
			    "failed without a reason");
		/* The disk or the lock, not this timer: try all later. */
		if (store_error_transient(e) ||
		    !set_aside(st, s, t, e->message, now, queued, err)) {
			if (err != NULL && *err == NULL)
				g_propagate_error(err, e);
			else
				g_clear_error(&e);
			n = -1;
			break;
		}
		g_error_free(e);
	}
	g_array_unref(due);
	return n;
}
