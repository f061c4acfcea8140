/*
 * staff.c: see staff.h.  A staff reply's path: who sent it, whether it
 * is proven theirs, its commands checked and run (staff_exec.c), then the
 * letter they call for or the reply relayed, and the receipt.
 */
#include "config.h"

#include <string.h>

#include "letter.h"
#include "log.h"
#include "staff_int.h"
#include "staff_text.h"

static gboolean	 outsider(struct store *, const struct store_case *,
		    const struct msg *, GPtrArray *, int64_t, GError **);
static gboolean	 commands(struct store *, const struct setup *,
		    const struct store_case *, const struct conf_staff *,
		    const struct msg *, GPtrArray *, const char *, int64_t,
		    GError **);
static gboolean	 answer(struct staff_run *, const struct store_case *,
		    const struct msg *, const char *, GError **);

/* Commands from outside are not run; the message stays. */
static gboolean
outsider(struct store *st, const struct store_case *c, const struct msg *m,
    GPtrArray *cmds, int64_t now, GError **err)
{
	if (cmds->len == 0)
		return TRUE;
	log_warnx("security: %s: commands from %s, not a staff address: "
	    "ignored", c->ref, m->from.addr != NULL ? m->from.addr : "?");
	return store_event_add(st, c->id, now, "recoursd", "commands-refused",
	    "commands from an address that is not staff: ignored", err);
}

/*
 * What the commands call for, once run: their letter, with the reply's
 * text unless under #note, or else the reply relayed as it is.
 */
static gboolean
answer(struct staff_run *r, const struct store_case *c, const struct msg *m,
    const char *rest, GError **err)
{
	char	*text = staff_strip_quotes_with(rest,
	    r->s->conf->quote_separators), *t;
	gboolean ok = TRUE;

	if (r->letter != STAFF_NO_LETTER) {
		/* Under #note, the rest of the reply stays internal. */
		t = g_strconcat(r->to_complainant->str, r->note ? "" : text,
		    NULL);
		ok = staff_send_letter(r, c->id, g_strstrip(t), err);
		g_string_append_printf(r->receipt, "Le courrier « %s » a été "
		    "envoyé au plaignant.\n", letter_name(r->letter));
		g_free(t);
	} else if (!r->note && *text != '\0') {
		ok = staff_relay(r->st, r->s, c, r->who, m, text, r->now, err);
		g_string_append(r->receipt, "Votre réponse a été transmise au "
		    "plaignant.\n");
	}
	g_free(text);
	return ok;
}

/* A proven staff reply: its commands, what they call for, the receipt. */
static gboolean
commands(struct store *st, const struct setup *s, const struct store_case *c,
    const struct conf_staff *who, const struct msg *m, GPtrArray *cmds,
    const char *rest, int64_t now, GError **err)
{
	struct staff_check k = { .st = st, .s = s, .c = c, .type = rules_type(
	    s->rules, c->type), .who = who, .now = now,
	    .given = g_ptr_array_new() };
	struct staff_run r = { .st = st, .s = s, .who = who, .now = now,
	    .receipt = g_string_new(NULL), .letter = STAFF_NO_LETTER,
	    .to_complainant = g_string_new(NULL) };
	char	*actor = g_strdup_printf("staff <%s>", who->address);
	gboolean ok = TRUE;

	r.actor = actor;
	if (staff_check_all(&k, cmds, r.receipt, err))
		ok = staff_run_all(&r, cmds, c->id, err) &&
		    answer(&r, c, m, rest, err);
	ok = ok && staff_send_receipt(st, s, c, who->address, m->message_id,
	    r.receipt->str, now, err);
	g_ptr_array_unref(k.given);
	g_string_free(r.receipt, TRUE);
	g_string_free(r.to_complainant, TRUE);
	g_free(r.missing);
	g_free(actor);
	return ok;
}

gboolean
staff_reply(struct store *st, const struct setup *s,
    const struct case_decision *d, const struct msg *m, int64_t now,
    gboolean *handled, GError **err)
{
	const struct conf_staff *who = conf_staff(s->conf, m->from.addr);
	struct store_case c;
	GPtrArray	*cmds;
	char		*rest;
	enum staff_auth	 v;
	gboolean	 ok;

	*handled = FALSE;
	if (d->action != CASE_JOIN || !store_case_by_id(st, d->existing.id, &c,
	    err))
		return err == NULL || *err == NULL;
	staff_split(m->body, &cmds, &rest);
	if (who == NULL)
		ok = outsider(st, &c, m, cmds, now, err);
	else {
		*handled = TRUE;
		staff_cmd_unbracket(cmds);
		if ((v = staff_authenticate(s->conf, m, c.ref, now)) !=
		    STAFF_AUTH_OK)
			ok = staff_refuse(st, s, &c, who->address, m, v, now,
			    err);
		else
			ok = commands(st, s, &c, who, m, cmds, rest, now, err);
	}
	g_ptr_array_unref(cmds);
	g_free(rest);
	store_case_clear(&c);
	return ok;
}
