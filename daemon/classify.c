/*
 * classify.c: see classify.h.
 */
#include "config.h"

#include <string.h>

#include "classify.h"
#include "text.h"

void
classify_subject(const struct rules *r, const char *subject, const char *role,
    struct classify_result *out)
{
	char		*folded = text_fold(subject);
	const char	*best_at = NULL, *at;
	guint		 i, j;

	memset(out, 0, sizeof(*out));
	for (i = 0; i < r->types->len; i++) {
		const struct rules_type *t = g_ptr_array_index(r->types, i);

		if (!rules_role_accepts(t, role))
			continue;
		for (j = 0; j < t->tags->len; j++) {
			const char *tag = g_ptr_array_index(t->tags, j);

			/* Both folded with spaces around: whole words. */
			if ((at = strstr(folded, tag)) == NULL)
				continue;
			if (out->type == NULL || t->priority > out->type->priority ||
			    (t->priority == out->type->priority && at < best_at)) {
				out->type = t;
				out->tag = tag;
				best_at = at;
			}
		}
	}
	if (out->type == NULL && role != NULL &&
	    (out->type = g_hash_table_lookup(r->role_default, role)) != NULL)
		out->by_default = TRUE;
	g_free(folded);
}

/*
 * PREFIX-YYYY-NNNN, case-insensitive, with a prefix the rules know: the
 * subject of every message we send carries it.
 */
char *
classify_find_ref(const struct rules *r, const char *subject)
{
	static GRegex	*re;
	GMatchInfo	*mi = NULL;
	char		*found = NULL;

	if (g_once_init_enter(&re))
		g_once_init_leave(&re, g_regex_new("\\b([A-Za-z]{2,6})-"
		    "(\\d{4})-(\\d{4,6})\\b", G_REGEX_OPTIMIZE, 0, NULL));
	g_regex_match(re, subject != NULL ? subject : "", 0, &mi);
	while (found == NULL && g_match_info_matches(mi)) {
		char	*prefix = g_match_info_fetch(mi, 1);
		char	*up = g_ascii_strup(prefix, -1);

		if (rules_type_by_prefix(r, up) != NULL) {
			char	*year = g_match_info_fetch(mi, 2);
			char	*seq = g_match_info_fetch(mi, 3);

			found = g_strdup_printf("%s-%s-%s", up, year, seq);
			g_free(year);
			g_free(seq);
		}
		g_free(up);
		g_free(prefix);
		g_match_info_next(mi, NULL);
	}
	g_match_info_free(mi);
	return found;
}
