/*
 * rules.c: see rules.h and recoursd.rules(5).
 */
#include "config.h"

#include <libconfig.h>
#include <string.h>

#include "case_state.h"
#include "cfg.h"
#include "rules.h"
#include "text.h"

#define RULES(l)	((struct rules *)(l)->owner)

static const char *const top_keys[] = { "types", "triage", "defaults", NULL };
static const char *const type_keys[] = {
	"name", "label", "prefix", "tags", "priority", "roles", "required",
	"admissibility", "on_closed", "states", "ack", "ack_template",
	"response", "deadlines", "notify", "escalate_to", "approver_roles",
	"objectives", "outcomes", "inform_party", "causes", "retention", NULL
};
static const char *const outcome_keys[] = { "name", "label", "final", NULL };
static const char *const objective_keys[] = {
	"max_per_month", "deadlines_met", NULL
};
static const char *const deadline_keys[] = {
	"name", "within", "remind_before", "met_by", "escalate", "notice",
	"starts_with", "applies_with", "cancelled_by", NULL
};
static const char *const triage_keys[] = {
	"label", "prefix", "ack", "ack_template", "response", "deadlines",
	"notify", "escalate_to", NULL
};
static const char *const label_keys[] = { "fr", "en", NULL };
static const char *const field_keys[] = { "name", "label", "pattern", NULL };
static const char *const adm_keys[] = { "within", "date_pattern", NULL };
static const char *const default_keys[] = { "role", "type", NULL };

static void	 load_file(struct cfg *, const char *);
static struct rules_type *load_type(struct cfg *, const config_setting_t *,
		    gboolean);
static void	 load_labels(struct cfg *, const config_setting_t *,
		    struct rules_type *);
static void	 load_fields(struct cfg *, const config_setting_t *,
		    struct rules_type *);
static void	 load_admissibility(struct cfg *, const config_setting_t *,
		    struct rules_type *);
static void	 load_objectives(struct cfg *, const config_setting_t *,
		    struct rules_type *);
static void	 load_states(struct cfg *, const config_setting_t *,
		    struct rules_type *);
static void	 load_ack(struct cfg *, const config_setting_t *,
		    struct rules_type *);
static gboolean	 duration(struct cfg *, const config_setting_t *,
		    const char *, struct cal_duration *);
static struct rules_deadline *load_deadline(struct cfg *,
		    const config_setting_t *);
static void	 load_deadlines(struct cfg *, const config_setting_t *,
		    struct rules_type *);
static void	 deadline_free(gpointer);
static void	 load_defaults(struct cfg *, const config_setting_t *);
static GRegex	*compile(struct cfg *, const config_setting_t *, const char *);
static void	 check_type(struct cfg *, const config_setting_t *,
		    struct rules_type *);
static void	 type_free(gpointer);
static gint	 by_name(gconstpointer, gconstpointer);
static void	 field_free(gpointer);
static void	 outcome_free(gpointer);
static void	 load_retention(struct cfg *, const config_setting_t *,
		    struct rules_type *);
static void	 load_outcomes(struct cfg *, const config_setting_t *,
		    struct rules_type *);
static char	*command_key(struct cfg *, const config_setting_t *,
		    const char *, gboolean);

static GRegex *
compile(struct cfg *l, const config_setting_t *s, const char *name)
{
	char	*pattern = cfg_str(l, s, name, NULL);
	GError	*err = NULL;
	GRegex	*re = NULL;

	if (pattern == NULL)
		return NULL;
	re = g_regex_new(pattern, G_REGEX_CASELESS | G_REGEX_MULTILINE |
	    G_REGEX_OPTIMIZE, 0, &err);
	if (re == NULL) {
		cfg_error(l, config_setting_get_member(s, name),
		    "bad pattern: %s", err->message);
		g_error_free(err);
	}
	g_free(pattern);
	return re;
}

static void
load_labels(struct cfg *l, const config_setting_t *s, struct rules_type *t)
{
	const config_setting_t *g = cfg_group(l, s, "label", label_keys);

	t->label_fr = cfg_str(l, g, "fr", t->name);
	t->label_en = cfg_str(l, g, "en", t->label_fr);
}

static void
load_fields(struct cfg *l, const config_setting_t *s, struct rules_type *t)
{
	const config_setting_t *list = config_setting_get_member(s, "required");
	int	 i, n;

	t->fields = g_ptr_array_new_with_free_func(field_free);
	if (list == NULL)
		return;
	n = config_setting_length(list);
	for (i = 0; i < n; i++) {
		const config_setting_t *f = config_setting_get_elem(list, i);
		struct rules_field *rf;

		if (config_setting_type(f) != CONFIG_TYPE_GROUP) {
			cfg_error(l, f, "a required field is { name = \"...\"; "
			    "label = \"...\"; pattern = \"...\"; }");
			continue;
		}
		cfg_check_keys(l, f, field_keys);
		rf = g_new0(struct rules_field, 1);
		rf->name = cfg_str(l, f, "name", NULL);
		rf->label = cfg_str(l, f, "label", rf->name);
		rf->pattern = compile(l, f, "pattern");
		if (rf->name == NULL || rf->pattern == NULL)
			cfg_error(l, f, "a required field needs name and pattern");
		g_ptr_array_add(t->fields, rf);
	}
}

/*
 * The outcomes a decision of this type may have, each named by one word
 * that staff write first: "#decision avertissement ...".
 */
static void
load_outcomes(struct cfg *l, const config_setting_t *s, struct rules_type *t)
{
	const config_setting_t *list = config_setting_get_member(s, "outcomes");
	int	 i, j, n;

	t->outcomes = g_ptr_array_new_with_free_func(outcome_free);
	t->inform_party = cfg_bool(l, s, "inform_party", FALSE);
	if (list == NULL)
		return;
	n = config_setting_length(list);
	for (i = 0; i < n; i++) {
		const config_setting_t *o = config_setting_get_elem(list, i);
		struct rules_outcome *ro;

		if (config_setting_type(o) != CONFIG_TYPE_GROUP) {
			cfg_error(l, o, "an outcome is { name = \"word\"; "
			    "label = \"...\"; }");
			continue;
		}
		cfg_check_keys(l, o, outcome_keys);
		ro = g_new0(struct rules_outcome, 1);
		ro->name = cfg_str(l, o, "name", NULL);
		ro->label = cfg_str(l, o, "label", ro->name);
		ro->final = cfg_bool(l, o, "final", TRUE);
		if (ro->name == NULL || !g_regex_match_simple("^[a-z0-9-]+$",
		    ro->name, 0, 0))
			cfg_error(l, o, "an outcome's name is one word in lower "
			    "case (a-z, 0-9, -)");
		for (j = 0; ro->name != NULL && j < (int)t->outcomes->len; j++)
			if (g_strcmp0(((struct rules_outcome *)
			    g_ptr_array_index(t->outcomes, j))->name,
			    ro->name) == 0)
				cfg_error(l, o, "outcome \"%s\" is named twice",
				    ro->name);
		g_ptr_array_add(t->outcomes, ro);
	}
}

/* How long this type's closed cases are kept, when not recoursd.conf's. */
static void
load_retention(struct cfg *l, const config_setting_t *s, struct rules_type *t)
{
	char	*text = cfg_str(l, s, "retention", NULL);
	GError	*err = NULL;

	if (text == NULL)
		return;
	if (cfg_parse_period(text, &t->retention, &err))
		t->has_retention = TRUE;
	else {
		cfg_error(l, config_setting_get_member(s, "retention"),
		    "retention: %s", err->message);
		g_error_free(err);
	}
	g_free(text);
}

static void
outcome_free(gpointer p)
{
	struct rules_outcome *o = p;

	g_free(o->name);
	g_free(o->label);
	g_free(o);
}

const struct rules_outcome *
rules_outcome(const struct rules_type *t, const char *text, const char **rest)
{
	size_t	 len = strcspn(text, " \t\n");
	guint	 i;

	for (i = 0; t->outcomes != NULL && i < t->outcomes->len; i++) {
		const struct rules_outcome *o = g_ptr_array_index(t->outcomes,
		    i);

		if (strlen(o->name) == len &&
		    g_ascii_strncasecmp(text, o->name, len) == 0) {
			for (text += len; g_ascii_isspace(*text); text++)
				;
			if (rest != NULL)
				*rest = text;
			return o;
		}
	}
	return NULL;
}

char *
rules_outcome_names(const struct rules_type *t)
{
	GString	*s = g_string_new(NULL);
	guint	 i;

	for (i = 0; i < t->outcomes->len; i++)
		g_string_append_printf(s, "%s%s", i ? ", " : "",
		    ((struct rules_outcome *)g_ptr_array_index(t->outcomes,
		    i))->name);
	return g_string_free(s, FALSE);
}

static void
load_admissibility(struct cfg *l, const config_setting_t *s,
    struct rules_type *t)
{
	const config_setting_t *g = cfg_group(l, s, "admissibility", adm_keys);
	GError	*err = NULL;
	char	*within;

	if (g == NULL)
		return;
	t->has_admissibility = TRUE;
	within = cfg_str(l, g, "within", NULL);
	if (within == NULL)
		cfg_error(l, g, "admissibility needs within = \"2 mois\" (or "
		    "another duration)");
	else if (!cal_parse_duration(within,
	    &t->admissibility.within, &err)) {
		cfg_error(l, config_setting_get_member(g, "within"), "%s",
		    err->message);
		g_error_free(err);
	}
	t->admissibility.date_pattern = compile(l, g, "date_pattern");
	g_free(within);
}

static gboolean
duration(struct cfg *l, const config_setting_t *s, const char *name,
    struct cal_duration *d)
{
	char	*text = cfg_str(l, s, name, NULL);
	GError	*err = NULL;
	gboolean ok;

	if (text == NULL)
		return FALSE;
	if (!(ok = cal_parse_duration(text, d, &err))) {
		cfg_error(l, config_setting_get_member(s, name), "%s",
		    err->message);
		g_error_free(err);
	}
	g_free(text);
	return ok;
}

static struct rules_deadline *
load_deadline(struct cfg *l, const config_setting_t *s)
{
	struct rules_deadline *dl = g_new0(struct rules_deadline, 1);
	enum case_state	 st;

	cfg_check_keys(l, s, deadline_keys);
	dl->name = cfg_str(l, s, "name", NULL);
	if (dl->name == NULL || config_setting_get_member(s, "within") == NULL)
		cfg_error(l, s, "a deadline needs name and within");
	else
		duration(l, s, "within", &dl->within);
	dl->has_remind = duration(l, s, "remind_before", &dl->remind_before);
	if (dl->has_remind && dl->remind_before.unit != CAL_HOURS &&
	    dl->remind_before.unit != CAL_DAYS && dl->remind_before.unit !=
	    CAL_WEEKS)
		cfg_error(l, config_setting_get_member(s, "remind_before"),
		    "remind_before counts back in hours, days or weeks");
	dl->met_by = cfg_str(l, s, "met_by", dl->name != NULL &&
	    strcmp(dl->name, "ack") == 0 ? "ack" : "decided");
	if (strcmp(dl->met_by, "ack") != 0 && !case_state_parse(dl->met_by, &st) &&
	    !g_regex_match_simple("^#[a-z-]+$", dl->met_by, 0, 0))
		cfg_error(l, config_setting_get_member(s, "met_by"), "met_by is "
		    "\"ack\" (the acknowledgement is sent), a state or a staff "
		    "command (\"#complexe\"): \"%s\" is none of them",
		    dl->met_by);
	dl->starts_with = command_key(l, s, "starts_with", FALSE);
	dl->applies_with = command_key(l, s, "applies_with", FALSE);
	dl->cancelled_by = command_key(l, s, "cancelled_by", TRUE);
	if (dl->starts_with != NULL && dl->applies_with != NULL)
		cfg_error(l, s, "a deadline has starts_with or applies_with, "
		    "not both");
	dl->notice = cfg_bool(l, s, "notice", FALSE);
	dl->escalate = cfg_bool(l, s, "escalate", !dl->notice);
	return dl;
}

/* A staff command ("#assigner"), or with state_too a case state. */
static char *
command_key(struct cfg *l, const config_setting_t *s, const char *key,
    gboolean state_too)
{
	char		*v = cfg_str(l, s, key, NULL);
	enum case_state	 st;

	if (v != NULL && !g_regex_match_simple("^#[a-z-]+$", v, 0, 0) &&
	    !(state_too && case_state_parse(v, &st)))
		cfg_error(l, config_setting_get_member(s, key), "%s is a staff "
		    "command (\"#complexe\")%s: \"%s\" is not one", key,
		    state_too ? " or a state" : "", v);
	return v;
}

static void
load_deadlines(struct cfg *l, const config_setting_t *s, struct rules_type *t)
{
	const config_setting_t *list = config_setting_get_member(s, "deadlines");
	int	 i, n;
	guint	 j;

	t->deadlines = g_ptr_array_new_with_free_func(deadline_free);
	n = list != NULL ? config_setting_length(list) : 0;
	for (i = 0; i < n; i++) {
		const config_setting_t *e = config_setting_get_elem(list, i);
		struct rules_deadline *dl;

		if (config_setting_type(e) != CONFIG_TYPE_GROUP) {
			cfg_error(l, e, "a deadline is { name = \"...\"; within "
			    "= \"...\"; ... }");
			continue;
		}
		dl = load_deadline(l, e);
		for (j = 0; dl->name != NULL && j < t->deadlines->len; j++)
			if (g_strcmp0(((struct rules_deadline *)
			    g_ptr_array_index(t->deadlines, j))->name,
			    dl->name) == 0)
				cfg_error(l, e, "deadline \"%s\" is defined twice",
				    dl->name);
		g_ptr_array_add(t->deadlines, dl);
	}
}

static void
deadline_free(gpointer p)
{
	struct rules_deadline *dl = p;

	g_free(dl->name);
	g_free(dl->met_by);
	g_free(dl->starts_with);
	g_free(dl->applies_with);
	g_free(dl->cancelled_by);
	g_free(dl);
}

/* The acknowledgement, and when the answer is due. */
static void
load_ack(struct cfg *l, const config_setting_t *s, struct rules_type *t)
{
	GError	*err = NULL;
	char	*response;

	t->ack = cfg_bool(l, s, "ack", TRUE);
	t->ack_template = cfg_str(l, s, "ack_template", "accuse-reception");
	if ((response = cfg_str(l, s, "response", NULL)) == NULL)
		return;
	if (cal_parse_duration(response, &t->response, &err))
		t->has_response = TRUE;
	else {
		cfg_error(l, config_setting_get_member(s, "response"), "%s",
		    err->message);
		g_error_free(err);
	}
	g_free(response);
}

/* What the indicators are compared with (CESI: <= 1 a month, 100 %). */
static void
load_objectives(struct cfg *l, const config_setting_t *s,
    struct rules_type *t)
{
	const config_setting_t *o = cfg_group(l, s, "objectives",
	    objective_keys);

	t->max_per_month = (int)cfg_int(l, o, "max_per_month", -1, 0, 1000000);
	t->deadlines_met = cfg_float(l, o, "deadlines_met", -1, 0, 100);
}

static void
load_states(struct cfg *l, const config_setting_t *s, struct rules_type *t)
{
	GPtrArray	*names = cfg_str_list(l, s, "states");
	enum case_state	 st;
	guint		 i;

	t->states = CASE_ALL_STATES;
	if (names == NULL)
		return;
	/* Every case starts received, and can be closed and reopened. */
	t->states = 1u << CASE_RECEIVED | 1u << CASE_CLOSED;
	for (i = 0; i < names->len; i++) {
		if (case_state_parse(g_ptr_array_index(names, i), &st))
			t->states |= 1u << st;
		else
			cfg_error(l, config_setting_get_member(s, "states"),
			    "unknown state \"%s\" (received, incomplete, "
			    "under_review, admissible, inadmissible, decided, "
			    "closed, reopened)",
			    (char *)g_ptr_array_index(names, i));
	}
	g_ptr_array_unref(names);
}

static struct rules_type *
load_type(struct cfg *l, const config_setting_t *s, gboolean triage)
{
	struct rules_type *t = g_new0(struct rules_type, 1);
	GPtrArray	*tags;
	char		*on_closed;
	guint		 i;

	cfg_check_keys(l, s, triage ? triage_keys : type_keys);
	t->file = g_intern_string(config_setting_source_file(s));
	t->line = (int)config_setting_source_line(s);
	t->name = triage ? g_strdup("triage") : cfg_str(l, s, "name", NULL);
	t->prefix = cfg_str(l, s, "prefix", triage ? "TRI" : NULL);
	t->priority = (int)cfg_int(l, s, "priority", 0, -1000, 1000);
	load_labels(l, s, t);
	t->tags = g_ptr_array_new_with_free_func(g_free);
	if ((tags = cfg_str_list(l, s, "tags")) != NULL) {
		for (i = 0; i < tags->len; i++)
			g_ptr_array_add(t->tags,
			    text_fold(g_ptr_array_index(tags, i)));
		g_ptr_array_unref(tags);
	}
	if ((t->roles = cfg_str_list(l, s, "roles")) == NULL)
		t->roles = g_ptr_array_new_with_free_func(g_free);
	if ((t->approver_roles = cfg_str_list(l, s, "approver_roles")) == NULL)
		t->approver_roles = g_ptr_array_new_with_free_func(g_free);
	if ((t->causes = cfg_str_list(l, s, "causes")) == NULL)
		t->causes = g_ptr_array_new_with_free_func(g_free);
	load_retention(l, s, t);
	load_fields(l, s, t);
	load_admissibility(l, s, t);
	load_states(l, s, t);
	load_objectives(l, s, t);
	load_outcomes(l, s, t);
	load_ack(l, s, t);
	load_deadlines(l, s, t);
	t->notify = cfg_str(l, s, "notify", NULL);
	t->escalate_to = cfg_str(l, s, "escalate_to", NULL);
	on_closed = cfg_str(l, s, "on_closed", "reopen");
	if (strcmp(on_closed, "reopen") == 0)
		t->on_closed = RULES_REOPEN;
	else if (strcmp(on_closed, "new") == 0)
		t->on_closed = RULES_NEW_CASE;
	else if (strcmp(on_closed, "answer") == 0)
		t->on_closed = RULES_ANSWER_CLOSED;
	else
		cfg_error(l, config_setting_get_member(s, "on_closed"),
		    "on_closed must be \"reopen\", \"new\" or \"answer\"");
	g_free(on_closed);
	check_type(l, s, t);
	return t;
}

/* Against the types already loaded: names, prefixes, shared tags. */
static void
check_type(struct cfg *l, const config_setting_t *s, struct rules_type *t)
{
	struct rules	*r = RULES(l);
	guint		 i, j, k;

	if (t->name == NULL || t->prefix == NULL) {
		cfg_error(l, s, "a type needs name and prefix");
		return;
	}
	if (!g_regex_match_simple("^[A-Z]{2,6}$", t->prefix, 0, 0))
		cfg_error(l, config_setting_get_member(s, "prefix"), "prefix "
		    "\"%s\" must be 2 to 6 capital letters", t->prefix);
	for (i = 0; i < r->types->len; i++) {
		const struct rules_type *o = g_ptr_array_index(r->types, i);

		if (g_strcmp0(o->name, t->name) == 0)
			cfg_error(l, s, "type \"%s\" is already defined at "
			    "%s:%d", t->name, o->file, o->line);
		if (o->prefix != NULL && strcmp(o->prefix, t->prefix) == 0)
			cfg_error(l, s, "prefix \"%s\" is already used by type "
			    "\"%s\" (%s:%d)", t->prefix, o->name, o->file, o->line);
		for (j = 0; o->priority == t->priority && j < t->tags->len; j++)
			for (k = 0; k < o->tags->len; k++)
				if (strcmp(g_ptr_array_index(t->tags, j),
				    g_ptr_array_index(o->tags, k)) == 0)
					cfg_error(l, config_setting_get_member(s,
					    "tags"), "tag \"%s\" is also a tag "
					    "of type \"%s\" with the same "
					    "priority %d: give one a higher "
					    "priority", g_strstrip((char *)
					    g_ptr_array_index(t->tags, j)),
					    o->name, t->priority);
	}
}

static void
load_defaults(struct cfg *l, const config_setting_t *root)
{
	const config_setting_t *list = config_setting_get_member(root,
	    "defaults");
	int	 i, n;

	n = list != NULL ? config_setting_length(list) : 0;
	for (i = 0; i < n; i++) {
		const config_setting_t *d = config_setting_get_elem(list, i);
		char	*role, *type;

		cfg_check_keys(l, d, default_keys);
		role = cfg_str(l, d, "role", NULL);
		type = cfg_str(l, d, "type", NULL);
		if (role == NULL || type == NULL)
			cfg_error(l, d, "a default is { role = \"...\"; type = "
			    "\"...\"; }");
		else if (rules_type(RULES(l), type) == NULL)
			cfg_error(l, d, "unknown type \"%s\" (types are defined "
			    "before they are used)", type);
		else
			g_hash_table_replace(RULES(l)->role_default,
			    g_strdup(role), (gpointer)rules_type(RULES(l), type));
		g_free(role);
		g_free(type);
	}
}

static void
load_file(struct cfg *l, const char *path)
{
	struct rules	*r = RULES(l);
	config_t	 cfg;
	const config_setting_t *root, *list, *tri;
	int		 i, n;

	config_init(&cfg);
	if (!cfg_read(l, &cfg, path))
		goto out;
	root = config_root_setting(&cfg);
	cfg_check_keys(l, root, top_keys);
	list = config_setting_get_member(root, "types");
	n = list != NULL ? config_setting_length(list) : 0;
	for (i = 0; i < n; i++) {
		const config_setting_t *t = config_setting_get_elem(list, i);

		if (config_setting_type(t) != CONFIG_TYPE_GROUP)
			cfg_error(l, t, "each type is a group { ... }");
		else
			g_ptr_array_add(r->types, load_type(l, t, FALSE));
	}
	if ((tri = config_setting_get_member(root, "triage")) != NULL) {
		if (r->triage != NULL)
			cfg_error(l, tri, "triage is already defined at %s:%d",
			    r->triage->file, r->triage->line);
		else
			r->triage = load_type(l, tri, TRUE);
	}
	load_defaults(l, root);
out:
	config_destroy(&cfg);
}

/* For g_ptr_array_sort: the elements are char *. */
static gint
by_name(gconstpointer a, gconstpointer b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

struct rules *
rules_load(const char *dir, GString *errors)
{
	struct rules	*r = g_new0(struct rules, 1);
	struct cfg	 l;
	GPtrArray	*files = g_ptr_array_new_with_free_func(g_free);
	GError		*err = NULL;
	const char	*name;
	GDir		*d;
	guint		 i;

	r->types = g_ptr_array_new_with_free_func(type_free);
	r->role_default = g_hash_table_new_full(g_str_hash, g_str_equal,
	    g_free, NULL);
	memset(&l, 0, sizeof(l));
	l.owner = r;
	l.errors = errors;
	l.path = dir;
	l.dir = g_strdup(dir);
	/* libconfig has no globbed includes: the directory is ours to read. */
	if ((d = g_dir_open(dir, 0, &err)) == NULL) {
		g_string_append_printf(errors, "%s: %s\n", dir, err->message);
		g_error_free(err);
		l.nerrors++;
	} else {
		while ((name = g_dir_read_name(d)) != NULL)
			if (g_str_has_suffix(name, ".conf") && name[0] != '.')
				g_ptr_array_add(files, g_build_filename(dir,
				    name, NULL));
		g_dir_close(d);
		g_ptr_array_sort(files, by_name);
	}
	for (i = 0; i < files->len; i++)
		load_file(&l, g_ptr_array_index(files, i));
	if (l.nerrors == 0 && r->types->len == 0) {
		g_string_append_printf(errors, "%s: no case type is defined "
		    "(no *.conf file with types = ( ... ))\n", dir);
		l.nerrors++;
	}
	if (r->triage == NULL) {
		r->triage = g_new0(struct rules_type, 1);
		r->triage->name = g_strdup("triage");
		r->triage->label_fr = g_strdup("à qualifier");
		r->triage->label_en = g_strdup("triage");
		r->triage->prefix = g_strdup("TRI");
		r->triage->tags = g_ptr_array_new();
		r->triage->roles = g_ptr_array_new();
		r->triage->approver_roles = g_ptr_array_new();
		r->triage->max_per_month = -1;
		r->triage->deadlines_met = -1;
		r->triage->fields = g_ptr_array_new();
		r->triage->states = CASE_ALL_STATES;
		r->triage->ack = TRUE;
		r->triage->ack_template = g_strdup("accuse-reception");
		r->triage->deadlines = g_ptr_array_new();
		r->triage->file = "(built in)";
	}
	g_ptr_array_unref(files);
	g_free(l.dir);
	if (l.nerrors > 0) {
		rules_free(r);
		return NULL;
	}
	return r;
}

static void
field_free(gpointer p)
{
	struct rules_field *f = p;

	g_free(f->name);
	g_free(f->label);
	if (f->pattern != NULL)
		g_regex_unref(f->pattern);
	g_free(f);
}

static void
type_free(gpointer p)
{
	struct rules_type *t = p;

	if (t == NULL)
		return;
	g_free(t->name);
	g_free(t->label_fr);
	g_free(t->label_en);
	g_free(t->prefix);
	g_free(t->ack_template);
	if (t->tags != NULL)
		g_ptr_array_unref(t->tags);
	if (t->roles != NULL)
		g_ptr_array_unref(t->roles);
	if (t->approver_roles != NULL)
		g_ptr_array_unref(t->approver_roles);
	if (t->fields != NULL)
		g_ptr_array_unref(t->fields);
	if (t->deadlines != NULL)
		g_ptr_array_unref(t->deadlines);
	if (t->outcomes != NULL)
		g_ptr_array_unref(t->outcomes);
	if (t->causes != NULL)
		g_ptr_array_unref(t->causes);
	g_free(t->notify);
	g_free(t->escalate_to);
	if (t->admissibility.date_pattern != NULL)
		g_regex_unref(t->admissibility.date_pattern);
	g_free(t);
}

void
rules_free(struct rules *r)
{
	if (r == NULL)
		return;
	g_ptr_array_unref(r->types);
	type_free(r->triage);
	g_hash_table_unref(r->role_default);
	g_free(r);
}

const struct rules_type *
rules_type(const struct rules *r, const char *name)
{
	guint	 i;

	for (i = 0; i < r->types->len; i++) {
		const struct rules_type *t = g_ptr_array_index(r->types, i);

		if (t->name != NULL && strcmp(t->name, name) == 0)
			return t;
	}
	if (r->triage != NULL && strcmp(name, "triage") == 0)
		return r->triage;
	return NULL;
}

const struct rules_type *
rules_type_by_prefix(const struct rules *r, const char *prefix)
{
	guint	 i;

	for (i = 0; i < r->types->len; i++) {
		const struct rules_type *t = g_ptr_array_index(r->types, i);

		if (t->prefix != NULL && strcmp(t->prefix, prefix) == 0)
			return t;
	}
	if (r->triage != NULL && strcmp(r->triage->prefix, prefix) == 0)
		return r->triage;
	return NULL;
}

gboolean
rules_role_accepts(const struct rules_type *t, const char *role)
{
	guint	 i;

	if (t->roles->len == 0 || role == NULL)
		return TRUE;
	for (i = 0; i < t->roles->len; i++)
		if (strcmp(g_ptr_array_index(t->roles, i), role) == 0)
			return TRUE;
	return FALSE;
}
