/*
 * timers.c: the cost of the timer engine as open cases grow (make bench).
 *
 *   timers CONF
 *
 * CONF is a configuration whose database is created afresh.  Cases are
 * opened (with the timers of their type's deadlines) up to 1 000, 10 000
 * and 100 000; at each size the program prints the cost to schedule the
 * timers of one more case, to find the next due timer (the daemon does
 * it after every change), and to fire 1 000 due timers, then the growth
 * of each from the smallest size to the largest against the growth of
 * log n (the goal: no faster than logarithmic).
 */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "case.h"
#include "check.h"
#include "store.h"
#include "timer.h"

#define DAY	86400

static double
now(void)
{
	return (double)g_get_monotonic_time() / G_USEC_PER_SEC;
}

/* n cases opened at start, in transactions of 1000; seconds per case. */
static double
open_cases(struct store *st, const struct setup *s, int n, int64_t start,
    int *seq)
{
	const struct rules_type *t = g_ptr_array_index(s->rules->types, 0);
	GError	*err = NULL;
	double	 t0 = now();
	int	 i;

	for (i = 0; i < n; i++) {
		struct store_case c;
		int64_t		 number;

		if (i % 1000 == 0 && !store_begin(st, &err))
			g_error("%s", err->message);
		memset(&c, 0, sizeof(c));
		c.type = t->name;
		c.prefix = t->prefix;
		c.year = 2026;
		c.state = "received";
		c.subject = "bench";
		c.complainant_addr = "a@example.test";
		c.opened_at = start;
		if ((number = store_case_number(st, c.prefix, c.year,
		    &err)) < 0)
			g_error("case %d: %s", *seq, err->message);
		c.ref = case_ref(c.prefix, c.year, number);
		if (!store_case_open(st, &c, number, &err) ||
		    !timer_schedule(st, s, c.id, t, start, &err))
			g_error("case %d: %s", *seq, err->message);
		g_free(c.ref);
		(*seq)++;
		if ((i % 1000 == 999 || i == n - 1) && !store_commit(st, &err))
			g_error("%s", err->message);
	}
	return (now() - t0) / n;
}

int
main(int argc, char *argv[])
{
	static const int sizes[] = { 1000, 10000, 100000 };
	double		 sched[3], next[3], fire[3];
	GString		*errors = g_string_new(NULL);
	struct setup	*s;
	struct store	*st;
	GError		*err = NULL;
	int64_t		 t_now = 1798761600;	/* 2027-01-01 */
	int		 seq = 0, have = 0, i, k, fired;
	gboolean	 queued;
	double		 t0;

	if (argc != 2) {
		fprintf(stderr, "usage: timers CONF\n");
		return 2;
	}
	if ((s = check_load(argv[1], errors)) == NULL) {
		fprintf(stderr, "%s", errors->str);
		return 1;
	}
	if ((st = store_open(s->conf->database, STORE_CREATE, &err)) == NULL)
		g_error("%s", err->message);
	for (i = 0; i < 3; i++) {
		/* The open cases: their deadlines are all in the future. */
		open_cases(st, s, sizes[i] - have - 1000, t_now + DAY, &seq);
		sched[i] = open_cases(st, s, 1000, t_now + DAY, &seq);
		have = sizes[i];
		t0 = now();
		for (k = 0; k < 1000; k++)
			(void)timer_next(st);
		next[i] = (now() - t0) / 1000;
		/* 1000 timers fallen due: cases opened 90 days ago. */
		open_cases(st, s, 500, t_now - 90 * DAY, &seq);
		t0 = now();
		for (fired = 0; fired < 1000; ) {
			k = timer_fire(st, s, t_now, &queued, &err);
			if (k <= 0)
				g_error("fire: %s", k < 0 ? err->message :
				    "nothing due");
			fired += k;
		}
		fire[i] = (now() - t0) / fired * 1000;
		printf("%6d cases: schedule %7.1f us/case, next due %6.1f us, "
		    "fire 1000 due %6.1f ms\n", sizes[i], sched[i] * 1e6,
		    next[i] * 1e6, fire[i] * 1e3);
		have += 500;
	}
	printf("growth 1000 -> 100000 cases (log n grows x%.2f): schedule "
	    "x%.2f, next due x%.2f, fire x%.2f\n", log(1e5) / log(1e3),
	    sched[2] / sched[0], next[2] / next[0], fire[2] / fire[0]);
	store_close(st);
	setup_free(s);
	g_string_free(errors, TRUE);
	return 0;
}
