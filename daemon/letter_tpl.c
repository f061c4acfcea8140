/*
 * letter_tpl.c: see letter_tpl.h.
 */
#include "config.h"

#include <string.h>

#include "letter_tpl.h"

/* What every letter about a case offers (letter_vars()). */
#define CASE_VARS							\
	{ "case.ref", TPL_SCALAR }, { "case.type", TPL_SCALAR },	\
	{ "case.state", TPL_SCALAR }, { "case.subject", TPL_SCALAR },	\
	{ "case.opened", TPL_SCALAR },					\
	{ "complainant.name", TPL_SCALAR },				\
	{ "complainant.address", TPL_SCALAR },				\
	{ "org.name", TPL_SCALAR }, { "deadline.response", TPL_SCALAR }
#define END	{ NULL, TPL_SCALAR }

static const struct tpl_decl ack_vars[] = {
	CASE_VARS, { "missing_fields", TPL_LIST }, END
};
static const struct tpl_decl info_vars[] = {
	CASE_VARS, { "missing_fields", TPL_LIST }, { "text", TPL_SCALAR },
	{ "staff.name", TPL_SCALAR }, END
};
static const struct tpl_decl text_vars[] = {
	CASE_VARS, { "text", TPL_SCALAR }, { "staff.name", TPL_SCALAR }, END
};
static const struct tpl_decl decision_vars[] = {
	CASE_VARS, { "text", TPL_SCALAR }, { "staff.name", TPL_SCALAR },
	{ "decision.outcome", TPL_SCALAR }, END
};
static const struct tpl_decl assigned_vars[] = {
	CASE_VARS, { "assigned_by", TPL_SCALAR }, { "text", TPL_SCALAR },
	{ "message.body", TPL_SCALAR }, END
};
static const struct tpl_decl approval_vars[] = {
	CASE_VARS, { "proposed_by", TPL_SCALAR }, { "text", TPL_SCALAR }, END
};
static const struct tpl_decl progress_vars[] = {
	CASE_VARS, { "deadline.name", TPL_SCALAR },
	{ "deadline.due", TPL_SCALAR }, END
};
static const struct tpl_decl overrun_vars[] = {
	CASE_VARS, { "deadline.name", TPL_SCALAR },
	{ "deadline.due", TPL_SCALAR }, { "text", TPL_SCALAR }, END
};
static const struct tpl_decl staff_vars[] = {
	CASE_VARS, { "message.from", TPL_SCALAR },
	{ "message.body", TPL_SCALAR }, { "attachments", TPL_LIST },
	{ "third_party", TPL_SCALAR },
	{ "admissibility", TPL_SCALAR }, { "out_of_time", TPL_SCALAR },
	{ "unreachable", TPL_SCALAR },
	{ "commands", TPL_LIST }, { "types", TPL_LIST }, END
};
static const struct tpl_decl deadline_vars[] = {
	CASE_VARS, { "deadline.name", TPL_SCALAR },
	{ "deadline.due", TPL_SCALAR }, END
};

static const struct {
	const char		*name;
	const struct tpl_decl	*schema;
} kinds[LETTER_NKINDS] = {
	[LETTER_ACK] = { "accuse-reception", ack_vars },
	[LETTER_INFO_REQUEST] = { "demande-complements", info_vars },
	[LETTER_COMPLEXITY] = { "avis-complexite", text_vars },
	[LETTER_PROGRESS] = { "avis-avancement", progress_vars },
	[LETTER_INADMISSIBLE] = { "irrecevabilite", text_vars },
	[LETTER_DECISION] = { "decision", decision_vars },
	[LETTER_OVERRUN] = { "depassement", overrun_vars },
	[LETTER_OUTCOME_PARTY] = { "decision-partie", decision_vars },
	[LETTER_TRANSMISSION] = { "transmission", text_vars },
	[LETTER_ASSIGNED] = { "attribution", assigned_vars },
	[LETTER_APPROVAL] = { "approbation", approval_vars },
	[LETTER_STAFF_NEW] = { "notification", staff_vars },
	[LETTER_STAFF_MESSAGE] = { "notification-message", staff_vars },
	[LETTER_TRIAGE] = { "triage", staff_vars },
	[LETTER_REMINDER] = { "rappel", deadline_vars },
	[LETTER_ESCALATION] = { "escalade", deadline_vars },
};

static const char *const langs[] = { "fr", "en" };

static void	 load_one(struct setup *, const char *, const char *,
		    const struct tpl_decl *, GString *);

const char *
letter_name(enum letter_kind k)
{
	return kinds[k].name;
}

const struct tpl_decl *
letter_schema(enum letter_kind k)
{
	return kinds[k].schema;
}

/*
 * templates/lang/name.txt, parsed and checked, under "lang/name"; the
 * French one must exist, others are optional.
 */
static void
load_one(struct setup *s, const char *lang, const char *name,
    const struct tpl_decl *schema, GString *errors)
{
	char		*key = g_strdup_printf("%s/%s", lang, name);
	char		*path = NULL;
	GError		*err = NULL;
	struct tpl	*tpl;

	/* A profile's own version, when it has one, else the shipped one. */
	if (s->conf->template_overrides != NULL) {
		path = g_strdup_printf("%s/%s.txt", s->conf->template_overrides,
		    key);
		if (!g_file_test(path, G_FILE_TEST_EXISTS))
			g_clear_pointer(&path, g_free);
	}
	if (path == NULL)
		path = g_strdup_printf("%s/%s.txt", s->conf->templates, key);
	if (g_hash_table_contains(s->templates, key) ||
	    (strcmp(lang, "fr") != 0 && !g_file_test(path, G_FILE_TEST_EXISTS))) {
		g_free(key);
		g_free(path);
		return;
	}
	if ((tpl = tpl_load_file(path, &err)) == NULL ||
	    !tpl_check(tpl, schema, &err)) {
		g_string_append_printf(errors, "%s\n", err->message);
		g_error_free(err);
		tpl_free(tpl);
		g_free(key);
	} else
		g_hash_table_insert(s->templates, key, tpl);
	g_free(path);
}

void
letter_load(struct setup *s, GString *errors)
{
	guint	 i;
	size_t	 k, l;

	for (l = 0; l < G_N_ELEMENTS(langs); l++) {
		for (i = 0; i <= s->rules->types->len; i++) {
			const struct rules_type *t = i < s->rules->types->len ?
			    g_ptr_array_index(s->rules->types, i) :
			    s->rules->triage;

			if (t->ack)
				load_one(s, langs[l], t->ack_template, ack_vars,
				    errors);
		}
		for (k = LETTER_INFO_REQUEST; k < LETTER_NKINDS; k++)
			load_one(s, langs[l], kinds[k].name, kinds[k].schema,
			    errors);
	}
}
